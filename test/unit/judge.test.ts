import { describe, expect, it } from 'vitest';
import {
  type CheckResult,
  combineVerdicts,
  isWaitingForTraffic,
  judgeThreshold,
  type MetricResult,
} from '../../lib/domain/judge.ts';

describe('threshold judge', () => {
  it('passes a value inside the range', () => {
    expect(judgeThreshold({ value: 99.5, thresholdRange: { min: 99 } })).toEqual({
      verdict: 'pass',
      reason: '99.5 ≥ 99',
    });
  });

  it('fails a value below min or above max', () => {
    expect(judgeThreshold({ value: 95, thresholdRange: { min: 99 } }).verdict).toBe('fail');
    expect(judgeThreshold({ value: 640, thresholdRange: { max: 500 } })).toEqual({
      verdict: 'fail',
      reason: '640 > 500',
    });
  });

  it('treats the bounds as inclusive', () => {
    expect(judgeThreshold({ value: 99, thresholdRange: { min: 99, max: 99 } }).verdict).toBe(
      'pass',
    );
  });

  it('never passes on no data, NaN or infinity', () => {
    for (const value of [null, undefined, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(judgeThreshold({ value, thresholdRange: { min: 0 } })).toEqual({
        verdict: 'inconclusive',
        reason: 'no data',
      });
    }
  });

  it('is inconclusive on too small a sample, even for a perfect value', () => {
    const judged = judgeThreshold({
      value: 100,
      thresholdRange: { min: 99 },
      sampleSize: 3,
      minSampleSize: 10,
    });
    expect(judged).toEqual({ verdict: 'inconclusive', reason: 'too little data: 3 requests < 10' });
    expect(
      judgeThreshold({
        value: 100,
        thresholdRange: { min: 99 },
        sampleSize: null,
        minSampleSize: 10,
      }).verdict,
    ).toBe('inconclusive');
  });

  it('combines verdicts: any fail fails, then any inconclusive, and nothing at all is inconclusive', () => {
    expect(combineVerdicts(['pass', 'inconclusive', 'fail'])).toBe('fail');
    expect(combineVerdicts(['pass', 'inconclusive'])).toBe('inconclusive');
    expect(combineVerdicts(['pass', 'pass'])).toBe('pass');
    expect(combineVerdicts([])).toBe('inconclusive');
  });
});

describe('no traffic at all', () => {
  const range = { min: 99 };

  it('is what the threshold judge says when both sides served no request', () => {
    expect(
      judgeThreshold({
        value: null,
        thresholdRange: range,
        sampleSize: 0,
        primarySampleSize: 0,
        minSampleSize: 10,
      }),
    ).toEqual({
      verdict: 'inconclusive',
      reason: 'waiting for traffic: no requests on canary or primary',
      waitingForTraffic: true,
    });
  });

  it('is not claimed when the primary had traffic or its count is unknown, and never passes', () => {
    const primaryBusy = judgeThreshold({
      value: 100,
      thresholdRange: range,
      sampleSize: 0,
      primarySampleSize: 120,
      minSampleSize: 10,
    });
    expect(primaryBusy).toEqual({
      verdict: 'inconclusive',
      reason: 'too little data: 0 requests < 10',
      waitingForTraffic: false,
    });
    const unknown = judgeThreshold({
      value: null,
      thresholdRange: range,
      sampleSize: 0,
      primarySampleSize: null,
      minSampleSize: 10,
    });
    expect(unknown.verdict).toBe('inconclusive');
    expect(unknown.waitingForTraffic).toBeUndefined();
    // Too little traffic on the canary never passes, however good the value.
    expect(
      judgeThreshold({ value: 100, thresholdRange: range, sampleSize: 9, minSampleSize: 10 })
        .verdict,
    ).toBe('inconclusive');
  });

  const metric = (waitingForTraffic?: boolean): MetricResult => ({
    name: 'm',
    query: 'q',
    value: null,
    verdict: 'inconclusive',
    reason: 'r',
    ...(waitingForTraffic === undefined ? {} : { waitingForTraffic }),
  });
  const result = (verdict: CheckResult['verdict'], ...metrics: MetricResult[]): CheckResult => ({
    weight: 10,
    verdict,
    metrics,
  });

  it('holds for a check when every metric that knows says so, and one at least knows', () => {
    expect(isWaitingForTraffic(result('inconclusive', metric(true), metric()))).toBe(true);
    expect(isWaitingForTraffic(result('inconclusive', metric(true), metric(false)))).toBe(false);
    expect(isWaitingForTraffic(result('inconclusive', metric(), metric()))).toBe(false);
    expect(isWaitingForTraffic(result('inconclusive'))).toBe(false);
    expect(isWaitingForTraffic(result('fail', metric(true)))).toBe(false);
  });
});
