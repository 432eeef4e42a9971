import { KubeConfig } from '@kubernetes/client-node';

export interface LoadKubeConfigOptions {
  /** A kubeconfig file; without it, client-node's defaults (KUBECONFIG, ~/.kube/config, in-cluster). */
  kubeconfigPath?: string;
  /** A context to select instead of the file's current-context. */
  context?: string;
}

/** Loads a kubeconfig and, if asked, switches to one of its contexts. */
export function loadKubeConfig(opts: LoadKubeConfigOptions = {}): KubeConfig {
  const kc = new KubeConfig();
  if (opts.kubeconfigPath) kc.loadFromFile(opts.kubeconfigPath);
  else kc.loadFromDefault();
  if (opts.context !== undefined) {
    if (!kc.getContextObject(opts.context)) {
      const where = opts.kubeconfigPath ?? 'the default kubeconfig';
      throw new Error(`kubeconfig context "${opts.context}" not found in ${where}`);
    }
    kc.setCurrentContext(opts.context);
  }
  return kc;
}
