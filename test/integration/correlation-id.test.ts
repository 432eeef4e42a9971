import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';
import {
  type CapturedEvent,
  type FunctionEnv,
  prepareFunctionEnv,
} from '../support/function-env.ts';
import { startInFlight } from '../support/in-flight-rollout.ts';

// One decision through three functions, as Lambda runs them in-process: a CloudWatch alarm
// makes cloudwatch-alarm decide a rollback, shift-traffic applies it to the emulated cluster,
// notify tells a webhook. Every record each writes about it carries the decision's id.

type Handler = (event: unknown, context: Context) => Promise<unknown>;
const contextOf = (fn: string) =>
  ({
    functionName: `kanari-test-${fn}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:kanari-test-${fn}`,
    memoryLimitInMB: '512',
    awsRequestId: `request-${fn}`,
    getRemainingTimeInMillis: () => 29_000,
  }) as unknown as Context;

/** The JSON lines a function wrote to stdout while `run` ran. */
const recorded = async (run: () => Promise<unknown>): Promise<Record<string, unknown>[]> => {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(String(chunk));
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    await run();
  } finally {
    process.stdout.write = write;
  }
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
};

const asEvent = (entry: CapturedEvent) => ({
  version: '0',
  id: `event-${entry.DetailType}`,
  source: entry.Source,
  'detail-type': entry.DetailType,
  time: new Date().toISOString(),
  detail: JSON.parse(entry.Detail),
});

describe('a decision’s correlation id', () => {
  let emulator: KubeEmulator;
  let env: FunctionEnv;
  let handlers: Record<'alarm' | 'shift' | 'notify', Handler>;
  let hooked = 0;
  const hook = createServer((req, res) => {
    hooked += 1;
    req.resume().on('end', () => res.writeHead(200).end());
  });
  const spec: RolloutSpec = {
    ...seedSpec(),
    alerts: {
      bakeWindow: '0s',
      matchers: [{ alarmNames: ['my-service-canary-5xx'], action: 'rollback' }],
    },
  };

  beforeAll(async () => {
    emulator = await startKubeEmulator();
    // The cluster as the first step left it: 10% on the canary.
    const vs = seedVirtualService();
    const routes = vs.spec.http?.[0]?.route ?? [];
    (routes[0] as { weight: number }).weight = 90;
    (routes[1] as { weight: number }).weight = 10;
    emulator.seed(vs);
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
    env = await prepareFunctionEnv(inject('dynamoEndpoint'), {
      KUBECONFIG: emulator.kubeconfigPath,
      KANARI_NOTIFY_TARGETS: JSON.stringify({
        audit: { type: 'webhook', secretEnv: 'TEST_HOOK_URL' },
      }),
      TEST_HOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`,
    });
    const load = async (fn: string) =>
      ((await import(`../../functions/${fn}.ts`)) as { handler: Handler }).handler;
    handlers = {
      alarm: await load('cloudwatch-alarm'),
      shift: await load('shift-traffic'),
      notify: await load('notify'),
    };
    await startInFlight(env.store, spec);
  });
  afterAll(async () => {
    await env?.restore();
    await emulator?.stop();
    await new Promise<void>((resolve) => hook.close(() => resolve()));
  });

  it('is on every record of every function that handles the decision, and on its metrics', async () => {
    const alarm = JSON.parse(
      readFileSync(
        new URL('../events/cloudwatch-alarm-state-change.json', import.meta.url),
        'utf8',
      ),
    );
    const alarmLines = await recorded(() => handlers.alarm(alarm, contextOf('cloudwatch-alarm')));
    const requested = env.events.find((e) => e.DetailType === 'Rollback Requested');
    if (!requested) throw new Error('the alarm requested no rollback');
    const decisionId = JSON.parse(requested.Detail).decisionId as string;
    expect(decisionId).toMatch(/\S/);
    expect(alarmLines.filter((l) => l.message === 'alert decision')).toEqual([
      expect.objectContaining({ correlation_id: decisionId, fn: 'cloudwatch-alarm', decisionId }),
    ]);

    const shiftLines = await recorded(() =>
      handlers.shift(asEvent(requested), contextOf('shift-traffic')),
    );
    const rolledBack = env.events.find((e) => e.DetailType === 'Rollout Rolled Back');
    if (!rolledBack) throw new Error('shift-traffic announced no rollback');
    expect(JSON.parse(rolledBack.Detail).decisionId).toBe(decisionId);
    const notifyLines = await recorded(() =>
      handlers.notify(asEvent(rolledBack), contextOf('notify')),
    );
    expect(hooked).toBe(1);

    for (const [fn, lines] of [
      ['shift-traffic', shiftLines],
      ['notify', notifyLines],
    ] as const) {
      const records = lines.filter((l) => typeof l.message === 'string');
      expect(records.map((l) => l.message)).toContain('invocation done');
      for (const record of records)
        expect(record, `${fn}: ${String(record.message)}`).toMatchObject({
          fn,
          correlation_id: decisionId,
          level: 'INFO',
          service: 'kanari',
          function_request_id: `request-${fn}`,
        });
    }
    // The rollback's metrics (embedded metric format): by its cause, and the patch's latency.
    const emf = shiftLines.filter((l) => l._aws !== undefined);
    expect(emf.some((l) => l.cause === 'alert' && l.Rollbacks === 1)).toBe(true);
    expect(emf.some((l) => typeof l.ApplyLatency === 'number')).toBe(true);
  });
});
