/**
 * Kubeconfig for the fake API server. client-node 1.4 refuses a plain http:// server unless the cluster says
 * insecure-skip-tls-verify: true, so the generated config always does.
 */

export function kubeconfigYaml(server: string, options: { namespace?: string; user?: string } = {}): string {
  const user = options.user ?? "fake-user";
  const ns = options.namespace !== undefined ? `\n    namespace: ${options.namespace}` : "";
  return `apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: ${server}
    insecure-skip-tls-verify: true
users:
- name: ${user}
  user:
    token: fake-token
contexts:
- name: fake
  context:
    cluster: fake
    user: ${user}${ns}
current-context: fake
`;
}
