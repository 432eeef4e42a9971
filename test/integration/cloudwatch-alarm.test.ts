import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { matchesPattern } from '../support/event-pattern.ts';
import { seedSpec } from '../support/fixtures.ts';
import { type FunctionEnv, prepareFunctionEnv } from '../support/function-env.ts';
import { startInFlight } from '../support/in-flight-rollout.ts';

type AlarmEvent = Record<string, unknown> & { detail: Record<string, unknown> };
const alarmEvent = (state: string): AlarmEvent => {
  const event = JSON.parse(
    readFileSync(new URL('../events/cloudwatch-alarm-state-change.json', import.meta.url), 'utf8'),
  ) as AlarmEvent;
  return {
    ...event,
    detail: { ...event.detail, state: { ...(event.detail.state as object), value: state } },
  };
};

/** The rule serverless.yml deploys for the cloudwatch-alarm function. */
const rule = (): { pattern: Record<string, unknown>; eventBus?: unknown } => {
  const config = parse(readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8'));
  const events = config.functions['cloudwatch-alarm'].events as { eventBridge?: object }[];
  const found = events.find((event) => event.eventBridge)?.eventBridge;
  if (!found) throw new Error('serverless.yml has no eventBridge rule for cloudwatch-alarm');
  return found as { pattern: Record<string, unknown>; eventBus?: unknown };
};

describe('the CloudWatch alarm rule in serverless.yml', () => {
  it('listens on the default bus, where CloudWatch sends alarm state changes', () => {
    expect(rule().eventBus).toBeUndefined();
  });

  it('matches a transition to ALARM, and not to OK or INSUFFICIENT_DATA', () => {
    const { pattern } = rule();
    expect(matchesPattern(pattern, alarmEvent('ALARM'))).toBe(true);
    expect(matchesPattern(pattern, alarmEvent('OK'))).toBe(false);
    expect(matchesPattern(pattern, alarmEvent('INSUFFICIENT_DATA'))).toBe(false);
  });

  it("matches neither kanari's own events nor other CloudWatch events", () => {
    const { pattern } = rule();
    expect(matchesPattern(pattern, { ...alarmEvent('ALARM'), source: 'kanari' })).toBe(false);
    expect(
      matchesPattern(pattern, {
        ...alarmEvent('ALARM'),
        'detail-type': 'CloudWatch Alarm Configuration Change',
      }),
    ).toBe(false);
  });
});

describe('cloudwatch-alarm handler (functions/cloudwatch-alarm.ts against DynamoDB Local)', () => {
  const ID = 'sandbox/default/my-service';
  const spec: RolloutSpec = {
    ...seedSpec(),
    alerts: {
      bakeWindow: '0s',
      matchers: [{ alarmNames: ['my-service-canary-5xx'], action: 'rollback' }],
    },
  };
  let env: FunctionEnv;
  let handler: (event: unknown, context: Context) => Promise<Record<string, unknown>>;
  const context = { getRemainingTimeInMillis: () => 29_000 } as unknown as Context;

  beforeAll(async () => {
    env = await prepareFunctionEnv(inject('dynamoEndpoint'));
    ({ handler } = (await import('../../functions/cloudwatch-alarm.ts')) as unknown as {
      handler: typeof handler;
    });
    await startInFlight(env.store, spec);
  });
  afterAll(async () => {
    await env?.restore();
  });

  it('ignores OK and INSUFFICIENT_DATA if they arrive, changing nothing', async () => {
    for (const state of ['OK', 'INSUFFICIENT_DATA']) {
      const before = await env.snapshot();
      expect(await handler(alarmEvent(state), context)).toEqual({
        outcome: 'ignored',
        reason: `my-service-canary-5xx is ${state}, not ALARM`,
      });
      expect(await env.snapshot()).toEqual(before);
    }
    expect(env.events).toHaveLength(0);
    expect((await env.store.get(ID))?.phase).toBe('Progressing');
  });

  it('drops a malformed event without retrying it', async () => {
    const before = await env.snapshot();
    const { resources: _, ...event } = alarmEvent('ALARM');
    expect(await handler(event, context)).toMatchObject({
      outcome: 'ignored',
      reason: expect.stringMatching(/^malformed alarm event: resources: /),
    });
    expect(await env.snapshot()).toEqual(before);
  });

  it('rolls back on ALARM, with the alarm ARN as the cause', async () => {
    const arn = 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:my-service-canary-5xx';
    expect(await handler(alarmEvent('ALARM'), context)).toMatchObject({
      outcome: 'handled',
      outcomes: [
        { outcome: 'matched', rollouts: [{ rolloutId: ID, outcome: 'rollback-requested' }] },
      ],
    });
    const state = await env.store.get(ID);
    expect(state?.phase).toBe('RollingBack');
    expect(state?.pending?.cause).toMatchObject({
      type: 'alert',
      source: 'cloudwatch',
      id: arn,
      name: 'my-service-canary-5xx',
    });
    const requested = env.events.filter((e) => e.DetailType === 'Rollback Requested');
    expect(requested).toHaveLength(1);
    // EventBridge delivers at least once: the same event again is a duplicate.
    expect(await handler(alarmEvent('ALARM'), context)).toMatchObject({
      outcomes: [{ rollouts: [{ outcome: 'duplicate' }] }],
    });
    expect(env.events.filter((e) => e.DetailType === 'Rollback Requested')).toHaveLength(1);
  });
});
