import middy from '@middy/core';
import { applyDecision } from '../lib/app/apply-decision.ts';
import { checkDrift } from '../lib/app/check-drift.ts';
import { eventBridgeEventSchema } from '../lib/schemas/events.ts';
import { applyDeps } from './shared/kube-wiring.ts';
import { count, latency } from './shared/log.ts';
import { logging } from './shared/middleware.ts';
import { tracing } from './shared/tracing.ts';

const deps = applyDeps();

/** EventBridge's schedule (`rate(1 minute)`): the drift check, which reads Kubernetes too. */
const isSchedule = (event: unknown): boolean =>
  typeof event === 'object' &&
  event !== null &&
  (event as { source?: unknown }).source === 'aws.events' &&
  (event as { 'detail-type'?: unknown })['detail-type'] === 'Scheduled Event';

/**
 * EventBridge rule on the traffic requests. The only writer of VirtualService weights.
 * Throwing lets EventBridge's async retry deliver the decision again; duplicates are ignored.
 * On its schedule it checks every in-flight rollout's weights for drift instead.
 */
export const handler = middy<unknown>()
  .use(logging('shift-traffic'))
  .use(tracing())
  .handler(async (event) => {
    if (isSchedule(event)) {
      const results = await checkDrift(deps);
      for (const result of results)
        if (result.outcome !== 'in-sync' && result.outcome !== 'skipped') {
          deps.log?.('drift check', { ...result });
          if (result.outcome === 'drift') count('Drift', 'seen', 'by the drift check');
        }
      return { checked: results.length, results };
    }
    const parsed = eventBridgeEventSchema.safeParse(event);
    if (!parsed.success) {
      // A malformed event will not improve on retry: log it and drop it.
      deps.log?.('malformed event dropped', {
        issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      });
      return { outcome: 'ignored', reason: 'malformed event' };
    }
    const started = performance.now();
    const result = await applyDecision(deps, parsed.data.detail);
    latency('ApplyLatency', Math.round(performance.now() - started));
    if (result.outcome === 'applied' && result.phase === 'RolledBack')
      count('Rollbacks', 'cause', parsed.data.detail.cause.type);
    if (result.outcome === 'drift') count('Drift', 'seen', 'before a patch');
    deps.log?.('decision handled', {
      detailType: parsed.data['detail-type'],
      rolloutId: parsed.data.detail.rolloutId,
      ...result,
    });
    return result;
  });
