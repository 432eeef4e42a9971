import { describe, expect, it } from 'vitest';
import { describeEntry, describeMetric } from '../../lib/domain/describe.ts';
import type { MetricResult } from '../../lib/domain/judge.ts';
import type { LedgerEntry } from '../../lib/domain/state.ts';

const PLAN = [10, 20, 30, 40, 50];

const successRate = (value: number | null, verdict: MetricResult['verdict'] = 'pass') =>
  ({
    name: 'request-success-rate',
    query: 'q',
    value,
    thresholdRange: { min: 99 },
    verdict,
    reason: value === null ? 'no data' : 'ok',
  }) satisfies MetricResult;
const p99 = (value: number) =>
  ({
    name: 'request-duration',
    query: 'q',
    value,
    thresholdRange: { max: 500 },
    verdict: value <= 500 ? 'pass' : 'fail',
    reason: 'ok',
  }) satisfies MetricResult;

const entry = (fields: Partial<LedgerEntry>): LedgerEntry => ({
  rolloutId: 'prod/shop/cart',
  revision: 1,
  stateVersion: 3,
  at: '2026-01-01T00:00:00.000Z',
  kind: 'check',
  phase: 'Progressing',
  cause: { type: 'analysis' },
  message: 'raw message',
  ...fields,
});

describe('ledger entries in plain language', () => {
  it('names a passing check by its step and says where it leads', () => {
    const text = describeEntry(
      entry({
        check: { weight: 20, verdict: 'pass', metrics: [successRate(99.234), p99(312)] },
        decision: { decisionId: 'd', action: 'step', fromWeight: 20, targetWeight: 30 },
      }),
      { plan: PLAN },
    );
    expect(text).toBe(
      'Step 2 at 20%: success rate 99.23% ≥ 99% · p99 312 ms ≤ 500 ms → promote to 30%',
    );
  });

  it('says what failed and that it holds or rolls back', () => {
    const failing = { weight: 30, verdict: 'fail' as const, metrics: [successRate(97.5, 'fail')] };
    expect(
      describeEntry(
        entry({
          check: failing,
          decision: { decisionId: 'd', action: 'hold', fromWeight: 30 },
        }),
        { plan: PLAN },
      ),
    ).toBe('Step 3 at 30%: success rate 97.5% < 99% → fail, hold');
    expect(
      describeEntry(
        entry({
          check: failing,
          decision: { decisionId: 'd', action: 'rollback', fromWeight: 30, targetWeight: 0 },
        }),
      ),
    ).toBe('Check at 30%: success rate 97.5% < 99% → fail, roll back to 0%');
  });

  it('shows no data as such', () => {
    expect(describeMetric(successRate(null, 'inconclusive'))).toBe('success rate: no data');
  });

  it('names the operator and their reason on actions', () => {
    const operator = {
      type: 'operator' as const,
      actor: 'arn:aws:iam::1:user/ana',
      reason: 'p99 doubled',
    };
    expect(
      describeEntry(
        entry({
          kind: 'action',
          cause: operator,
          decision: { decisionId: 'd', action: 'rollback', fromWeight: 20, targetWeight: 0 },
        }),
      ),
    ).toBe(
      'Rollback requested at 20% by arn:aws:iam::1:user/ana ("p99 doubled") → roll back to 0%',
    );
    expect(
      describeEntry(
        entry({
          kind: 'action',
          cause: operator,
          decision: { decisionId: 'd', action: 'pause', fromWeight: 20 },
        }),
      ),
    ).toBe('Paused at 20% by arn:aws:iam::1:user/ana ("p99 doubled")');
    expect(
      describeEntry(
        entry({
          kind: 'action',
          cause: operator,
          decision: { decisionId: 'd', action: 'promote', fromWeight: 20, targetWeight: 100 },
        }),
      ),
    ).toBe(
      'Full promotion requested at 20% by arn:aws:iam::1:user/ana ("p99 doubled") → promote to 100%',
    );
  });

  it('names an alert that asked for a rollback', () => {
    expect(
      describeEntry(
        entry({
          kind: 'action',
          cause: {
            type: 'alert',
            source: 'alertmanager',
            id: 'fp',
            name: 'HighErrorRate',
            labels: {},
          },
          decision: { decisionId: 'd', action: 'rollback', fromWeight: 10, targetWeight: 0 },
        }),
      ),
    ).toBe('Rollback requested at 10% by alert HighErrorRate (alertmanager) → roll back to 0%');
  });

  it('describes the start and what was applied', () => {
    expect(
      describeEntry(
        entry({
          kind: 'start',
          cause: { type: 'operator', actor: 'ci', reason: 'deploy 1.2.3' },
          decision: { decisionId: 'd', action: 'step', fromWeight: 0, targetWeight: 10 },
        }),
      ),
    ).toBe('Started by ci ("deploy 1.2.3") → first step at 10%');
    expect(
      describeEntry(
        entry({
          kind: 'applied',
          phase: 'RolledBack',
          applied: { weights: { primary: 100, canary: 0 }, resourceVersion: '7', patch: [] },
        }),
      ),
    ).toBe('Applied: primary 100% · canary 0% → RolledBack');
  });
});
