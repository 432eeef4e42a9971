import { describe, expect, it } from 'vitest';
import {
  describeCause,
  driftText,
  formatAge,
  formatCountdown,
  formatDuration,
  formatInstant,
} from '../../console/client/format.ts';
import {
  markerOf,
  metricSeries,
  requestsOf,
  stepViews,
  weightTimeline,
} from '../../console/client/model.ts';
import type { CheckResult, MetricResult } from '../../lib/domain/judge.ts';
import type { LedgerEntry } from '../../lib/domain/state.ts';
import { at, ledgerEntry, rolloutState } from '../support/rollout-fixtures.ts';

const state = rolloutState();
const metric = (overrides: Partial<MetricResult> = {}): MetricResult => ({
  name: 'request-success-rate',
  query: 'q',
  value: 99.5,
  primaryValue: 99.7,
  thresholdRange: { min: 99 },
  sampleSize: 120,
  primarySampleSize: 1080,
  verdict: 'pass',
  reason: '99.5 ≥ 99',
  ...overrides,
});
const check = (
  minute: number,
  weight: number,
  verdict: CheckResult['verdict'],
  m: MetricResult,
): LedgerEntry =>
  ledgerEntry(state, `check at ${weight}`, {
    at: at(minute),
    check: { weight, verdict, metrics: [m] },
    ...(verdict === 'inconclusive'
      ? { decision: { decisionId: 'd', action: 'hold', fromWeight: weight } }
      : {}),
  });
const applied = (minute: number, canary: number): LedgerEntry =>
  ledgerEntry(state, `applied ${canary}`, {
    at: at(minute),
    kind: 'applied',
    applied: { weights: { primary: 100 - canary, canary }, resourceVersion: '1', patch: [] },
  });

describe('console dates and durations', () => {
  it('writes instants with the date and the zone', () => {
    expect(formatInstant('2026-12-02T14:03:05.120Z', 'UTC')).toBe('2026-12-02 14:03:05 UTC');
    expect(formatInstant('2026-12-02T23:30:00Z', 'Asia/Tokyo')).toBe('2026-12-03 08:30:00 GMT+9');
    expect(formatInstant('not a date', 'UTC')).toBe('not a date');
  });

  it('writes durations, ages and countdowns', () => {
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(200_000)).toBe('3 min 20 s');
    expect(formatDuration(2 * 3600_000 + 5 * 60_000)).toBe('2 h 05 min');
    expect(formatAge(at(-3), Date.parse(at(0)))).toBe('3m');
    expect(formatAge(at(-30), Date.parse(at(0)))).toBe('30m');
    expect(formatAge(at(-60 * 30), Date.parse(at(0)))).toBe('30h');
    expect(formatCountdown(at(1), Date.parse(at(0)) + 35_000)).toBe('next check in 25 s');
    expect(formatCountdown(at(0), Date.parse(at(1)))).toBe('next check due now');
  });

  it('says what kanari applied, what the cluster has, and when it noticed', () => {
    const drift = {
      applied: { primary: 90, canary: 10 },
      observed: { primary: 100, canary: 0 },
      detectedAt: '2026-12-02T14:03:05Z',
      action: 'pause' as const,
    };
    expect(driftText(drift, 'UTC')).toBe(
      'kanari applied 90/10, cluster has 100/0 (primary/canary), noticed at 2026-12-02 14:03:05 UTC; the rollout is paused.',
    );
    expect(driftText({ ...drift, action: 'reapply' }, 'UTC')).toMatch(
      /; kanari re-applied its weights\.$/,
    );
  });

  it('says who caused something', () => {
    expect(describeCause({ type: 'operator', actor: 'ana', reason: 'p99' })).toBe('ana ("p99")');
    expect(describeCause({ type: 'analysis' })).toBe('analysis');
    expect(
      describeCause({
        type: 'alert',
        source: 'alertmanager',
        id: 'x',
        name: 'HighErrors',
        labels: {},
      }),
    ).toBe('alert HighErrors (alertmanager)');
  });
});

describe('console ledger markers', () => {
  it('marks failed checks, holds, no data, rollbacks and drift in words, not colour alone', () => {
    expect(markerOf(check(0, 10, 'fail', metric({ verdict: 'fail' })))).toEqual({
      tone: 'fail',
      label: '✖ Failed check',
    });
    expect(
      markerOf(check(0, 10, 'inconclusive', metric({ value: null, verdict: 'inconclusive' }))),
    ).toEqual({
      tone: 'nodata',
      label: '∅ No data · hold',
    });
    expect(markerOf(check(0, 10, 'inconclusive', metric({ verdict: 'inconclusive' }))).label).toBe(
      '⏸ Hold',
    );
    const down = metric({
      value: null,
      verdict: 'inconclusive',
      sourceDown: 'connect ECONNREFUSED',
    });
    expect(markerOf(check(0, 10, 'inconclusive', down)).label).toBe('⚡ Source down · hold');
    expect(markerOf(check(0, 10, 'pass', metric())).label).toBe('✔ Passed');
    const rollback = ledgerEntry(state, 'rollback', {
      kind: 'action',
      decision: { decisionId: 'd', action: 'rollback', fromWeight: 10, targetWeight: 0 },
    });
    expect(markerOf(rollback)).toEqual({ tone: 'rollback', label: '↩ Rollback' });
    const drift = ledgerEntry(state, 'drift', {
      kind: 'drift',
      drift: {
        applied: { primary: 90, canary: 10 },
        observed: { primary: 100, canary: 0 },
        detectedAt: at(0),
        action: 'pause',
      },
    });
    expect(markerOf(drift).label).toBe('⚠ Drift');
    for (const entry of [rollback, drift]) expect(markerOf(entry).label).toMatch(/\p{L}/u);
  });
});

describe('console step plan and series', () => {
  const entries = [
    applied(0, 10),
    check(1, 10, 'pass', metric()),
    check(2, 10, 'fail', metric({ value: 97, verdict: 'fail' })),
    applied(3, 20),
    check(4, 20, 'inconclusive', metric({ value: null, verdict: 'inconclusive', sampleSize: 0 })),
  ];

  it('counts passed and failed checks per step, with the requests behind each', () => {
    const steps = stepViews({ stepIndex: 1, phase: 'Progressing' }, [10, 20, 50], entries);
    expect(steps.map((s) => [s.weight, s.state, s.passed, s.failed, s.checks])).toEqual([
      [10, 'done', 1, 1, 2],
      [20, 'current', 0, 0, 1],
      [50, 'upcoming', 0, 0, 0],
      [100, 'upcoming', 0, 0, 0],
    ]);
    expect(steps[0]?.requests).toEqual([
      { canary: 120, primary: 1080 },
      { canary: 120, primary: 1080 },
    ]);
  });

  it('takes the requests from compare evidence when the metric has no sample size', () => {
    const result: CheckResult = {
      weight: 10,
      verdict: 'pass',
      metrics: [
        metric({
          sampleSize: undefined,
          primarySampleSize: undefined,
          evidence: {
            judge: 'compare',
            tests: [
              { canary: { requests: 300, bad: 1 }, primary: { requests: 2700, bad: 9 } },
            ] as never,
          },
        }),
      ],
    };
    expect(requestsOf(result)).toEqual({ canary: 300, primary: 2700 });
    expect(
      requestsOf({
        ...result,
        metrics: [metric({ sampleSize: undefined, primarySampleSize: undefined })],
      }),
    ).toBeUndefined();
  });

  it('draws the weight as steps from the start to now', () => {
    const line = weightTimeline(
      { createdAt: at(-1), canaryWeight: 20 },
      entries,
      Date.parse(at(10)),
    );
    expect(line.weight).toEqual([0, 10, 20, 20]);
    expect(line.t).toEqual([at(-1), at(0), at(3), at(10)].map((t) => Date.parse(t) / 1000));
  });

  it('puts each check of a metric on the time axis with its verdict and threshold', () => {
    const series = metricSeries(entries, 'request-success-rate');
    expect(series.min).toBe(99);
    expect(series.points.map((p) => [p.canary, p.verdict, p.noData])).toEqual([
      [99.5, 'pass', false],
      [97, 'fail', false],
      [null, 'inconclusive', true],
    ]);
  });
});
