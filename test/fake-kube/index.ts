// The in-process fake Kubernetes API server shared by the suites (see DOMAIN.md: "Fake Kubernetes API server").
export { FakeKubeApiServer } from "./server.js";
export type { FakeKubeApiServerOptions, RequestRecord } from "./server.js";
export { ObjectStore } from "./store.js";
export type { WatchEntry, WatchEventType, PatchType, StoreOptions } from "./store.js";
export { Faults, WRITE_VERBS } from "./faults.js";
export type { Verb, InjectedError } from "./faults.js";
export { KubeStatusError } from "./errors.js";
export type { Status, StatusReason } from "./errors.js";
export * from "./resources.js";
export { parseLabelSelector, matchesLabels, parseFieldSelector, matchesFields } from "./selectors.js";
export { applyJsonPatch, applyMergePatch, parseJsonPatch } from "./patch.js";
export { kubeconfigYaml } from "./kubeconfig.js";
export { WatchSession } from "./watch.js";
