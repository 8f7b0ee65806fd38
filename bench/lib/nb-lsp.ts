/**
 * The benchmarks' database: a real NB ovsdb-server holding N Logical_Switch_Port rows with realistic columns,
 * inserted in transactions of 10,000 (each batch referenced by a Logical_Switch, or the server would
 * garbage-collect the non-root ports).
 */
import { OvsdbClient, namedUuid, type Operation } from "@ovnkit/ovsdb";
import { startOvsdbServer, type OvsdbServer } from "@ovnkit/sandbox";

const BATCH = 10_000;

function mac(i: number): string {
  const h = (n: number): string => n.toString(16).padStart(2, "0");
  return `0a:58:0a:${h((i >> 16) & 0xff)}:${h((i >> 8) & 0xff)}:${h(i & 0xff)}`;
}

function ip(i: number): string {
  return `10.${128 + ((i >> 16) & 0x3f)}.${(i >> 8) & 0xff}.${i & 0xff}`;
}

/**
 * A KubeVirt VM port as ovn-kubernetes writes it: name, addresses, port_security, external_ids (pod,
 * namespace, vm), options (requested-chassis). The replica and cache-load benches use this row.
 */
export function vmPortRow(i: number): Operation {
  const ns = `namespace-${i % 97}`;
  const vm = `vm-${i}`;
  return {
    op: "insert",
    table: "Logical_Switch_Port",
    "uuid-name": `lsp${i}`,
    row: {
      name: `${ns}_virt-launcher-${vm}`,
      addresses: ["set", [`${mac(i)} ${ip(i)}`]],
      port_security: ["set", [`${mac(i)} ${ip(i)}/14`]],
      external_ids: ["map", [["pod", `${ns}/virt-launcher-${vm}`], ["namespace", ns], ["vm", vm]]],
      options: ["map", [["requested-chassis", `node-${i % 50}.cluster.example.com`]]],
    },
  };
}

/** A slightly wider port (4 external_ids, 2 options), the row of the framing bench. */
export function widePortRow(i: number): Operation {
  const ns = `namespace-${i % 97}`;
  const pod = `virt-launcher-vm-${i}-${(i * 7919).toString(36)}`;
  return {
    op: "insert",
    table: "Logical_Switch_Port",
    "uuid-name": `lsp${i}`,
    row: {
      name: `${ns}_${pod}`,
      addresses: ["set", [`${mac(i)} ${ip(i)}`]],
      port_security: ["set", [`${mac(i)} ${ip(i)}/14`]],
      external_ids: ["map", [["pod", "true"], ["namespace", ns], ["k8s.ovn.org/nad", "default"], ["vm", `vm-${i}`]]],
      options: ["map", [["requested-chassis", `node-${i % 50}.cluster.example.com`], ["iface-id-ver", `${(i * 2654435761) % 4294967296}`]]],
    },
  };
}

/** Inserts `rows` ports (made by `row`) into the NB database of `server`. */
export async function populateLsps(server: OvsdbServer, rows: number, row: (i: number) => Operation = vmPortRow): Promise<void> {
  const client = await OvsdbClient.connect(server.unixRemote);
  try {
    for (let start = 0; start < rows; start += BATCH) {
      const ops: Operation[] = [];
      const names = [];
      for (let i = start; i < Math.min(rows, start + BATCH); i++) {
        ops.push(row(i));
        names.push(namedUuid(`lsp${i}`).toJSON());
      }
      ops.push({ op: "insert", table: "Logical_Switch", row: { name: `ls-${start / BATCH}`, ports: ["set", names] } });
      await client.transact("OVN_Northbound", ops, { validate: false });
    }
  } finally {
    await client.close();
  }
}

/** Starts a real NB ovsdb-server and fills it with `rows` ports; the caller stops it. */
export async function startLspNb(rows: number, row: (i: number) => Operation = vmPortRow): Promise<OvsdbServer> {
  const server = await startOvsdbServer({ schema: "nb" });
  try {
    await populateLsps(server, rows, row);
    return server;
  } catch (e) {
    await server.stop({ removeDir: true });
    throw e;
  }
}
