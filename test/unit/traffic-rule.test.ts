import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DETAIL_TYPES, TRAFFIC_REQUESTS } from '../../lib/domain/events.ts';
import { matchesPattern } from '../support/event-pattern.ts';

const serverless = parse(
  readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8'),
) as {
  functions: Record<string, { events: { eventBridge?: { pattern: Record<string, unknown> } }[] }>;
};
const pattern = serverless.functions['shift-traffic']?.events.find((e) => e.eventBridge)
  ?.eventBridge?.pattern;
const event = (detailType: string) => ({ source: 'kanari', 'detail-type': detailType, detail: {} });

describe("shift-traffic's EventBridge rule in serverless.yml", () => {
  it('routes every traffic request, Finalize Requested included, and nothing else', () => {
    if (!pattern) throw new Error('serverless.yml has no eventBridge pattern for shift-traffic');
    expect(TRAFFIC_REQUESTS).toContain('Finalize Requested');
    const routed = DETAIL_TYPES.filter((type) => matchesPattern(pattern, event(type)));
    expect([...routed].sort()).toEqual([...TRAFFIC_REQUESTS].sort());
  });
});

describe("shift-traffic's drift check in serverless.yml", () => {
  it('runs on a one-minute schedule on the function that reads Kubernetes', () => {
    const events = serverless.functions['shift-traffic']?.events as { schedule?: unknown }[];
    expect(events.map((e) => e.schedule).filter(Boolean)).toEqual([
      { rate: 'rate(1 minute)', enabled: true },
    ]);
  });
});
