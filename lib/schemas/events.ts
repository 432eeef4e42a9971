import * as z from 'zod';
import { DETAIL_TYPES, type EventDetail } from '../domain/events.ts';
import { type AnalysisShard, SHARD_DETAIL_TYPE } from '../domain/shards.ts';

const cause = z.discriminatedUnion('type', [
  z.object({ type: z.literal('scheduler') }),
  z.object({ type: z.literal('analysis') }),
  z.object({
    type: z.literal('alert'),
    source: z.string(),
    id: z.string(),
    name: z.string(),
    labels: z.record(z.string(), z.string()),
  }),
  z.object({ type: z.literal('operator'), actor: z.string(), reason: z.string() }),
]);

/** The fields shift-traffic relies on; the rest of a detail passes through. */
export const eventDetailSchema = z.looseObject({
  rolloutId: z.string().min(1),
  revision: z.number().int().min(1),
  stateVersion: z.number().int().min(0),
  decisionId: z.string().min(1),
  cause,
  phase: z.string(),
  targetWeight: z.number().int().min(0).max(100).optional(),
}) satisfies z.ZodType<EventDetail, unknown>;

/** EventBridge's envelope as Lambda receives it. */
export const eventBridgeEventSchema = z.looseObject({
  id: z.string(),
  source: z.literal('kanari'),
  'detail-type': z.enum(DETAIL_TYPES),
  time: z.string(),
  detail: eventDetailSchema,
});

/** A shard of a scheduler tick (lib/domain/shards.ts), as the analyze function receives it. */
export const analysisShardEventSchema = z.looseObject({
  source: z.literal('kanari'),
  'detail-type': z.literal(SHARD_DETAIL_TYPE),
  detail: z.object({
    tickAt: z.iso.datetime(),
    shard: z.number().int().min(1),
    of: z.number().int().min(1),
    ids: z.array(z.string().min(1)).min(1),
  }),
}) satisfies z.ZodType<{ detail: AnalysisShard }, unknown>;
