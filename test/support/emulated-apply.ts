import { expect, inject } from 'vitest';
import { createDynamoRolloutStore } from '../../lib/adapters/dynamodb/index.ts';
import {
  createKubernetesClusterReader,
  createKubernetesTrafficRouter,
  type KubeConfig,
  loadKubeConfig,
} from '../../lib/adapters/kubernetes/index.ts';
import type { ApplyDeps } from '../../lib/app/apply-decision.ts';
import { createTable, localDynamoClients } from '../../sandbox/dynamodb-local.ts';
import type { KubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import { FakeEventBus } from '../fakes/fake-event-bus.ts';

/**
 * shift-traffic's dependencies on the real adapters: a new table in the run's DynamoDB Local,
 * the Kubernetes API emulator as cluster `sandbox`, and a bus that keeps what was published.
 */
export const emulatedApplyDeps = async (
  emulator: KubeEmulator | undefined,
  options: {
    table: string;
    timeoutMs: number;
    /** Instead of the emulator as cluster `sandbox`: several clusters, each by its name. */
    kubeConfigs?: Record<string, KubeConfig>;
  },
): Promise<{ deps: ApplyDeps; bus: FakeEventBus }> => {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `${options.table}-${Date.now()}`;
  await createTable({ endpoint, tableName });
  const bus = new FakeEventBus();
  let ids = 0;
  const kubeConfigs = options.kubeConfigs ?? {
    sandbox: loadKubeConfig({
      kubeconfigPath: (emulator ?? expect.fail('give an emulator or kubeConfigs')).kubeconfigPath,
      context: 'sandbox',
    }),
  };
  const deps: ApplyDeps = {
    store: createDynamoRolloutStore({ client: localDynamoClients(endpoint).dynamo, tableName }),
    bus,
    now: () => new Date(),
    newId: () => `decision-${++ids}`,
    router: createKubernetesTrafficRouter({ kubeConfigs, timeoutMs: options.timeoutMs }),
    rules: createKubernetesClusterReader({ kubeConfigs, timeoutMs: options.timeoutMs }),
  };
  return { deps, bus };
};
