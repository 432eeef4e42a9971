import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** Cluster, user and context are all called "sandbox". */
export const SANDBOX_CONTEXT = 'sandbox';

/** Writes a kubeconfig that kubectl and kanari's Kubernetes adapter both load. */
export async function writeKubeconfig(
  dir: string,
  opts: { url: string; token: string; caFile: string },
): Promise<string> {
  const path = join(dir, 'kubeconfig');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: SANDBOX_CONTEXT,
        cluster: { server: opts.url, 'certificate-authority': opts.caFile },
      },
    ],
    users: [{ name: SANDBOX_CONTEXT, user: { token: opts.token } }],
    contexts: [
      {
        name: SANDBOX_CONTEXT,
        context: { cluster: SANDBOX_CONTEXT, user: SANDBOX_CONTEXT, namespace: 'default' },
      },
    ],
    'current-context': SANDBOX_CONTEXT,
    preferences: {},
  };
  await writeFile(path, stringify(config), { mode: 0o600 });
  return path;
}
