import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { ResourceType } from './crds.ts';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

/** RFC 3339 at whole seconds, as metav1.Time serialises. */
export function kubeTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * Storage for every served version of every resource type, as etcd is for the apiserver:
 * one copy per object, one global resourceVersion counter bumped by each write. Objects are
 * stored without a version; readers stamp the apiVersion they asked for (all served versions
 * share one schema, so conversion is the identity, as with `conversion: None`).
 */
export class ObjectStore {
  #objects = new Map<string, KubeObject>();
  #revision = 1;

  /** The latest resourceVersion, as a list reports it. */
  get resourceVersion(): string {
    return String(this.#revision);
  }

  get(type: ResourceType, namespace: string, name: string): KubeObject | undefined {
    const found = this.#objects.get(key(type, namespace, name));
    return found ? structuredClone(found) : undefined;
  }

  /** Objects of `type`, in one namespace or all, in etcd key order. */
  list(type: ResourceType, namespace?: string): KubeObject[] {
    const prefix =
      namespace === undefined ? `${type.group}/${type.plural}/` : key(type, namespace, '');
    return [...this.#objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => structuredClone(o));
  }

  namespaces(): string[] {
    return [...new Set([...this.#objects.values()].map((o) => o.metadata.namespace ?? ''))]
      .filter(Boolean)
      .sort();
  }

  has(type: ResourceType, namespace: string, name: string): boolean {
    return this.#objects.has(key(type, namespace, name));
  }

  /** Stores a new object, assigning uid, creationTimestamp, generation and resourceVersion. */
  create(type: ResourceType, object: KubeObject): KubeObject {
    const { apiVersion: _v, kind: _k, ...rest } = structuredClone(object);
    const stored: KubeObject = {
      ...rest,
      metadata: {
        ...rest.metadata,
        uid: randomUUID(),
        creationTimestamp: kubeTimestamp(new Date()),
        generation: 1,
        resourceVersion: this.#next(),
      },
    };
    delete stored.metadata.deletionTimestamp;
    this.#objects.set(key(type, stored.metadata.namespace ?? '', stored.metadata.name), stored);
    return structuredClone(stored);
  }

  /**
   * Replaces `existing` with `object`, keeping the fields the server owns. Like the apiserver,
   * an update that changes nothing is not written and keeps its resourceVersion; generation
   * moves only when something outside metadata and status changed.
   */
  update(type: ResourceType, existing: KubeObject, object: KubeObject): KubeObject {
    const { apiVersion: _v, kind: _k, ...rest } = structuredClone(object);
    const previous = stripTypeMeta(existing);
    const candidate: KubeObject = {
      ...rest,
      metadata: {
        ...rest.metadata,
        uid: previous.metadata.uid,
        creationTimestamp: previous.metadata.creationTimestamp,
        generation: previous.metadata.generation,
        resourceVersion: previous.metadata.resourceVersion,
      },
    };
    if (isDeepStrictEqual(candidate, previous)) return structuredClone(previous);
    if (!isDeepStrictEqual(withoutMetaAndStatus(candidate), withoutMetaAndStatus(previous))) {
      candidate.metadata.generation = (previous.metadata.generation ?? 0) + 1;
    }
    candidate.metadata.resourceVersion = this.#next();
    this.#objects.set(
      key(type, candidate.metadata.namespace ?? '', candidate.metadata.name),
      candidate,
    );
    return structuredClone(candidate);
  }

  delete(type: ResourceType, namespace: string, name: string): KubeObject | undefined {
    const k = key(type, namespace, name);
    const found = this.#objects.get(k);
    if (!found) return undefined;
    this.#objects.delete(k);
    // The apiserver's delete is itself a write at a new revision.
    return { ...found, metadata: { ...found.metadata, resourceVersion: this.#next() } };
  }

  #next(): string {
    this.#revision += 1;
    return String(this.#revision);
  }
}

function key(type: ResourceType, namespace: string, name: string): string {
  return `${type.group}/${type.plural}/${namespace}/${name}`;
}

function stripTypeMeta(object: KubeObject): KubeObject {
  const { apiVersion: _v, kind: _k, ...rest } = object;
  return rest as KubeObject;
}

function withoutMetaAndStatus(object: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, ...rest } = object;
  return rest;
}

/** The stored object as seen through one served version. */
export function atVersion(type: ResourceType, version: string, object: KubeObject): KubeObject {
  const { apiVersion: _v, kind: _k, ...rest } = object;
  return { apiVersion: `${type.group}/${version}`, kind: type.kind, ...rest };
}
