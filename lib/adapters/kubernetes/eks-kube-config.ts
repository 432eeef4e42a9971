import type { EksTokenProvider } from './eks-token.ts';
import type { KubeConfig } from './kube-config.ts';

export interface EksKubeConfigOptions {
  /** The kanari cluster name; also names the kubeconfig's cluster, user and context. */
  name: string;
  /** The cluster's API endpoint, `https://...`. */
  server: string;
  /** The cluster's CA certificate: base64 of the PEM, as EKS reports it. */
  caData: string;
  /** Called before every request; it caches, so this is cheap. */
  tokenProvider: EksTokenProvider;
}

/**
 * How to reach one EKS cluster. The token provider is asked before every request, so a token
 * minted in process (IAM, presigned STS) is refreshed without rebuilding the client.
 */
export function eksKubeConfig(opts: EksKubeConfigOptions): KubeConfig {
  return {
    name: opts.name,
    server: opts.server,
    ca: Buffer.from(opts.caData, 'base64'),
    token: opts.tokenProvider,
  };
}
