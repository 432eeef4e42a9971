export { type EksKubeConfigOptions, eksKubeConfig } from './eks-kube-config.ts';
export {
  createEksTokenProvider,
  type EksCredentials,
  type EksTokenProvider,
  type EksTokenProviderOptions,
} from './eks-token.ts';
export {
  defaultKubeConfigPath,
  type KubeConfig,
  KubeConfigError,
  type KubeConfigFile,
  type LoadKubeConfigOptions,
  loadKubeConfig,
  readKubeConfigFile,
} from './kube-config.ts';
export { KubeApiError } from './kube-http.ts';
export {
  createKubernetesClusterReader,
  type KubernetesClusterReaderOptions,
} from './kubernetes-cluster-reader.ts';
export {
  createKubernetesTrafficRouter,
  type KubernetesTrafficRouterOptions,
} from './kubernetes-traffic-router.ts';
