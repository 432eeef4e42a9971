import type { AlertOutcome } from '../../lib/app/intake-alert.ts';
import { count, log } from './log.ts';

/** A record per decision an alert made (its id the correlation id), and the decisions' count. */
export const recordAlertDecisions = (outcomes: AlertOutcome[]): void => {
  for (const outcome of outcomes) {
    if (outcome.outcome !== 'matched') continue;
    for (const rollout of outcome.rollouts) {
      if (!rollout.decisionId) continue;
      log('alert decision', { alert: outcome.alert, ...rollout });
      count(
        'Decisions',
        'type',
        rollout.action === 'rollback' ? 'Rollback Requested' : 'Pause Requested',
      );
    }
  }
};
