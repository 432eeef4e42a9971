export {
  CrdFolderError,
  type KubeEmulator,
  type StartKubeEmulatorOptions,
  startKubeEmulator,
} from './emulator.ts';
export type { FaultSpec } from './faults.ts';
export { SANDBOX_CONTEXT } from './kubeconfig.ts';
