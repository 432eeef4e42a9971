import fastJsonPatch from 'fast-json-patch';
import type { JsonPatchOperation, VirtualService } from '../../lib/domain/virtual-service.ts';
import { TrafficConflictError, TrafficTargetNotFoundError } from '../../lib/ports/errors.ts';
import type { TrafficRouter, VirtualServiceRef } from '../../lib/ports/traffic-router.ts';

const keyOf = (ref: VirtualServiceRef): string => `${ref.cluster}/${ref.namespace}/${ref.name}`;

/** VirtualServices in memory, patched with real RFC 6902 semantics and a resourceVersion guard. */
export class FakeTrafficRouter implements TrafficRouter {
  private readonly objects = new Map<string, VirtualService>();
  private version = 1;
  readonly patches: { ref: VirtualServiceRef; ops: JsonPatchOperation[] }[] = [];
  /** Called before each patch; lets a test change the object underneath. */
  beforePatch?: () => void;

  put(cluster: string, vs: VirtualService): void {
    const copy = structuredClone(vs);
    copy.metadata.resourceVersion = String(this.version++);
    this.objects.set(
      keyOf({ cluster, namespace: vs.metadata.namespace ?? 'default', name: vs.metadata.name }),
      copy,
    );
  }

  read(ref: VirtualServiceRef): VirtualService | undefined {
    const found = this.objects.get(keyOf(ref));
    return found && structuredClone(found);
  }

  async getVirtualService(ref: VirtualServiceRef): Promise<VirtualService> {
    const found = this.read(ref);
    if (!found) throw new TrafficTargetNotFoundError(`virtualservice ${ref.name} not found`);
    return found;
  }

  async patchVirtualService(
    ref: VirtualServiceRef,
    expected: string,
    ops: JsonPatchOperation[],
  ): Promise<VirtualService> {
    this.beforePatch?.();
    const current = await this.getVirtualService(ref);
    const guarded = [
      { op: 'test' as const, path: '/metadata/resourceVersion', value: expected },
      ...ops,
    ];
    try {
      const { newDocument } = fastJsonPatch.applyPatch(
        current,
        guarded as fastJsonPatch.Operation[],
        true,
        false,
      );
      newDocument.metadata.resourceVersion = String(this.version++);
      this.objects.set(keyOf(ref), newDocument);
      this.patches.push({ ref, ops });
      return structuredClone(newDocument);
    } catch (error) {
      throw new TrafficConflictError(`patch of ${ref.name} failed its test`, { cause: error });
    }
  }
}
