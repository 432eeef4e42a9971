import { describe, expect, it } from 'vitest';
import { parseRolloutSpec, rolloutSpecJsonSchema } from '../../lib/schemas/rollout-spec.ts';

const valid = {
  name: 'my-service',
  target: {
    cluster: 'prod-eu',
    namespace: 'shop',
    virtualService: 'my-service',
    primary: { host: 'my-service' },
    canary: { host: 'my-service-v2' },
  },
  analysis: {
    interval: '1m',
    threshold: 5,
    stepWeight: 10,
    maxWeight: 50,
    metrics: [
      { name: 'request-success-rate', thresholdRange: { min: 99 } },
      { name: 'request-duration', thresholdRange: { max: 500 }, interval: '30s' },
      {
        name: 'error-budget',
        query: 'sum(rate(errors{namespace="{{ namespace }}",app="{{ target }}"}[{{ interval }}]))',
        thresholdRange: { max: 1 },
      },
    ],
  },
};

describe('rollout spec schema', () => {
  it('accepts a Flagger-like spec and fills defaults', () => {
    const parsed = parseRolloutSpec(valid);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.spec.analysis.progressDeadline).toBe('10m');
    expect(parsed.spec.analysis.minSampleSize).toBe(10);
  });

  it('accepts subset-level destinations', () => {
    const spec = {
      ...valid,
      target: {
        ...valid.target,
        primary: { host: 'reviews', subset: 'v1' },
        canary: { host: 'reviews', subset: 'v2' },
      },
    };
    expect(parseRolloutSpec(spec).ok).toBe(true);
  });

  it('names the path of every bad field', () => {
    const parsed = parseRolloutSpec({
      ...valid,
      target: { ...valid.target, namespace: 'Shop_1', primary: {} },
      analysis: {
        ...valid.analysis,
        interval: 'soon',
        threshold: 0,
        metrics: [
          { name: 'request-success-rate', thresholdRange: {} },
          { name: 'custom', thresholdRange: { min: 1 } },
        ],
        extra: true,
      },
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const paths = parsed.problems.map((problem) => problem.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'target.namespace',
        'target.primary.host',
        'analysis.interval',
        'analysis.threshold',
        'analysis.metrics[0].thresholdRange',
        'analysis.metrics[1].query',
        'analysis',
      ]),
    );
    expect(parsed.problems.find((p) => p.path === 'analysis')?.message).toMatch(/extra/);
  });

  it('refuses stepWeights together with stepWeight, and weights that do not rise', () => {
    const both = parseRolloutSpec({
      ...valid,
      analysis: { ...valid.analysis, stepWeights: [10, 20] },
    });
    expect(both.ok || both.problems.map((p) => p.path)).toContain('analysis.stepWeights');
    const falling = parseRolloutSpec({
      ...valid,
      analysis: {
        ...valid.analysis,
        stepWeight: undefined,
        maxWeight: undefined,
        stepWeights: [10, 10],
      },
    });
    expect(falling.ok || falling.problems).toEqual([
      { path: 'analysis.stepWeights[1]', message: 'must be greater than the previous weight' },
    ]);
  });

  it('takes no property every object has for a built-in metric (constructor, toString)', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const parsed = parseRolloutSpec({
        ...valid,
        analysis: { ...valid.analysis, metrics: [{ name, thresholdRange: { min: 1 } }] },
      });
      expect(parsed.ok, name).toBe(false);
      if (!parsed.ok) expect(parsed.problems[0]?.path).toBe('analysis.metrics[0].query');
    }
  });

  it('refuses template variables it does not know', () => {
    const parsed = parseRolloutSpec({
      ...valid,
      analysis: {
        ...valid.analysis,
        metrics: [{ name: 'x', query: 'up{pod="{{ pod }}"}', thresholdRange: { min: 1 } }],
      },
    });
    expect(parsed.ok || parsed.problems[0]).toEqual({
      path: 'analysis.metrics[0].query',
      message: 'unknown template variable {{ pod }}; known: namespace, target, interval',
    });
  });

  it('takes onDrift pause or reapply, leaves it absent (pause) by default, and names a bad one', () => {
    const base = parseRolloutSpec(valid);
    expect(base.ok && base.spec.onDrift).toBeUndefined();
    const reapply = parseRolloutSpec({ ...valid, onDrift: 'reapply' });
    expect(reapply.ok && reapply.spec.onDrift).toBe('reapply');
    const bad = parseRolloutSpec({ ...valid, onDrift: 'ignore' });
    expect(bad.ok || bad.problems.map((p) => p.path)).toEqual(['onDrift']);
  });

  it('exports a JSON Schema that describes the fields', () => {
    const schema = rolloutSpecJsonSchema() as {
      properties: Record<string, { properties?: Record<string, unknown> }>;
    };
    expect(Object.keys(schema.properties)).toEqual([
      'name',
      'target',
      'analysis',
      'alerts',
      'onDrift',
    ]);
    expect(schema.properties.onDrift).toMatchObject({ enum: ['pause', 'reapply'] });
    expect(Object.keys(schema.properties.analysis?.properties ?? {})).toContain('stepWeights');
  });
});
