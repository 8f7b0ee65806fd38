/**
 * monitor / monitor_cond / monitor_cond_since as a cold Observable of TYPED row events: subscribing sends the
 * monitor request (the initial rows arrive as "initial" events, then insert / modify / delete as they happen),
 * unsubscribing sends monitor_cancel. The Observable errors when the monitor fails (request refused, client
 * closed, unrecoverable inconsistency). For condition changes, lookups and resync, use a Monitor directly.
 */
import { Observable } from "rxjs";
import type { RowEventOf } from "../cache/row-event.js";
import type { TypedRow } from "../protocol/datum.js";
import type { DatabaseSchema } from "../protocol/schema.js";
import type { RowShape, TableModel } from "../model/table-model.js";
import { Monitor, type MonitorClient, type MonitorOptions } from "./monitor.js";

/** The TYPED row types of a set of table models: `RowsOf<typeof db.tables>` -> {Logical_Switch_Port: ...}. */
export type RowsOf<Models> = {
  [K in keyof Models]: Models[K] extends TableModel<infer Row extends RowShape, infer _I, infer _U> ? Row : TypedRow;
};

export function monitorRows<Tables = Record<string, TypedRow>>(
  client: MonitorClient,
  schema: DatabaseSchema,
  options: MonitorOptions<NoInfer<Tables>>,
): Observable<RowEventOf<Tables>> {
  return new Observable<RowEventOf<Tables>>((subscriber) => {
    const monitor = new Monitor<Tables>(client, schema, options);
    const events = monitor.changes$.subscribe(subscriber);
    const status = monitor.status$.subscribe((s) => {
      if (s.state === "failed") subscriber.error(s.error);
    });
    monitor.start().catch((e: unknown) => subscriber.error(e));
    return () => {
      events.unsubscribe();
      status.unsubscribe();
      void monitor.cancel().catch(() => undefined);
    };
  });
}
