import { describe, expect, it } from 'vitest';
import {
  alphaOf,
  DEFAULT_ALPHA,
  judgeOf,
  judgeSpecOf,
  type MetricSpec,
  MetricWithoutJudgeError,
  onDeadlineOf,
} from '../../lib/domain/rollout-spec.ts';
import { parseRolloutSpec } from '../../lib/schemas/rollout-spec.ts';

const QUERY =
  'sum(rate(app_errors{namespace="{{ namespace }}",app="{{ target }}"}[{{ interval }}]))';

const specWith = (metrics: unknown[], analysis: Record<string, unknown> = {}) => ({
  name: 'my-service',
  target: {
    namespace: 'shop',
    virtualService: 'my-service',
    primary: { host: 'my-service' },
    canary: { host: 'my-service-v2' },
  },
  analysis: { metrics, ...analysis },
});

const parsed = (metrics: unknown[], analysis: Record<string, unknown> = {}) => {
  const result = parseRolloutSpec(specWith(metrics, analysis));
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.spec;
};

/** The problems of an invalid spec, as `path: message`. */
const problems = (metrics: unknown[], analysis: Record<string, unknown> = {}): string[] => {
  const result = parseRolloutSpec(specWith(metrics, analysis));
  if (result.ok) throw new Error('expected the spec to be refused');
  return result.problems.map((p) => `${p.path}: ${p.message}`);
};

describe('judge: in the rollout spec', () => {
  it('takes the string shorthand and stores the object form', () => {
    const spec = parsed([
      { name: 'request-success-rate', judge: 'compare' },
      { name: 'request-duration', judge: 'threshold', thresholdRange: { max: 500 } },
      { name: 'cpu', query: QUERY, judge: 'mann-whitney' },
    ]);
    expect(spec.analysis.metrics.map((m) => m.judge)).toEqual([
      { type: 'compare' },
      { type: 'threshold' },
      { type: 'mann-whitney' },
    ]);
  });

  it('takes every option of compare and mann-whitney', () => {
    const compare = {
      type: 'compare',
      alpha: 0.005,
      tolerance: 1.3,
      k: 50,
      bounds: [{ percentile: 50 }, { percentile: 99 }, { ms: 800 }],
    };
    const mannWhitney = {
      type: 'mann-whitney',
      direction: 'increase',
      confidence: 0.98,
      tolerance: 0.25,
      effectSize: { measure: 'cles', allowedIncrease: 0.6, criticalIncrease: 0.8 },
      critical: true,
      mustHaveData: true,
      nanStrategy: 'replace',
      outliers: 'remove',
      group: 'latency',
      weight: 3,
    };
    const spec = parsed([
      { name: 'request-duration', judge: compare },
      { name: 'p90', query: QUERY, judge: mannWhitney },
    ]);
    expect(spec.analysis.metrics.map((m) => m.judge)).toEqual([compare, mannWhitney]);
  });

  it('makes thresholdRange optional for the built-ins and leaves the new analysis fields absent', () => {
    const spec = parsed([{ name: 'request-success-rate' }, { name: 'request-duration' }]);
    expect(spec.analysis.metrics.map(judgeOf)).toEqual(['compare', 'compare']);
    // Absent, not filled in: a spec stored before these fields existed stays equal to itself.
    expect('alpha' in spec.analysis || 'onDeadline' in spec.analysis).toBe(false);
    expect(alphaOf(spec.analysis)).toBe(DEFAULT_ALPHA);
    expect(onDeadlineOf(spec.analysis)).toBe('pause');
  });

  it('takes analysis.alpha, onDeadline and scoreThresholds', () => {
    const spec = parsed([{ name: 'request-success-rate' }], {
      alpha: 0.5,
      onDeadline: 'rollback',
      scoreThresholds: { pass: 90, marginal: 90 },
    });
    expect(alphaOf(spec.analysis)).toBe(0.5);
    expect(onDeadlineOf(spec.analysis)).toBe('rollback');
    expect(spec.analysis.scoreThresholds).toEqual({ pass: 90, marginal: 90 });
  });

  it.each([
    [
      [{ name: 'request-duration', judge: 'threshold' }],
      'analysis.metrics[0].thresholdRange: required by the threshold judge',
    ],
    [
      [{ name: 'errors', query: QUERY }],
      'analysis.metrics[0].thresholdRange: required: a custom query is judged by threshold',
    ],
    [
      [{ name: 'errors', query: QUERY, judge: 'compare' }],
      'analysis.metrics[0].judge: compare works on request counts',
    ],
    [
      [{ name: 'request-success-rate', query: QUERY, judge: 'compare' }],
      'analysis.metrics[0].judge: compare works on request counts',
    ],
    [
      [{ name: 'request-success-rate', judge: { type: 'compare', bounds: [{ percentile: 99 }] } }],
      'analysis.metrics[0].judge.bounds: latency bounds apply to request-duration only',
    ],
    [
      [{ name: 'request-success-rate', judge: 'compare', thresholdRange: { min: 99 } }],
      'analysis.metrics[0].thresholdRange: only the threshold judge uses it',
    ],
    [
      [{ name: 'request-success-rate', judge: { type: 'compare', tolerance: 1 } }],
      'analysis.metrics[0].judge.tolerance: must be above 1',
    ],
    [
      [{ name: 'request-success-rate', judge: { type: 'compare', alpha: 0 } }],
      'analysis.metrics[0].judge.alpha: must be above 0',
    ],
    [
      [{ name: 'request-success-rate', judge: { type: 'compare', k: -1 } }],
      'analysis.metrics[0].judge.k',
    ],
    [
      [{ name: 'request-duration', judge: { type: 'compare', bounds: [] } }],
      'analysis.metrics[0].judge.bounds',
    ],
    [
      [{ name: 'request-duration', judge: { type: 'compare', bounds: [{ percentile: 100 }] } }],
      'analysis.metrics[0].judge.bounds[0]',
    ],
    [
      [
        {
          name: 'request-duration',
          judge: { type: 'compare', bounds: [{ ms: 100, percentile: 50 }] },
        },
      ],
      'analysis.metrics[0].judge.bounds[0]',
    ],
    [
      [{ name: 'request-duration', judge: { type: 'compare', tolerance: 1.2, window: '5m' } }],
      'analysis.metrics[0].judge',
    ],
    [[{ name: 'request-duration', judge: 'kayenta' }], 'analysis.metrics[0].judge'],
    [
      [{ name: 'cpu', query: QUERY, judge: { type: 'mann-whitney', confidence: 1 } }],
      'analysis.metrics[0].judge.confidence',
    ],
    [
      [{ name: 'cpu', query: QUERY, judge: { type: 'mann-whitney', direction: 'up' } }],
      'analysis.metrics[0].judge.direction',
    ],
    [
      [
        {
          name: 'cpu',
          query: QUERY,
          judge: { type: 'mann-whitney', effectSize: { measure: 'median' } },
        },
      ],
      'analysis.metrics[0].judge.effectSize.measure',
    ],
  ])('refuses %j with its field path', (metrics, expected) => {
    expect(problems(metrics)).toEqual(expect.arrayContaining([expect.stringContaining(expected)]));
  });

  it('names one problem for a custom metric with neither query nor judge, not two', () => {
    expect(problems([{ name: 'errors' }])).toEqual([
      expect.stringMatching(/^analysis\.metrics\[0\]\.query: required: errors is not a built-in/),
    ]);
  });

  it.each([
    [{ alpha: 0 }, 'analysis.alpha: must be above 0'],
    [{ alpha: 0.6 }, 'analysis.alpha: must be at most 0.5'],
    [{ onDeadline: 'fail' }, 'analysis.onDeadline'],
    [
      { scoreThresholds: { pass: 70, marginal: 80 } },
      'analysis.scoreThresholds.marginal: marginal must not exceed pass',
    ],
    [{ scoreThresholds: { pass: 101, marginal: 80 } }, 'analysis.scoreThresholds.pass'],
  ])('refuses analysis %j with its field path', (analysis, expected) => {
    expect(problems([{ name: 'request-success-rate' }], analysis)).toEqual(
      expect.arrayContaining([expect.stringContaining(expected)]),
    );
  });
});

describe('judgeOf', () => {
  const metric = (fields: Partial<MetricSpec>): MetricSpec => ({
    name: 'request-duration',
    ...fields,
  });

  it('keeps the threshold judge for every spec written before judges existed', () => {
    expect(judgeOf(metric({ thresholdRange: { max: 500 } }))).toBe('threshold');
    expect(judgeOf(metric({ name: 'errors', query: QUERY, thresholdRange: { max: 1 } }))).toBe(
      'threshold',
    );
  });

  it('compares a built-in without thresholdRange, and lets an explicit judge win', () => {
    expect(judgeOf(metric({}))).toBe('compare');
    expect(judgeOf(metric({ judge: { type: 'mann-whitney' } }))).toBe('mann-whitney');
    expect(judgeOf(metric({ judge: { type: 'compare' }, thresholdRange: { max: 1 } }))).toBe(
      'compare',
    );
  });

  it('throws for a custom query with neither judge nor thresholdRange', () => {
    expect(() => judgeOf(metric({ name: 'errors', query: QUERY }))).toThrow(
      MetricWithoutJudgeError,
    );
    // A built-in name with a custom query is a custom query: it has no counts to compare.
    expect(() => judgeOf(metric({ query: QUERY }))).toThrow(MetricWithoutJudgeError);
  });

  it('gives the judge with its options, or the implied one alone', () => {
    expect(judgeSpecOf(metric({}))).toEqual({ type: 'compare' });
    expect(judgeSpecOf(metric({ judge: { type: 'compare', tolerance: 1.2 } }))).toEqual({
      type: 'compare',
      tolerance: 1.2,
    });
  });
});
