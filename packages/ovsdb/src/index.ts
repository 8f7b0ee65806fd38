// Public API of @ovnkit/ovsdb. Explicit list: add exports here as modules land.
export * from "./protocol/errors.js";
export * from "./protocol/notation.js";
export * from "./protocol/schema.js";
export * from "./protocol/operations.js";
export * from "./protocol/rpc-error.js";
export * from "./protocol/transaction-error.js";
export * from "./protocol/results.js";
export * from "./protocol/datum.js";
export * from "./protocol/conditions.js";
export * from "./protocol/mutations.js";
// Typed models (the runtime of generated code) and the schema code generator.
export * from "./model/uuid-ref.js";
export * from "./model/value-types.js";
export * from "./model/conditions.js";
export * from "./model/mutations.js";
export * from "./model/table-model.js";
export * from "./model/database-model.js";
export { generateModels, generatedHeader } from "./codegen/generate.js";
export type { GenerateOptions } from "./codegen/generate.js";
export * from "./protocol/validate.js";
// Wire client: framing, exact JSON, JSON-RPC 1.0, transports, OvsdbClient.
export { Framer, DEFAULT_MAX_FRAME_BYTES, LONG_DIGIT_RUN } from "./rpc/framer.js";
export type { FramerOptions, FrameHandler } from "./rpc/framer.js";
export { decodeFrame, parseJson, parseJsonExact, stringifyJson } from "./rpc/json.js";
export type { JsonValue } from "./rpc/json.js";
export { JsonRpcConnection, captureCallSite, withCallSite } from "./rpc/jsonrpc.js";
export type { JsonRpcHandlers, JsonRpcOptions, CallOptions, RequestId } from "./rpc/jsonrpc.js";
export { parseNotification } from "./rpc/methods.js";
export type {
  MonitorId, MonitorSelect, MonitorRequest, MonitorCondRequest, MonitorRequests, MonitorCondRequests,
  MonitorCondChangeRequests, MonitorCondSinceResult, OvsdbNotification,
} from "./rpc/methods.js";
export type { Transport, TransportHandlers, DialOptions } from "./transport/transport.js";
export { parseRemote, parseRemotes, formatRemote, dial, DEFAULT_OVSDB_PORT } from "./transport/remote.js";
export type { Remote, ConnectTransportOptions } from "./transport/remote.js";
export type { TlsOptions } from "./transport/tls.js";
export { OvsdbClient } from "./client/client.js";
export type { OvsdbClientOptions, RequestOptions, TransactOptions, SchemaReply } from "./client/client.js";
export { StatusTracker } from "./client/status.js";
export type { ClientStatus, ClientState } from "./client/status.js";
// Monitor updates (update/update2/update3), replica cache, monitor streams.
export * from "./protocol/updates.js";
export { TableCache } from "./cache/table-cache.js";
export type { IndexView } from "./cache/table-cache.js";
export { RowIndex, schemaIndexSpecs } from "./cache/indexes.js";
export type { IndexSpec, IndexPart, IndexKey } from "./cache/indexes.js";
export { Replica } from "./cache/replica.js";
export type { ReplicaTableOptions, ReplicaTables, ApplyOptions, ResyncOptions } from "./cache/replica.js";
export type { RowEvent, RowAdded, RowModified, RowDeleted, RowEventOf, ChangeBatch, ChangeBatchKind } from "./cache/row-event.js";
export { wireValueEquals, wireRowEquals } from "./cache/row-equality.js";
export { changesFromFullDump } from "./cache/resync.js";
export type { UpdatesFormat } from "./cache/resync.js";
export { Monitor } from "./monitor/monitor.js";
export type { MonitorClient, MonitorStatus, MonitorOptions } from "./monitor/monitor.js";
export type { MonitorMethod, MonitorTableRequest, MonitorTables } from "./monitor/requests.js";
export { monitorRows } from "./monitor/observe.js";
export type { RowsOf } from "./monitor/observe.js";
export { eventQueue } from "./monitor/event-queue.js";
export type { EventQueue, EventQueueOptions } from "./monitor/event-queue.js";
// Connection life: reconnecting session (dial loop, backoff, probe, leader-only, monitor replay).
export { OvsdbSession, connectSession } from "./client/session.js";
export type { OvsdbSessionOptions, SessionTransactOptions } from "./client/session.js";
export type { SessionStatus, SessionState, ResyncSummary } from "./client/session-status.js";
export { ReconnectPolicy, backoffDelay, systemReconnectClock } from "./client/reconnect.js";
export type { BackoffOptions, ReconnectClock, NextAttempt } from "./client/reconnect.js";
export { InactivityProbe, tapTransport, systemProbeTimers } from "./client/probe.js";
export type { ProbeOptions, ProbeTimers, ProbeHooks, ProbeStats } from "./client/probe.js";
export { checkServerDatabase, serverDatabaseFromRow, ServerWatch, SERVER_SCHEMA, SERVER_DATABASE_COLUMNS } from "./client/leader.js";
export type { ServerDatabase, ServerCheckOptions, ServerDatabaseModel } from "./client/leader.js";
export type { SessionLockEvent, SessionLockState } from "./client/session-locks.js";
