export { type LoadKubeConfigOptions, loadKubeConfig } from './kube-config.ts';
export {
  createKubernetesTrafficRouter,
  type KubernetesTrafficRouterOptions,
} from './kubernetes-traffic-router.ts';
