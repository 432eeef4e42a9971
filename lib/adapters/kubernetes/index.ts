export { type EksKubeConfigOptions, eksKubeConfig } from './eks-kube-config.ts';
export {
  createEksTokenProvider,
  type EksCredentials,
  type EksTokenProvider,
  type EksTokenProviderOptions,
} from './eks-token.ts';
export { type LoadKubeConfigOptions, loadKubeConfig } from './kube-config.ts';
export {
  createKubernetesClusterReader,
  type KubernetesClusterReaderOptions,
} from './kubernetes-cluster-reader.ts';
export {
  createKubernetesTrafficRouter,
  type KubernetesTrafficRouterOptions,
} from './kubernetes-traffic-router.ts';
