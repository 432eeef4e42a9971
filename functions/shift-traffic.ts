import middy from '@middy/core';
import { applyDecision } from '../lib/app/apply-decision.ts';
import { eventBridgeEventSchema } from '../lib/schemas/events.ts';
import { applyDeps } from './shared/live-wiring.ts';
import { logging } from './shared/middleware.ts';

const deps = applyDeps();

/**
 * EventBridge rule on the traffic requests. The only writer of VirtualService weights.
 * Throwing lets EventBridge's async retry deliver the decision again; duplicates are ignored.
 */
export const handler = middy<unknown>()
  .use(logging('shift-traffic'))
  .handler(async (event) => {
    const parsed = eventBridgeEventSchema.safeParse(event);
    if (!parsed.success) {
      // A malformed event will not improve on retry: log it and drop it.
      deps.log?.('malformed event dropped', {
        issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      });
      return { outcome: 'ignored', reason: 'malformed event' };
    }
    const result = await applyDecision(deps, parsed.data.detail);
    deps.log?.('decision handled', {
      detailType: parsed.data['detail-type'],
      rolloutId: parsed.data.detail.rolloutId,
      ...result,
    });
    return result;
  });
