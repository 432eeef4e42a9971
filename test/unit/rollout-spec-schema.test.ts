import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseRolloutSpec } from '../../lib/schemas/rollout-spec.ts';
import { rolloutSpecJsonSchema } from '../../lib/schemas/rollout-spec-json-schema.ts';

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

  describe('limits every field to what Kubernetes names and DynamoDB keys take', () => {
    const withTarget = (target: Record<string, unknown>) => ({
      ...valid,
      target: { ...valid.target, ...target },
    });
    const hostile = [
      '',
      ' my-service',
      'my\u0000service',
      'a\nb',
      '../etc',
      'a/b',
      'x'.repeat(5000),
    ];
    const fields: [string, (value: string) => unknown][] = [
      ['target.cluster', (v) => withTarget({ cluster: v })],
      ['target.namespace', (v) => withTarget({ namespace: v })],
      ['target.virtualService', (v) => withTarget({ virtualService: v })],
      ['target.primary.host', (v) => withTarget({ primary: { host: v } })],
      ['target.canary.subset', (v) => withTarget({ canary: { host: 'my-service', subset: v } })],
    ];
    for (const [path, spec] of fields) {
      it(`refuses a hostile ${path}, naming it`, () => {
        for (const value of hostile) {
          const parsed = parseRolloutSpec(spec(value));
          expect(parsed.ok, JSON.stringify(value).slice(0, 20)).toBe(false);
          if (!parsed.ok) expect(parsed.problems.map((p) => p.path)).toContain(path);
        }
      });
    }

    it('still takes the names real clusters have', () => {
      for (const cluster of [
        'kind-kanari',
        'prod_eu.1',
        'arn:aws:eks:eu-west-1:123456789012:cluster',
      ]) {
        const parsed = parseRolloutSpec(withTarget({ cluster }));
        expect(parsed.ok || parsed.problems, cluster).toBe(true);
      }
      const wildcard = parseRolloutSpec(
        withTarget({
          primary: { host: 'my-service.shop.svc.cluster.local' },
          canary: { host: '*.canary.example.com' },
        }),
      );
      expect(wildcard.ok || wildcard.problems).toBe(true);
    });

    it('bounds numbers and lists: a threshold above 2^53, 2000 metrics, 60 matchers', () => {
      const huge = parseRolloutSpec({
        ...valid,
        analysis: {
          ...valid.analysis,
          metrics: [{ name: 'request-success-rate', thresholdRange: { min: 2 ** 60 } }],
        },
      });
      expect(huge.ok || huge.problems[0]?.path).toBe('analysis.metrics[0].thresholdRange.min');
      const many = parseRolloutSpec({
        ...valid,
        analysis: {
          ...valid.analysis,
          metrics: Array.from({ length: 2000 }, () => valid.analysis.metrics[0]),
        },
      });
      expect(many.ok || many.problems[0]?.path).toBe('analysis.metrics');
      const matchers = parseRolloutSpec({
        ...valid,
        alerts: { matchers: Array.from({ length: 60 }, () => ({ labels: { a: 'b' } })) },
      });
      expect(matchers.ok || matchers.problems[0]?.path).toBe('alerts.matchers');
    });
  });

  it('bounds durations at a year: 10^25 ms would be past what a Date holds', () => {
    const withDurations = (value: string) => ({
      ...valid,
      analysis: {
        ...valid.analysis,
        interval: value,
        progressDeadline: value,
        metrics: [{ ...valid.analysis.metrics[0], interval: value }],
      },
      alerts: { bakeWindow: value, matchers: [{ labels: { a: 'b' } }] },
    });
    const huge = parseRolloutSpec(withDurations('6465913132315448424884350ms'));
    expect(huge.ok || huge.problems).toEqual([
      { path: 'analysis.interval', message: 'must be at most 8760h (365 days)' },
      { path: 'analysis.progressDeadline', message: 'must be at most 8760h (365 days)' },
      { path: 'analysis.metrics[0].interval', message: 'must be at most 8760h (365 days)' },
      { path: 'alerts.bakeWindow', message: 'must be at most 8760h (365 days)' },
    ]);
    expect(parseRolloutSpec(withDurations('8761h')).ok).toBe(false);
    const year = parseRolloutSpec(withDurations('8760h'));
    expect(year.ok || year.problems).toBe(true);
  });

  it("takes a metric's own counts for the compare judge, and names each misuse", () => {
    const counts = {
      requests: 'sum(http_requests_total{app="{{ target }}"})',
      bad: 'sum(http_requests_total{app="{{ target }}",code=~"5.."})',
    };
    const withMetric = (metric: Record<string, unknown>) =>
      parseRolloutSpec({ ...valid, analysis: { ...valid.analysis, metrics: [metric] } });
    const ok = withMetric({ name: 'checkout', counts, provider: 'cloudwatch' });
    expect(ok.ok && ok.spec.analysis.metrics[0]).toEqual({
      name: 'checkout',
      counts,
      provider: 'cloudwatch',
    });
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ name: 'x', query: 'up', counts }, 'counts', /a query or counts, not both/],
      [{ name: 'request-success-rate', counts }, 'name', /is a built-in, with Istio's counts/],
      [{ name: 'x', counts, judge: 'mann-whitney' }, 'judge', /judged by compare/],
      [{ name: 'x', counts, thresholdRange: { max: 1 } }, 'thresholdRange', /judged by compare/],
      [{ name: 'x', counts: { ...counts, bad: 'up{pod="{{ pod }}"}' } }, 'counts.bad', /{{ pod }}/],
      [{ name: 'x', counts: { requests: counts.requests } }, 'counts.bad', /./],
      [{ name: 'x', judge: 'compare', query: 'up' }, 'judge', /give counts/],
    ];
    for (const [metric, path, message] of cases) {
      const parsed = withMetric(metric);
      expect(parsed.ok, path).toBe(false);
      if (parsed.ok) continue;
      expect(parsed.problems, path).toContainEqual({
        path: `analysis.metrics[0].${path}`,
        message: expect.stringMatching(message),
      });
    }
  });

  it('accepts the counts example docs/judges.md shows, its CloudWatch queries JSON', () => {
    const doc = readFileSync(new URL('../../docs/judges.md', import.meta.url), 'utf8');
    const block = /### A metric's own counts[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    const metrics = parse(block ?? '') as { counts: { requests: string; bad: string } }[];
    const parsed = parseRolloutSpec({ ...valid, analysis: { ...valid.analysis, metrics } });
    expect(parsed.ok || parsed.problems).toBe(true);
    for (const query of Object.values(metrics[0]?.counts ?? {}))
      expect(() => JSON.parse(query)).not.toThrow();
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
