import fastJsonPatch from 'fast-json-patch';
import { describe, expect, it } from 'vitest';
import type { RolloutTarget } from '../../lib/domain/rollout-spec.ts';
import {
  annotationPatch,
  currentWeights,
  progressPatch,
  rollbackPatch,
  VirtualServiceShapeError,
} from '../../lib/domain/routes.ts';
import type { JsonPatchOperation, VirtualService } from '../../lib/domain/virtual-service.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';

const target = seedSpec().target;
const apply = (vs: VirtualService, ops: JsonPatchOperation[]): VirtualService =>
  fastJsonPatch.applyPatch(structuredClone(vs), ops as fastJsonPatch.Operation[], true, false)
    .newDocument;
const weightsOf = (vs: VirtualService, route: number) =>
  vs.spec.http?.[route]?.route?.map((r) => r.weight);

describe('progress patch', () => {
  it('moves only the managed route, keeping weights at 100 in total', () => {
    const seed = seedVirtualService();
    const moved = apply(seed, progressPatch(seed, target, 30));
    expect(weightsOf(moved, 0)).toEqual([70, 30]);
    const { http: _movedHttp, ...movedRest } = moved.spec;
    const { http: _seedHttp, ...seedRest } = seed.spec;
    expect(movedRest).toEqual(seedRest);
    expect(moved.spec.http?.[1]).toEqual(seed.spec.http?.[1]);
    expect(moved.metadata).toEqual(seed.metadata);
    expect({ ...moved.spec.http?.[0], route: undefined }).toEqual({
      ...seed.spec.http?.[0],
      route: undefined,
    });
    expect(currentWeights(moved, target)).toEqual({ primary: 70, canary: 30 });
  });

  it('guards each weight with a test of its current value', () => {
    const ops = progressPatch(seedVirtualService(), target, 10);
    expect(ops).toEqual([
      { op: 'test', path: '/spec/http/0/route/0/weight', value: 100 },
      { op: 'replace', path: '/spec/http/0/route/0/weight', value: 90 },
      { op: 'test', path: '/spec/http/0/route/1/weight', value: 0 },
      { op: 'replace', path: '/spec/http/0/route/1/weight', value: 10 },
    ]);
    const changed = seedVirtualService();
    (changed.spec.http?.[0]?.route?.[0] as { weight: number }).weight = 50;
    expect(() => apply(changed, ops)).toThrow();
  });

  it('finds the managed route by name or index', () => {
    const vs = seedVirtualService();
    (vs.spec.http?.[1] as { name?: string }).name = 'v2-preview';
    const byName = apply(vs, progressPatch(vs, { ...target, route: 'v2-preview' }, 20));
    expect(weightsOf(byName, 1)).toEqual([20, 80]);
    expect(weightsOf(byName, 0)).toEqual([100, 0]);
    const byIndex = apply(vs, progressPatch(vs, { ...target, route: 1 }, 20));
    expect(weightsOf(byIndex, 1)).toEqual([20, 80]);
  });

  it('works at subset level, one host with v1 and v2 subsets', () => {
    const subsetTarget: RolloutTarget = {
      ...target,
      primary: { host: 'reviews', subset: 'v1' },
      canary: { host: 'reviews', subset: 'v2' },
    };
    const vs: VirtualService = {
      ...seedVirtualService(),
      spec: {
        hosts: ['reviews'],
        http: [
          {
            route: [
              { destination: { host: 'reviews', subset: 'v1' }, weight: 100 },
              { destination: { host: 'reviews', subset: 'v2' }, weight: 0 },
            ],
          },
        ],
      },
    };
    expect(weightsOf(apply(vs, progressPatch(vs, subsetTarget, 40)), 0)).toEqual([60, 40]);
  });

  it('refuses a VirtualService without the destinations, naming what is missing', () => {
    const vs = seedVirtualService();
    expect(() => progressPatch(vs, { ...target, canary: { host: 'other' } }, 10)).toThrow(
      VirtualServiceShapeError,
    );
    expect(() => progressPatch(vs, { ...target, route: 'nope' }, 10)).toThrow(
      /no http route "nope"/,
    );
    expect(() =>
      progressPatch(vs, { ...target, route: 1, canary: { host: 'my-service-v3' } }, 10),
    ).toThrow(/has no destination my-service-v3/);
  });

  it('refuses weights outside 0..100', () => {
    expect(() => progressPatch(seedVirtualService(), target, 101)).toThrow(RangeError);
    expect(() => progressPatch(seedVirtualService(), target, 12.5)).toThrow(RangeError);
  });
});

describe('rollback patch', () => {
  it('sends every route that reaches the canary to the primary, the /v2 prefix route included', () => {
    const seed = seedVirtualService();
    const progressed = apply(seed, progressPatch(seed, target, 40));
    const rolledBack = apply(progressed, rollbackPatch(progressed, target));
    expect(weightsOf(rolledBack, 0)).toEqual([100, 0]);
    expect(rolledBack.spec.http?.[1]?.route).toEqual([
      { destination: { host: 'my-service-v2', port: { number: 80 } }, weight: 0 },
      { destination: { host: 'my-service', port: { number: 80 } }, weight: 100 },
    ]);
    expect(rolledBack.spec.http?.[1]?.match).toEqual(seed.spec.http?.[1]?.match);
    expect(rolledBack.spec.hosts).toEqual(seed.spec.hosts);
  });

  it('points a route that holds the canary alone at the primary, keeping its port', () => {
    const vs = seedVirtualService();
    vs.spec.http?.push({
      match: [{ uri: { prefix: '/beta' } }],
      route: [{ destination: { host: 'my-service-v2', port: { number: 8080 } } }],
    });
    const rolledBack = apply(vs, rollbackPatch(vs, target));
    expect(rolledBack.spec.http?.[2]?.route).toEqual([
      { destination: { host: 'my-service', port: { number: 8080 } } },
    ]);
  });

  it('is empty when no route sends traffic to the canary', () => {
    const vs = seedVirtualService();
    vs.spec.http = vs.spec.http?.slice(0, 1);
    expect(rollbackPatch(vs, target)).toEqual([]);
  });
});

describe('annotation patch', () => {
  const rollout = { id: 'sandbox/default/my-service', revision: 2 };
  const annotated = {
    'kanari.dev/rollout': 'sandbox/default/my-service',
    'kanari.dev/revision': '2',
  };

  it('adds the whole map when there are no annotations; with the weights, it is the one metadata change', () => {
    const seed = seedVirtualService();
    const ops = annotationPatch(seed, rollout);
    expect(ops).toEqual([{ op: 'add', path: '/metadata/annotations', value: annotated }]);
    const moved = apply(seed, [...progressPatch(seed, target, 10), ...ops]);
    expect(moved.metadata).toEqual({ ...seed.metadata, annotations: annotated });
    expect(moved.spec.http?.[1]).toEqual(seed.spec.http?.[1]);
    expect({ ...moved.spec, http: undefined }).toEqual({ ...seed.spec, http: undefined });
  });

  it('keeps other annotations, escaping the "/" in its keys', () => {
    const vs = seedVirtualService();
    vs.metadata.annotations = { 'team.example/owner': 'payments' };
    const ops = annotationPatch(vs, rollout);
    expect(ops.map((op) => op.path)).toEqual([
      '/metadata/annotations/kanari.dev~1rollout',
      '/metadata/annotations/kanari.dev~1revision',
    ]);
    expect(apply(vs, ops).metadata.annotations).toEqual({
      'team.example/owner': 'payments',
      ...annotated,
    });
  });

  it('moves the revision on, and asks nothing when the annotations are already in place', () => {
    const vs = seedVirtualService();
    vs.metadata.annotations = { ...annotated, 'kanari.dev/revision': '1' };
    expect(annotationPatch(vs, rollout)).toEqual([
      { op: 'add', path: '/metadata/annotations/kanari.dev~1revision', value: '2' },
    ]);
    expect(annotationPatch(apply(vs, annotationPatch(vs, rollout)), rollout)).toEqual([]);
  });
});
