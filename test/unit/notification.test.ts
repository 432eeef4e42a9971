import { describe, expect, it } from 'vitest';
import { slackMessage, webhookBody } from '../../lib/adapters/notify/webhooks.ts';
import { DETAIL_TYPES, type EventDetail, type KanariEvent } from '../../lib/domain/events.ts';
import { NOTIFIED, notificationOf } from '../../lib/domain/notification.ts';

const detail = (overrides: Partial<EventDetail> = {}): EventDetail => ({
  rolloutId: 'prod/shop/cart',
  revision: 2,
  stateVersion: 9,
  decisionId: 'd-1',
  cause: { type: 'analysis' },
  phase: 'RolledBack',
  ...overrides,
});
const event = (detailType: KanariEvent['detailType'], overrides: Partial<EventDetail> = {}) =>
  ({ detailType, detail: detail(overrides) }) as KanariEvent;
const CONSOLE = 'https://abc.execute-api.eu-west-1.amazonaws.com/';

describe('what a notification says', () => {
  it('names the rollout, what happened and the alert that caused a rollback, with a link', () => {
    const n = notificationOf(
      event('Rollout Rolled Back', {
        cause: {
          type: 'alert',
          source: 'alertmanager',
          id: 'f1',
          name: 'HighErrorRate',
          labels: {},
        },
      }),
      CONSOLE,
    );
    expect(n).toEqual({
      rolloutId: 'prod/shop/cart',
      event: 'Rollout Rolled Back',
      headline: 'prod/shop/cart rolled back',
      why: 'alert HighErrorRate from alertmanager',
      phase: 'RolledBack',
      link: 'https://abc.execute-api.eu-west-1.amazonaws.com/#/rollouts/prod/shop/cart',
      severity: 'critical',
    });
  });

  it("gives the operator and their reason, the decision's own reason, or the failed check", () => {
    expect(
      notificationOf(
        event('Pause Requested', {
          cause: { type: 'operator', actor: 'ana', reason: 'db migration' },
        }),
      )?.why,
    ).toBe('ana: db migration');
    expect(
      notificationOf(event('Rollout Failed', { reason: 'progressDeadline of 30m passed' }))?.why,
    ).toBe('progressDeadline of 30m passed');
    expect(
      notificationOf(
        event('Rollout Rolled Back', {
          check: {
            weight: 20,
            verdict: 'fail',
            metrics: [
              {
                name: 'request-success-rate',
                query: 'q',
                value: 91.5,
                verdict: 'fail',
                reason: '91.5 is below 99',
              },
              { name: 'latency', query: 'q', value: 120, verdict: 'pass', reason: 'within' },
            ],
          },
        }),
      )?.why,
    ).toBe('check at 20%: fail (request-success-rate: 91.5 is below 99)');
  });

  it('says where traffic went on a step, and what a drift changed', () => {
    expect(
      notificationOf(
        event('Traffic Shifted', { phase: 'Progressing', weights: { primary: 80, canary: 20 } }),
      )?.headline,
    ).toBe('prod/shop/cart shifted traffic to primary 80% · canary 20%');
    const drift = notificationOf(
      event('Drift Detected', {
        drift: {
          applied: { primary: 80, canary: 20 },
          observed: { primary: 100, canary: 0 },
          detectedAt: '2030-01-01T12:00:00Z',
          action: 'pause',
        },
      }),
    );
    expect(drift?.why).toBe(
      'kanari had applied primary 80% · canary 20%, the cluster has primary 100% · canary 0%',
    );
    expect(drift?.severity).toBe('warning');
  });

  it('tells of the seven rollout events and of no request on its way', () => {
    const told = DETAIL_TYPES.filter((type) => notificationOf(event(type)) !== undefined);
    expect([...told].sort()).toEqual([...NOTIFIED].sort());
    expect([...told].sort()).toEqual(
      [
        'Rollout Started',
        'Pause Requested',
        'Traffic Shifted',
        'Rollout Succeeded',
        'Rollout Rolled Back',
        'Rollout Failed',
        'Drift Detected',
      ].sort(),
    );
  });

  it('is a Slack message with a button to the console, or JSON for a webhook', () => {
    const n = notificationOf(event('Rollout Succeeded', { phase: 'Succeeded' }), CONSOLE);
    if (!n) throw new Error('expected a notification');
    const slack = slackMessage(n);
    expect(slack.text).toBe(':large_blue_circle: prod/shop/cart succeeded: the canary analysis');
    expect(JSON.stringify(slack.blocks)).toContain(
      '"url":"https://abc.execute-api.eu-west-1.amazonaws.com/#/rollouts/prod/shop/cart"',
    );
    expect(webhookBody(n)).toEqual({ version: '1', ...n });
  });
});
