/**
 * One simulated run of a scenario: the replay's buckets, plus what the latency rules read (each
 * bucket's p99 per arm, each minute's canary p99), all from the same simulated requests.
 */
import type { ReplayBucket } from '../../lib/domain/judge-replay.ts';
import type { Sampler } from './random.ts';
import {
  BUCKET_SECONDS,
  BUCKETS,
  baseSlowShare,
  errorRateAt,
  LATENCY_MEDIAN_MS,
  LATENCY_SIGMA,
  type LatencyModel,
  type Scenario,
} from './scenarios.ts';

export interface SimulatedRun {
  /** The bound (ms) above which a request counts as slow. */
  slowBoundMs: number;
  buckets: ReplayBucket[];
  /** Per bucket p99 latency (ms) of canary and primary; NaN without requests. Latency scenarios only. */
  canaryP99: number[];
  primaryP99: number[];
  /** Canary p99 over each whole minute (index m = minute m + 1). Latency scenarios only. */
  canaryMinuteP99: number[];
}

/** Nearest-rank p99 of sorted values. */
const p99Of = (sorted: Float64Array): number =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.ceil(0.99 * sorted.length) - 1] as number);

const latencies = (random: Sampler, n: number, model: LatencyModel): Float64Array => {
  const out = new Float64Array(n);
  const mu = Math.log(LATENCY_MEDIAN_MS * model.scale);
  for (let i = 0; i < n; i++) {
    const tail = model.tailShare > 0 && random.uniform() < model.tailShare;
    out[i] = Math.exp(mu + LATENCY_SIGMA * random.normal()) * (tail ? model.tailScale : 1);
  }
  return out.sort();
};

const countAbove = (sorted: Float64Array, bound: number): number => {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) > bound) hi = mid;
    else lo = mid + 1;
  }
  return sorted.length - lo;
};

/**
 * Draws one run. Latency is sampled request by request only where a rule reads latency values
 * (latency scenarios); elsewhere the slow count is Binomial(requests, P(slower than the bound)),
 * which is the same distribution.
 */
export const simulateRun = (
  scenario: Scenario,
  random: Sampler,
  slowBoundMs: number,
): SimulatedRun => {
  const slowShare = baseSlowShare(slowBoundMs);
  const perBucket = scenario.rps * BUCKET_SECONDS;
  const perRequest = scenario.metric === 'latency';
  const run: SimulatedRun = {
    slowBoundMs,
    buckets: [],
    canaryP99: [],
    primaryP99: [],
    canaryMinuteP99: [],
  };
  let minute: Float64Array[] = [];
  for (let i = 1; i <= BUCKETS; i++) {
    const t = i * BUCKET_SECONDS;
    const arm = (weight: number, errors: Scenario['errors']['canary'], latency: LatencyModel) => {
      const requests = random.poisson(perBucket * weight);
      const errorCount = random.binomial(requests, errorRateAt(errors, t));
      if (!perRequest)
        return {
          side: { requests, errors: errorCount, slow: random.binomial(requests, slowShare) },
        };
      const sorted = latencies(random, requests, latency);
      return {
        side: { requests, errors: errorCount, slow: countAbove(sorted, slowBoundMs) },
        sorted,
      };
    };
    const canary = arm(scenario.canaryWeight, scenario.errors.canary, scenario.latency.canary);
    const primary = arm(
      1 - scenario.canaryWeight,
      scenario.errors.primary,
      scenario.latency.primary,
    );
    run.buckets.push({ t, canary: canary.side, primary: primary.side });
    if (canary.sorted && primary.sorted) {
      run.canaryP99.push(p99Of(canary.sorted));
      run.primaryP99.push(p99Of(primary.sorted));
      minute.push(canary.sorted);
      if (minute.length === 6) {
        const all = new Float64Array(minute.reduce((n, part) => n + part.length, 0));
        let at = 0;
        for (const part of minute) {
          all.set(part, at);
          at += part.length;
        }
        run.canaryMinuteP99.push(p99Of(all.sort()));
        minute = [];
      }
    }
  }
  return run;
};
