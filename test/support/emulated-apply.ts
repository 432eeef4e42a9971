import { inject } from 'vitest';
import { createDynamoRolloutStore } from '../../lib/adapters/dynamodb/index.ts';
import {
  createKubernetesClusterReader,
  createKubernetesTrafficRouter,
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
  emulator: KubeEmulator,
  options: { table: string; timeoutMs: number },
): Promise<{ deps: ApplyDeps; bus: FakeEventBus }> => {
  const endpoint = inject('dynamoEndpoint');
  const tableName = `${options.table}-${Date.now()}`;
  await createTable({ endpoint, tableName });
  const bus = new FakeEventBus();
  let ids = 0;
  const kubeConfigs = {
    sandbox: loadKubeConfig({ kubeconfigPath: emulator.kubeconfigPath, context: 'sandbox' }),
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
