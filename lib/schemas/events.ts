import { DETAIL_TYPES, type EventDetail } from '../domain/events.ts';
import { type AnalysisShard, SHARD_DETAIL_TYPE } from '../domain/shards.ts';
import * as z from './mini.ts';

const text = z.string().check(z.minLength(1));

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
  rolloutId: text,
  revision: z.int().check(z.gte(1)),
  stateVersion: z.int().check(z.gte(0)),
  decisionId: text,
  cause,
  phase: z.string(),
  targetWeight: z.optional(z.int().check(z.gte(0), z.lte(100))),
}) satisfies z.ZodMiniType<EventDetail, unknown>;

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
    shard: z.int().check(z.gte(1)),
    of: z.int().check(z.gte(1)),
    ids: z.array(text).check(z.minLength(1)),
  }),
}) satisfies z.ZodMiniType<{ detail: AnalysisShard }, unknown>;
