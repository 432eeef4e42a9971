import type { DestinationRule } from '../../lib/domain/destination-rule.ts';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';
import type { ClusterReader } from '../../lib/ports/cluster-reader.ts';
import { TrafficTargetNotFoundError } from '../../lib/ports/errors.ts';
import type { VirtualServiceRef } from '../../lib/ports/traffic-router.ts';
import { FakeTrafficRouter } from './fake-traffic-router.ts';

/** Clusters in memory: VirtualServices (in a FakeTrafficRouter) and DestinationRules. */
export class FakeClusterReader implements ClusterReader {
  readonly router = new FakeTrafficRouter();
  private readonly rules: { cluster: string; rule: DestinationRule }[] = [];
  /** Thrown by every read, as an apiserver that does not answer would. */
  failure?: Error;

  constructor(private readonly names: string[] = ['sandbox']) {}

  clusters(): string[] {
    return [...this.names];
  }

  putVirtualService(cluster: string, vs: VirtualService): void {
    this.router.put(cluster, vs);
  }

  putDestinationRule(cluster: string, rule: DestinationRule): void {
    this.rules.push({ cluster, rule: structuredClone(rule) });
  }

  async getVirtualService(ref: VirtualServiceRef): Promise<VirtualService> {
    if (this.failure) throw this.failure;
    return this.router.getVirtualService(ref);
  }

  async listDestinationRules(cluster: string, namespace: string): Promise<DestinationRule[]> {
    if (this.failure) throw this.failure;
    if (!this.names.includes(cluster))
      throw new TrafficTargetNotFoundError(`no cluster ${cluster}`);
    return this.rules
      .filter(
        (r) => r.cluster === cluster && (r.rule.metadata.namespace ?? 'default') === namespace,
      )
      .map((r) => structuredClone(r.rule));
  }
}
