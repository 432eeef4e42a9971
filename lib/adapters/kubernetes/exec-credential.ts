import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KubeConfigError } from './kube-config.ts';

const run = promisify(execFile);

/** A kubeconfig user's `exec` entry (client.authentication.k8s.io), as kubectl runs it. */
export interface ExecPlugin {
  command: string;
  args?: string[];
  env?: { name: string; value: string }[];
  apiVersion?: string;
}

/** A token is asked for again this long before the plugin says it expires. */
const EARLY_MS = 60_000;
const TIMEOUT_MS = 30_000;

/**
 * The bearer token of an exec credential plugin (`aws eks get-token`, `gke-gcloud-auth-plugin`,
 * kubelogin): the command is run, non-interactively, and its ExecCredential's `status.token`
 * kept until shortly before `status.expirationTimestamp` (for ever without one). Plugins that
 * answer with a client certificate instead are refused. In Lambda there is normally no such
 * command: list EKS clusters in KANARI_EKS_CLUSTERS there.
 */
export const execCredentialToken = (plugin: ExecPlugin, where: string): (() => Promise<string>) => {
  let cached: { token: string; until: number } | undefined;
  return async () => {
    if (cached && Date.now() < cached.until) return cached.token;
    const env = {
      ...process.env,
      ...Object.fromEntries((plugin.env ?? []).map(({ name, value }) => [name, value])),
      KUBERNETES_EXEC_INFO: JSON.stringify({
        apiVersion: plugin.apiVersion ?? 'client.authentication.k8s.io/v1beta1',
        kind: 'ExecCredential',
        spec: { interactive: false },
      }),
    };
    let stdout: string;
    try {
      ({ stdout } = await run(plugin.command, plugin.args ?? [], { env, timeout: TIMEOUT_MS }));
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new KubeConfigError(`${where}: its exec plugin ${plugin.command} failed: ${reason}`, {
        cause: error,
      });
    }
    let status: { token?: unknown; expirationTimestamp?: unknown } | undefined;
    try {
      status = (JSON.parse(stdout) as { status?: typeof status }).status;
    } catch (error) {
      throw new KubeConfigError(
        `${where}: its exec plugin ${plugin.command} printed no ExecCredential`,
        { cause: error },
      );
    }
    if (typeof status?.token !== 'string' || status.token === '')
      throw new KubeConfigError(
        `${where}: its exec plugin ${plugin.command} gave no token (a client certificate from a plugin is not supported)`,
      );
    const expires =
      typeof status.expirationTimestamp === 'string' ? Date.parse(status.expirationTimestamp) : NaN;
    cached = {
      token: status.token,
      until: Number.isFinite(expires) ? expires - EARLY_MS : Number.POSITIVE_INFINITY,
    };
    return status.token;
  };
};
