/** Kubeconfig files for a test cluster, readable by kubectl and @kubernetes/client-node. */
import { writeFile } from 'node:fs/promises';
import { dump } from 'js-yaml';

export interface KubeconfigUser {
  name: string;
  token: string;
  context: string;
  namespace?: string;
}

export function kubeconfigYaml(
  server: string,
  caPem: string | undefined,
  users: KubeconfigUser[],
  current: string,
): string {
  const cluster: Record<string, unknown> = { server };
  if (caPem) cluster['certificate-authority-data'] = Buffer.from(caPem).toString('base64');
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kube-test', cluster }],
    contexts: users.map(u => ({
      name: u.context,
      context: {
        cluster: 'kube-test',
        user: u.name,
        ...(u.namespace ? { namespace: u.namespace } : {}),
      },
    })),
    'current-context': current,
    users: users
      .filter((u, i) => users.findIndex(v => v.name === u.name) === i)
      .map(u => ({ name: u.name, user: { token: u.token } })),
    preferences: {},
  };
  return dump(doc, { lineWidth: -1 });
}

export async function writeKubeconfigFile(path: string, yaml: string): Promise<void> {
  await writeFile(path, yaml, { mode: 0o600 });
}
