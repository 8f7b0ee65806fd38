export { startOvsdbServer, SCHEMAS } from "./ovsdb-server.js";
export type { OvsdbServer, OvsdbServerOptions, SchemaName, SslFiles } from "./ovsdb-server.js";
export { SandboxError, isAlive, pollUntil, stopPid, killPid, run } from "./process.js";
export { startOvsdbCluster, reserveLoopbackPorts } from "./ovsdb-cluster.js";
export type { OvsdbCluster, OvsdbClusterOptions, RaftTransport } from "./ovsdb-cluster.js";
export { startSandbox, stopSandbox, sandboxStatus, Sandbox } from "./sandbox.js";
export type { SandboxOptions, SandboxStatus, StartTimings, StopResult, DaemonStatus } from "./sandbox.js";
export { Chassis } from "./chassis.js";
export { VmPort } from "./vm-port.js";
export type { VmPortOptions, CapturedFrame, PortStats } from "./vm-port.js";
export { Probe } from "./probe.js";
export type { ProbeOptions, ProbeReport } from "./probe.js";
export { analyzeStream } from "./probe-report.js";
export type { StreamReport, Gap, PacketRecord, SentPacket, Delivery, ChassisDeliveries } from "./probe-report.js";
export { UnixctlClient } from "./unixctl.js";
export {
  ETH_TYPE_IPV4, ETH_TYPE_ARP, ETH_TYPE_RARP, IP_PROTO_UDP, ARP_OP_REQUEST, ARP_OP_REPLY, ARP_OP_REVERSE_REQUEST,
  BROADCAST_MAC, SEQUENCE_PAYLOAD_LENGTH, parseMac, formatMac, parseIpv4, formatIpv4, internetChecksum, buildEthernet,
  buildArp, buildRarp, buildUdp, parseFrame, buildSequencePayload, parseSequencePayload,
} from "./frames.js";
export type {
  EthernetFields, ArpFields, UdpFrameFields, ParsedArp, ParsedIpv4, ParsedUdp, ParsedFrame, SequencePayload,
} from "./frames.js";
export { PcapParser, PcapTail, parsePcap, parsePcapHeader, LINKTYPE_ETHERNET } from "./pcap.js";
export type { PcapRecord, PcapHeader } from "./pcap.js";
export { checkPrerequisites, findMissingPrerequisites, INSTALL_COMMAND } from "./prerequisites.js";
export type { MissingPiece } from "./prerequisites.js";
export type { SandboxState } from "./state.js";
export type { CentralDb } from "./central.js";
export type { Underlay, TunnelEndpoint } from "./underlay.js";
export type { Daemon } from "./daemon.js";
export { processesMentioning } from "./process.js";
