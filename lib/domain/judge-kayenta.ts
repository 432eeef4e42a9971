// PLACEHOLDER: replaced by the real module at merge
/**
 * Stand-in for the Kayenta-style classifier (seam S2): NaN removal, no outlier removal, no
 * effect size; High when the interval's lower end is above tolerance × |estimate| (as an early
 * Kayenta MannWhitneyClassifier did), Low symmetrically.
 */
import { mannWhitney } from './stats/mann-whitney.ts';

export type KayentaDirection = 'increase' | 'decrease' | 'either';
export interface KayentaMetricConfig {
  direction: KayentaDirection;
  confidence: number;
  tolerance: number;
  effectSize?: {
    measure: 'meanRatio' | 'cles';
    allowedIncrease?: number;
    allowedDecrease?: number;
    criticalIncrease?: number;
    criticalDecrease?: number;
  };
  critical: boolean;
  mustHaveData: boolean;
  nanStrategy: 'remove' | 'replace';
  outliers: 'keep' | 'remove';
}
export type KayentaClassification = 'Pass' | 'High' | 'Low' | 'NodataFailure' | 'Nodata' | 'Error';
export interface KayentaMetricResult {
  classification: KayentaClassification;
  critical: boolean;
  reason: string;
  estimate?: number;
  ciLow?: number;
  ciHigh?: number;
  canaryMean?: number;
  baselineMean?: number;
  effect?: number;
}
export interface KayentaScore {
  score: number;
  verdict: 'pass' | 'marginal' | 'fail';
  criticalFailure: boolean;
}

const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;

/** Placeholder (see the file's first line). */
export const classifyMetric = (
  canary: readonly number[],
  baseline: readonly number[],
  config: KayentaMetricConfig,
): KayentaMetricResult => {
  const clean = (values: readonly number[]) =>
    config.nanStrategy === 'remove'
      ? values.filter((v) => Number.isFinite(v))
      : values.map((v) => (Number.isFinite(v) ? v : 0));
  const x = clean(canary);
  const y = clean(baseline);
  const critical = config.critical;
  if (x.length === 0 || y.length === 0)
    return {
      classification: config.mustHaveData ? 'NodataFailure' : 'Nodata',
      critical,
      reason: 'no data',
    };
  if (x.length === y.length && x.every((v, i) => v === y[i]))
    return { classification: 'Pass', critical, reason: 'identical' };
  const mw = mannWhitney({
    x,
    y,
    alternative: 'two-sided',
    continuity: true,
    method: 'asymptotic',
    confidence: config.confidence,
  });
  const bound = config.tolerance * Math.abs(mw.estimate);
  const base = {
    critical,
    estimate: mw.estimate,
    ciLow: mw.ciLow,
    ciHigh: mw.ciHigh,
    canaryMean: mean(x),
    baselineMean: mean(y),
  };
  if (config.direction !== 'decrease' && mw.ciLow > bound)
    return { ...base, classification: 'High', reason: 'placeholder: high' };
  if (config.direction !== 'increase' && mw.ciHigh < -bound)
    return { ...base, classification: 'Low', reason: 'placeholder: low' };
  return { ...base, classification: 'Pass', reason: 'placeholder: pass' };
};

/** Placeholder (see the file's first line). */
export const scoreMetrics = (
  results: { group: string; weight?: number; result: KayentaMetricResult }[],
  thresholds: { pass: number; marginal: number },
): KayentaScore => {
  const passed = results.filter((r) => r.result.classification === 'Pass').length;
  const score = results.length > 0 ? (100 * passed) / results.length : 0;
  const criticalFailure = results.some(
    (r) => r.result.critical && !['Pass', 'Nodata'].includes(r.result.classification),
  );
  const verdict =
    criticalFailure || score < thresholds.marginal
      ? 'fail'
      : score < thresholds.pass
        ? 'marginal'
        : 'pass';
  return { score: criticalFailure ? 0 : score, verdict, criticalFailure };
};
