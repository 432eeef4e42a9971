import { afterEach, describe, expect, it } from 'vitest';
import { type MeshSimulator, startMeshSimulator } from '../../sandbox/mesh-simulator.ts';
import { pollUntil } from '../../sandbox/service-process.ts';

const healthy = { errorRate: 0, latencyMedianMs: 20 };
let mesh: MeshSimulator | undefined;

const start = () =>
  startMeshSimulator({
    namespace: 'default',
    primary: { workload: 'my-service', behaviour: healthy },
    canary: { workload: 'my-service-v2', behaviour: healthy },
    requestsPerSecond: 2000,
    readWeights: async () => ({ primary: 50, canary: 50 }),
    tickMs: 10,
  });

const served = (m: MeshSimulator) => {
  const t = m.totals();
  return {
    requests: t.primary.requests + t.canary.requests,
    errors: t.primary.errors + t.canary.errors,
  };
};

afterEach(async () => {
  await mesh?.stop();
  mesh = undefined;
});

describe('mesh simulator timeline', () => {
  it('applies a change due now to both workloads: a shared incident fails every request on both sides', async () => {
    mesh = await start();
    const m = mesh;
    m.play([{ afterMs: 0, primary: { errorRate: 1 }, canary: { errorRate: 1 } }]);
    const before = m.totals();
    expect(
      await pollUntil(
        async () => {
          const t = m.totals();
          return (
            t.primary.requests > before.primary.requests + 50 &&
            t.canary.requests > before.canary.requests + 50
          );
        },
        10_000,
        20,
      ),
    ).toBe(true);
    const after = m.totals();
    for (const side of ['primary', 'canary'] as const)
      expect(after[side].errors - before[side].errors).toBe(
        after[side].requests - before[side].requests,
      );
  });

  it('with zero requests a second serves nothing to either side, and /metrics still answers', async () => {
    mesh = await start();
    const m = mesh;
    expect(await pollUntil(async () => served(m).requests > 0, 10_000, 20)).toBe(true);
    m.play([{ afterMs: 0, requestsPerSecond: 0 }]);
    // A tick already running when play() was called may still serve its share.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = served(m);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(served(m)).toEqual(stopped);
    const text = await (await fetch(m.metricsUrl)).text();
    expect(text).toContain('istio_requests_total{');
  });

  it('resumes traffic at a later change of the plan', async () => {
    mesh = await start();
    const m = mesh;
    m.play([
      { afterMs: 0, requestsPerSecond: 0 },
      { afterMs: 300, requestsPerSecond: 2000 },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const quiet = served(m).requests;
    expect(await pollUntil(async () => served(m).requests > quiet, 10_000, 20)).toBe(true);
  });

  it('refuses a negative or non-finite rate with a RangeError naming the field', async () => {
    mesh = await start();
    expect(() => mesh?.setRequestsPerSecond(-1)).toThrow(/requestsPerSecond/);
    expect(() => mesh?.setRequestsPerSecond(Number.NaN)).toThrow(RangeError);
  });
});
