import { mannWhitney } from './stats/mann-whitney.ts';

export { type KayentaGroupScore, type KayentaScore, scoreMetrics } from './judge-kayenta-score.ts';

export type KayentaDirection = 'increase' | 'decrease' | 'either';

export interface KayentaEffectSize {
  measure: 'meanRatio' | 'cles';
  allowedIncrease?: number;
  allowedDecrease?: number;
  criticalIncrease?: number;
  criticalDecrease?: number;
}

export interface KayentaMetricConfig {
  direction: KayentaDirection;
  confidence: number;
  tolerance: number;
  effectSize?: KayentaEffectSize;
  critical: boolean;
  mustHaveData: boolean;
  nanStrategy: 'remove' | 'replace';
  outliers: 'keep' | 'remove';
}

/** NetflixACAJudge's fixed values, and its defaults for the per-metric flags. */
export const KAYENTA_DEFAULTS: KayentaMetricConfig = {
  direction: 'either',
  confidence: 0.98,
  tolerance: 0.25,
  critical: false,
  mustHaveData: false,
  nanStrategy: 'remove',
  outliers: 'keep',
};

/** Kayenta's labels; NodataFailure is Kayenta's NodataFailMetric. */
export type KayentaClassification = 'Pass' | 'High' | 'Low' | 'NodataFailure' | 'Nodata' | 'Error';

export interface KayentaMetricResult {
  classification: KayentaClassification;
  /** This result fails the whole canary (score 0) unless it is a Pass. */
  critical: boolean;
  reason: string;
  estimate?: number;
  ciLow?: number;
  ciHigh?: number;
  canaryMean?: number;
  baselineMean?: number;
  /** The effect size in the configured measure; absent when undefined (a mean of zero). */
  effect?: number;
}

const IQR_FACTOR = 3;

/**
 * Apache Commons Math's default (legacy) percentile, which Kayenta's detector uses: position
 * p(n + 1)/100, the minimum below 1, the maximum from n on, linear in between.
 */
const percentile = (sortedValues: readonly number[], pct: number): number => {
  const n = sortedValues.length;
  const position = (pct / 100) * (n + 1);
  if (position < 1) return sortedValues[0] as number;
  if (position >= n) return sortedValues[n - 1] as number;
  const k = Math.floor(position);
  const lower = sortedValues[k - 1] as number;
  const upper = sortedValues[k] as number;
  return lower + (position - k) * (upper - lower);
};

/**
 * Kayenta's IQRDetector(factor = 3, reduceSensitivity = true): Tukey fences at factor × IQR,
 * widened to the 1st and 99th percentiles, so that fewer points are dropped.
 */
export const removeOutliers = (values: readonly number[]): number[] => {
  if (values.length === 0) return [];
  const s = [...values].sort((a, b) => a - b);
  const q1 = percentile(s, 25);
  const q3 = percentile(s, 75);
  const iqr = q3 - q1;
  const lower = Math.min(percentile(s, 1), q1 - IQR_FACTOR * iqr);
  const upper = Math.max(percentile(s, 99), q3 + IQR_FACTOR * iqr);
  return values.filter((v) => v >= lower && v <= upper);
};

/** NaN (and ±Infinity, which no query should return) are dropped or turned into 0. */
const handleNaNs = (values: readonly number[], strategy: 'remove' | 'replace'): number[] =>
  strategy === 'remove'
    ? values.filter(Number.isFinite)
    : values.map((v) => (Number.isFinite(v) ? v : 0));

const mean = (values: readonly number[]): number =>
  values.reduce((sum, v) => sum + v, 0) / values.length;

const effectOf = (
  canary: readonly number[],
  baseline: readonly number[],
  measure: 'meanRatio' | 'cles',
): number => {
  if (measure === 'meanRatio') {
    const b = mean(baseline);
    const c = mean(canary);
    return b === 0 || c === 0 ? Number.NaN : c / b;
  }
  // CLES: the share of (canary, baseline) pairs where the canary is higher, ties counting half.
  let wins = 0;
  for (const c of canary) for (const b of baseline) wins += c > b ? 1 : c === b ? 0.5 : 0;
  return wins / (canary.length * baseline.length);
};

const sameMultiset = (a: readonly number[], b: readonly number[]): boolean => {
  if (a.length !== b.length) return false;
  const sa = [...a].sort((p, q) => p - q);
  const sb = [...b].sort((p, q) => p - q);
  return sa.every((v, i) => v === sb[i]);
};

/** An undefined effect (NaN) does not block a classification, as in Kayenta. */
const atLeast = (effect: number, threshold: number) => Number.isNaN(effect) || effect >= threshold;
const atMost = (effect: number, threshold: number) => Number.isNaN(effect) || effect <= threshold;

/**
 * Classifies one metric as Kayenta's NetflixACAJudge does with its MannWhitneyClassifier: NaN
 * handling, optional IQR outlier removal, then the Mann–Whitney interval for canary − baseline
 * (R's asymptotic, continuity-corrected) against ± tolerance × |Hodges–Lehmann estimate|, gated by
 * the effect size. docs/judges.md ("mann-whitney") lists each rule and where kanari differs.
 */
export const classifyMetric = (
  canaryValues: readonly number[],
  baselineValues: readonly number[],
  config: KayentaMetricConfig,
): KayentaMetricResult => {
  const measure = config.effectSize?.measure ?? 'meanRatio';
  const neutral = measure === 'cles' ? 0.5 : 1;
  const allowedIncrease = config.effectSize?.allowedIncrease ?? neutral;
  const allowedDecrease = config.effectSize?.allowedDecrease ?? neutral;
  const criticalIncrease = config.effectSize?.criticalIncrease ?? neutral;
  const criticalDecrease = config.effectSize?.criticalDecrease ?? neutral;

  const clean = (values: readonly number[]) => {
    const handled = handleNaNs(values, config.nanStrategy);
    return config.outliers === 'remove' ? removeOutliers(handled) : handled;
  };
  const canary = clean(canaryValues);
  const baseline = clean(baselineValues);

  if (canary.length === 0 || baseline.length === 0) {
    const side = canary.length === 0 ? 'canary' : 'baseline';
    const reason = `no data for the ${side}`;
    if (config.mustHaveData && !config.critical)
      return {
        classification: 'NodataFailure',
        critical: false,
        reason: `${reason} (must have data)`,
      };
    return { classification: 'Nodata', critical: config.critical, reason };
  }

  const stats = { canaryMean: mean(canary), baselineMean: mean(baseline) };
  if (sameMultiset(canary, baseline))
    return {
      classification: 'Pass',
      critical: false,
      reason: 'the canary and baseline data are identical',
      ...stats,
      effect: neutral,
    };
  if (new Set([...canary, ...baseline]).size === 1)
    return { classification: 'Pass', critical: false, reason: 'every value is the same', ...stats };

  let test: ReturnType<typeof mannWhitney>;
  try {
    test = mannWhitney({
      x: canary,
      y: baseline,
      alternative: 'two-sided',
      continuity: true,
      method: 'asymptotic',
      confidence: config.confidence,
    });
  } catch (error) {
    return {
      classification: 'Error',
      critical: config.critical,
      reason: `classification failed: ${(error as Error).message}`,
      ...stats,
    };
  }

  const effect = effectOf(canary, baseline, measure);
  const bound = config.tolerance * Math.abs(test.estimate);
  const interval = { estimate: test.estimate, ciLow: test.ciLow, ciHigh: test.ciHigh };
  const shown = Number.isNaN(effect) ? {} : { effect };
  const ci = `${(config.confidence * 100).toFixed(0)}% CI ${fmt(test.ciLow)}…${fmt(test.ciHigh)}`;
  const increaseWatched = config.direction !== 'decrease';
  const decreaseWatched = config.direction !== 'increase';

  if (increaseWatched && test.ciLow > bound && atLeast(effect, allowedIncrease)) {
    const critical = config.critical && atLeast(effect, criticalIncrease);
    return {
      classification: 'High',
      critical,
      reason: `canary higher than baseline: ${ci} above +${fmt(bound)}${critical ? ' (critical)' : ''}`,
      ...interval,
      ...stats,
      ...shown,
    };
  }
  if (decreaseWatched && test.ciHigh < -bound && atMost(effect, allowedDecrease)) {
    const critical = config.critical && atMost(effect, criticalDecrease);
    return {
      classification: 'Low',
      critical,
      reason: `canary lower than baseline: ${ci} below −${fmt(bound)}${critical ? ' (critical)' : ''}`,
      ...interval,
      ...stats,
      ...shown,
    };
  }
  return {
    classification: 'Pass',
    critical: false,
    reason: `no significant shift: ${ci} within tolerance ±${fmt(bound)} or effect size allowed`,
    ...interval,
    ...stats,
    ...shown,
  };
};

const fmt = (value: number): string =>
  Number.isFinite(value) ? String(+value.toPrecision(4)) : String(value);
