import type { EksEndpoint } from './eks-cluster.ts';
import type { EksTokenProvider } from './eks-token.ts';
import type { KubeConfig } from './kube-config.ts';

export interface EksKubeConfigOptions {
  /** The kanari cluster name; also names the kubeconfig's cluster, user and context. */
  name: string;
  /** The cluster's API endpoint, `https://...`, and its CA certificate (base64 of the PEM, as
   * EKS reports it); or, when either is unknown, where to look both up (eks:DescribeCluster). */
  endpoint: { server: string; caData: string } | { lookup: () => Promise<EksEndpoint> };
  /** Called before every request; it caches, so this is cheap. */
  tokenProvider: EksTokenProvider;
}

/**
 * How to reach one EKS cluster. The token provider is asked before every request, so a token
 * minted in process (IAM, presigned STS) is refreshed without rebuilding the client.
 */
export function eksKubeConfig(opts: EksKubeConfigOptions): KubeConfig {
  const { endpoint } = opts;
  return 'lookup' in endpoint
    ? { name: opts.name, server: '', lookup: endpoint.lookup, token: opts.tokenProvider }
    : {
        name: opts.name,
        server: endpoint.server,
        ca: Buffer.from(endpoint.caData, 'base64'),
        token: opts.tokenProvider,
      };
}
