import { describe, expect, it } from 'vitest';
import { summarizeRevisions } from '../../lib/domain/revisions.ts';
import { at, ledgerEntry, rolloutState } from '../support/rollout-fixtures.ts';

describe('revisions of a rollout', () => {
  const first = rolloutState('prod/shop/cart', { revision: 1, phase: 'Progressing' });
  const operator = { type: 'operator' as const, actor: 'ana', reason: 'ship it' };
  const entries = [
    ledgerEntry(first, 'started', { kind: 'start', at: at(-60), cause: operator }),
    ledgerEntry(first, 'check failed', {
      at: at(-55),
      check: { weight: 10, verdict: 'fail', metrics: [] },
    }),
    ledgerEntry(first, 'applied 10', {
      kind: 'applied',
      at: at(-58),
      applied: { weights: { primary: 90, canary: 10 }, resourceVersion: '1', patch: [] },
    }),
    ledgerEntry(first, 'Check failed at 10%: 2 failed checks reached the threshold of 2', {
      at: at(-52),
      cause: { type: 'analysis' },
      check: { weight: 10, verdict: 'fail', metrics: [] },
      decision: { decisionId: 'd1', action: 'rollback', fromWeight: 10, targetWeight: 0 },
    }),
    // The entry that applies the rollback carries the decision too: it is not what ended it.
    ledgerEntry({ ...first, phase: 'RolledBack' }, 'Applied: primary 100% · canary 0%', {
      kind: 'applied',
      at: at(-50),
      cause: { type: 'scheduler' },
      decision: { decisionId: 'd1', action: 'rollback', fromWeight: 10, targetWeight: 0 },
    }),
    ledgerEntry({ ...first, revision: 2 }, 'started again', {
      kind: 'start',
      at: at(-5),
      cause: operator,
    }),
  ];
  const state = rolloutState('prod/shop/cart', {
    revision: 2,
    phase: 'Progressing',
    createdAt: at(-5),
    canaryWeight: 20,
  });

  it('lists every revision newest first, with outcome, duration and cause', () => {
    const revisions = summarizeRevisions(state, entries, new Date(at(0)));
    expect(revisions).toEqual([
      {
        revision: 2,
        phase: 'Progressing',
        startedAt: at(-5),
        durationMs: 5 * 60_000,
        startedBy: operator,
        checks: 0,
        failedChecks: 0,
        maxWeight: 20,
      },
      {
        revision: 1,
        phase: 'RolledBack',
        startedAt: at(-60),
        endedAt: at(-50),
        durationMs: 10 * 60_000,
        startedBy: operator,
        endedBy: { type: 'analysis' },
        endMessage: 'Check failed at 10%: 2 failed checks reached the threshold of 2',
        checks: 2,
        failedChecks: 2,
        maxWeight: 10,
      },
    ]);
  });

  it('gives the current revision a line even before it has ledger entries', () => {
    const [only] = summarizeRevisions(state, [], new Date(at(0)));
    expect(only).toMatchObject({ revision: 2, phase: 'Progressing', durationMs: 5 * 60_000 });
  });
});
