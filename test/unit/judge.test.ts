import { describe, expect, it } from 'vitest';
import { combineVerdicts, judgeThreshold } from '../../lib/domain/judge.ts';

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
