import { KubeConfig, type User } from '@kubernetes/client-node';
import type { EksTokenProvider } from './eks-token.ts';

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

// client-node 1.4 does not export its Authenticator interface.
type Authenticator = Parameters<KubeConfig['addAuthenticator']>[0];

// An auth-provider name none of client-node's built-in authenticators claims.
const AUTH_PROVIDER = 'kanari-eks-token';

/**
 * A KubeConfig for one EKS cluster. client-node asks its authenticators for headers on every
 * request (applySecurityAuthentication → applyAuthorizationHeader), so a custom authenticator
 * hands out a fresh token without rebuilding clients; a static `user.token` would go stale.
 */
export function eksKubeConfig(opts: EksKubeConfigOptions): KubeConfig {
  const kc = new KubeConfig();
  const authenticator: Authenticator = {
    isAuthProvider: (user: User) => user.authProvider?.name === AUTH_PROVIDER,
    applyAuthentication: async (_user, requestOptions) => {
      const token = await opts.tokenProvider();
      requestOptions.headers = { ...requestOptions.headers, Authorization: `Bearer ${token}` };
    },
  };
  kc.addAuthenticator(authenticator);
  kc.loadFromOptions({
    clusters: [{ name: opts.name, server: opts.server, caData: opts.caData, skipTLSVerify: false }],
    users: [{ name: opts.name, authProvider: { name: AUTH_PROVIDER, config: {} } }],
    contexts: [{ name: opts.name, cluster: opts.name, user: opts.name }],
    currentContext: opts.name,
  });
  return kc;
}
