import middy from '@middy/core';
import { intakeAlerts } from '../lib/app/intake-alert.ts';
import {
  cloudWatchAlarmEventSchema,
  normalizeCloudWatchAlarm,
  parseWith,
} from '../lib/schemas/alerts.ts';
import { recordAlertDecisions } from './shared/alert-outcomes.ts';
import { logging } from './shared/middleware.ts';
import { tracing } from './shared/tracing.ts';
import { alertDeps } from './shared/wiring.ts';

const deps = alertDeps();

/**
 * EventBridge rule on `CloudWatch Alarm State Change` to ALARM (default bus). The rule filters
 * on the state already; anything else that arrives is ignored here too, so OK and
 * INSUFFICIENT_DATA never roll back. Throwing lets EventBridge deliver the event again.
 */
export const handler = middy<unknown>()
  .use(logging('cloudwatch-alarm'))
  .use(tracing())
  .handler(async (event) => {
    const parsed = parseWith(cloudWatchAlarmEventSchema, event);
    if (!parsed.ok) {
      const reason = `malformed alarm event: ${parsed.problem.path}: ${parsed.problem.message}`;
      deps.log?.('alarm event dropped', { reason });
      return { outcome: 'ignored', reason };
    }
    const { alarmName, state } = parsed.value.detail;
    if (state.value !== 'ALARM') {
      deps.log?.('alarm state change ignored', { alarmName, state: state.value });
      return { outcome: 'ignored', reason: `${alarmName} is ${state.value}, not ALARM` };
    }
    const outcomes = await intakeAlerts(deps, [normalizeCloudWatchAlarm(parsed.value)]);
    recordAlertDecisions(outcomes);
    deps.log?.('alarm handled', { alarmName, outcome: outcomes[0]?.outcome });
    return { outcome: 'handled', outcomes };
  });
