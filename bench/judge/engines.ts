/**
 * The rules the benchmark compares, each reading the same simulated run. Each returns when it
 * would have rolled back or promoted (seconds since the start), or null for never.
 */
import { classifyMetric, type KayentaMetricConfig } from '../../lib/domain/judge-kayenta.ts';
import { DEFAULT_REPLAY_SPEC, replay } from '../../lib/domain/judge-replay.ts';
import { type Scenario, sprtRhoOf } from './scenarios.ts';
import type { SimulatedRun } from './simulate.ts';

export interface Outcome {
  rollbackAt: number | null;
  promoteAt: number | null;
}

export interface Engine {
  name: string;
  judge: (run: SimulatedRun, scenario: Scenario) => Outcome;
}

const MINUTE_BUCKETS = 6;
const never: Outcome = { rollbackAt: null, promoteAt: null };

/**
 * kanari's default judge, through the very `replay` behind `kanari judge replay`: its `final`
 * ends the run (regression rolls back, non-inferior promotes; the canary stays at w throughout,
 * so no step plan is given).
 */
const kanari: Engine = {
  name: 'kanari',
  judge: (run) => {
    const { final } = replay(DEFAULT_REPLAY_SPEC, run.buckets);
    if (final.verdict === 'regression') return { rollbackAt: final.t, promoteAt: null };
    if (final.verdict === 'non-inferior') return { rollbackAt: null, promoteAt: final.t };
    return never;
  },
};

/**
 * Flagger-style: every minute, the canary alone over the last minute: success rate ≥ the
 * threshold (errors scenarios) or p99 ≤ 400 ms (latency scenarios). Failed checks count
 * cumulatively: the 5th rolls back; the 10th passed check promotes. No requests fails the check,
 * as Flagger's "no values found" does.
 */
const flagger = (successThreshold: number): Engine => ({
  name: `flagger${Math.round(successThreshold * 100)}`,
  judge: (run, scenario) => {
    let failed = 0;
    let passed = 0;
    for (let m = 0; m * MINUTE_BUCKETS < run.buckets.length; m++) {
      const minute = run.buckets.slice(m * MINUTE_BUCKETS, (m + 1) * MINUTE_BUCKETS);
      const t = minute[minute.length - 1]?.t as number;
      let ok: boolean;
      if (scenario.metric === 'latency') {
        const p99 = run.canaryMinuteP99[m] as number;
        ok = Number.isFinite(p99) && p99 <= 400;
      } else {
        const requests = minute.reduce((n, b) => n + b.canary.requests, 0);
        const errors = minute.reduce((n, b) => n + b.canary.errors, 0);
        ok = requests > 0 && 1 - errors / requests >= successThreshold;
      }
      if (ok) passed++;
      else failed++;
      if (failed >= 5) return { rollbackAt: t, promoteAt: null };
      if (passed >= 10) return { rollbackAt: null, promoteAt: t };
    }
    return never;
  },
});

const KAYENTA: KayentaMetricConfig = {
  direction: 'increase',
  confidence: 0.98,
  tolerance: 0.25,
  critical: false,
  mustHaveData: false,
  nanStrategy: 'remove',
  outliers: 'keep',
};

/** 10-second points of the scenario's metric: error rate (NaN without requests) or p99. */
const pointsOf = (run: SimulatedRun, scenario: Scenario) =>
  scenario.metric === 'latency'
    ? { canary: run.canaryP99, baseline: run.primaryP99 }
    : {
        canary: run.buckets.map((b) => b.canary.errors / b.canary.requests),
        baseline: run.buckets.map((b) => b.primary.errors / b.primary.requests),
      };

/**
 * Kayenta-style: every minute, the Mann–Whitney classifier on 10-second points of canary
 * against baseline, over the last minute (6 against 6) or everything so far. "High" rolls back;
 * a run never High promotes when the 30-minute analysis ends.
 */
const kayenta = (window: 'last' | 'cumulative'): Engine => ({
  name: window === 'last' ? 'kayentaLast' : 'kayentaCum',
  judge: (run, scenario) => {
    const points = pointsOf(run, scenario);
    for (let end = MINUTE_BUCKETS; end <= run.buckets.length; end += MINUTE_BUCKETS) {
      const start = window === 'last' ? end - MINUTE_BUCKETS : 0;
      const result = classifyMetric(
        points.canary.slice(start, end),
        points.baseline.slice(start, end),
        KAYENTA,
      );
      if (result.classification === 'High')
        return { rollbackAt: run.buckets[end - 1]?.t as number, promoteAt: null };
    }
    return { rollbackAt: null, promoteAt: run.buckets[run.buckets.length - 1]?.t ?? null };
  },
});

const SPRT_ALPHA = 0.01;
const SPRT_BETA = 0.1;

/**
 * Wald's SPRT, told the true rate ratio ρ1: each bad event of the scenario's metric is the
 * canary's with probability θ0 (its share of the bucket's requests) under ρ = 1 and
 * θ1 = ρ1θ0 / (ρ1θ0 + 1 − θ0) under the alternative. Crossing log((1−β)/α) rolls back;
 * crossing log(β/(1−α)) promotes.
 */
const sprt: Engine = {
  name: 'sprt',
  judge: (run, scenario) => {
    const upper = Math.log((1 - SPRT_BETA) / SPRT_ALPHA);
    const lower = Math.log(SPRT_BETA / (1 - SPRT_ALPHA));
    const rho = sprtRhoOf(scenario, run.slowBoundMs);
    const field = scenario.metric === 'latency' ? 'slow' : 'errors';
    let llr = 0;
    for (const b of run.buckets) {
      const requests = b.canary.requests + b.primary.requests;
      const bad = b.canary[field] + b.primary[field];
      if (requests === 0 || bad === 0) continue;
      const theta0 = b.canary.requests / requests;
      if (theta0 === 0 || theta0 === 1) continue;
      const theta1 = (rho * theta0) / (rho * theta0 + 1 - theta0);
      const x = b.canary[field];
      llr += x * Math.log(theta1 / theta0) + (bad - x) * Math.log((1 - theta1) / (1 - theta0));
      if (llr >= upper) return { rollbackAt: b.t, promoteAt: null };
      if (llr <= lower) return { rollbackAt: null, promoteAt: b.t };
    }
    return never;
  },
};

/** The rules, in the order the table prints them. */
export const ENGINES: readonly Engine[] = [
  kanari,
  flagger(0.99),
  flagger(0.98),
  kayenta('last'),
  kayenta('cumulative'),
  sprt,
];
