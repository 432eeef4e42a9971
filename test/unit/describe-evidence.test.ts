import { describe, expect, it } from 'vitest';
import type { CompareTestEvidence } from '../../lib/domain/analysis-state.ts';
import { describeMetric } from '../../lib/domain/describe.ts';
import type { MannWhitneyEvidence, MetricResult } from '../../lib/domain/judge.ts';

const evidence = (fields: Partial<CompareTestEvidence>): CompareTestEvidence => ({
  key: 'request-success-rate',
  label: 'errors',
  alpha: 0.01,
  verdict: 'inconclusive',
  canary: { requests: 4000, bad: 84 },
  primary: { requests: 36000, bad: 360 },
  stepCanaryRequests: 4000,
  theta0: 0.1,
  logE: Math.log(310),
  eValue: 310,
  threshold: 100,
  rateRatio: 2.1,
  rhoLow: 1.6,
  rhoHigh: 2.8,
  tolerance: 1.5,
  requestsNeeded: null,
  minutesNeeded: null,
  waitingForTraffic: false,
  reason: 'ignored: the line is built from the numbers',
  ...fields,
});
const compare = (name: string, tests: CompareTestEvidence[]): MetricResult => ({
  name,
  query: '',
  value: null,
  judge: 'compare',
  evidence: { judge: 'compare', tests },
  verdict: 'inconclusive',
  reason: 'r',
});

describe('compare evidence in plain language', () => {
  it('says a regression with its ratio, interval, e-value and threshold', () => {
    expect(
      describeMetric(compare('request-success-rate', [evidence({ verdict: 'regression' })])),
    ).toBe(
      'request-success-rate: canary errors 2.1× primary (99% CI 1.6–2.8), e-value 310 ≥ 100 → roll back',
    );
  });

  it('names the level of a Bonferroni share and an open upper end', () => {
    const line = describeMetric(
      compare('request-success-rate', [
        evidence({
          verdict: 'regression',
          alpha: 0.005,
          threshold: 200,
          rhoHigh: null,
          eValue: 12345.6,
        }),
      ]),
    );
    expect(line).toBe(
      'request-success-rate: canary errors 2.1× primary (99.5% CI 1.6–∞), e-value 12,346 ≥ 200 → roll back',
    );
  });

  it('says non-inferior with the tolerance and the canary requests behind it', () => {
    const line = describeMetric(
      compare('request-success-rate', [
        evidence({
          verdict: 'non-inferior',
          rateRatio: 0.98,
          rhoLow: 0.71,
          rhoHigh: 1.34,
          eValue: 0.2,
        }),
      ]),
    );
    expect(line).toBe(
      'request-success-rate: canary errors 0.98× primary (99% CI 0.71–1.3, below 1.5) over 4,000 canary requests → non-inferior',
    );
  });

  it('says what an inconclusive test still needs, and the bound of a latency test', () => {
    const line = describeMetric(
      compare('request-duration', [
        evidence({
          key: 'request-duration@p99',
          label: 'requests slower than 320 ms',
          boundMs: 320,
          rateRatio: null,
          canary: { requests: 300, bad: 0 },
          primary: { requests: 2700, bad: 0 },
          eValue: 1,
          requestsNeeded: 12000,
          minutesNeeded: 7.4,
        }),
      ]),
    );
    expect(line).toBe(
      'request-duration (> 320 ms): canary requests slower than 320 ms 0/300 vs primary 0/2700, e-value 1 < 100 → inconclusive; about 12,000 more canary requests (≈ 7 min)',
    );
  });

  it('says waiting for traffic, and joins several bounds', () => {
    const line = describeMetric(
      compare('request-duration', [
        evidence({ boundMs: 250, waitingForTraffic: true }),
        evidence({ boundMs: 1000, waitingForTraffic: true }),
      ]),
    );
    expect(line).toBe(
      'request-duration (> 250 ms): waiting for traffic · request-duration (> 1000 ms): waiting for traffic',
    );
  });
});

describe('mann-whitney evidence in plain language', () => {
  it('gives the classification, means, shift, interval and score', () => {
    const e: MannWhitneyEvidence = {
      classification: 'High',
      critical: true,
      reason: 'r',
      estimate: 0.42,
      ciLow: 0.3,
      ciHigh: 0.55,
      canaryMean: 0.91,
      baselineMean: 0.5,
      effect: 1.82,
      canaryPoints: 30,
      baselinePoints: 30,
      score: 0,
      scoreVerdict: 'fail',
      criticalFailure: true,
      thresholds: { pass: 95, marginal: 75 },
    };
    const metric: MetricResult = {
      name: 'cpu',
      query: 'q',
      value: 0.91,
      judge: 'mann-whitney',
      evidence: { judge: 'mann-whitney', ...e },
      verdict: 'fail',
      reason: 'r',
    };
    expect(describeMetric(metric)).toBe(
      'cpu: High, canary mean 0.91 vs primary 0.5, shift 0.42 (CI 0.3–0.55), score 0 (pass ≥ 95, marginal ≥ 75), a critical metric failed',
    );
  });
});
