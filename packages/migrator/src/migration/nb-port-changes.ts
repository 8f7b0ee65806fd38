/**
 * Which VMs a Logical_Switch_Port change in the NB replica concerns (PURE). The backend feeds the replica's
 * change stream through this and queues the VM keys it returns, so a change made by someone else (another
 * controller, an operator, the CNI, a resync after an NB outage) is reconciled at once instead of at the next
 * periodic resync.
 *
 * A change matters when the port is (or was) a VM NIC (external_ids[vmPortKey] = "<namespace>/<vm>") and it
 * was inserted, deleted, moved to another VM, or its migration-relevant state changed: the options
 * requested-chassis / activation-strategy, or the ownership record. Other columns (northd's `up`, addresses,
 * unrelated option keys) do not queue anything. Initial contents do not either (the informers' sync does).
 */
import { ACTIVATION_STRATEGY, MIGRATION_KEYS, REQUESTED_CHASSIS } from "@ovnkit/ovn-nb";

export interface PortRowView {
  readonly options: ReadonlyMap<string, string>;
  readonly external_ids: ReadonlyMap<string, string>;
}

export interface PortChange {
  readonly kind: "initial" | "insert" | "modify" | "delete";
  readonly old: PortRowView | undefined;
  readonly new: PortRowView | undefined;
}

const WATCHED_OPTIONS = [REQUESTED_CHASSIS, ACTIVATION_STRATEGY] as const;
const WATCHED_IDS = [MIGRATION_KEYS.uid, MIGRATION_KEYS.source, MIGRATION_KEYS.target] as const;

/** A VM key is "<namespace>/<name>" with both parts non-empty. */
function vmKeyOf(row: PortRowView | undefined, vmPortKey: string): string | undefined {
  const v = row?.external_ids.get(vmPortKey);
  if (v === undefined) return undefined;
  const i = v.indexOf("/");
  return i > 0 && i < v.length - 1 ? v : undefined;
}

function migrationStateChanged(a: PortRowView, b: PortRowView): boolean {
  return WATCHED_OPTIONS.some((k) => a.options.get(k) !== b.options.get(k)) || WATCHED_IDS.some((k) => a.external_ids.get(k) !== b.external_ids.get(k));
}

/** The VM keys to reconcile for one row event (0, 1, or 2 when the port moved between VMs). */
export function vmKeysOfPortChange(change: PortChange, vmPortKey: string): string[] {
  const before = vmKeyOf(change.old, vmPortKey);
  const after = vmKeyOf(change.new, vmPortKey);
  switch (change.kind) {
    case "initial":
      return [];
    case "insert":
      return after === undefined ? [] : [after];
    case "delete":
      return before === undefined ? [] : [before];
    case "modify": {
      if (before !== after) return [before, after].filter((k): k is string => k !== undefined);
      if (after === undefined || change.old === undefined || change.new === undefined) return [];
      return migrationStateChanged(change.old, change.new) ? [after] : [];
    }
  }
}
