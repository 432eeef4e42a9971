import { type ApiClient, createApiClient } from '../cli/api-client.ts';
import { createPrometheusMetricsProvider } from '../lib/adapters/prometheus/index.ts';
import { primarySeriesProblems } from '../lib/app/preflight.ts';
import { durationMs } from '../lib/domain/duration.ts';
import { isWaitingForTraffic } from '../lib/domain/judge.ts';
import { isTerminal } from '../lib/domain/phase.ts';
import type { Weights } from '../lib/domain/routes.ts';
import type { LedgerEntry, RolloutState } from '../lib/domain/state.ts';
import { parseRolloutSpec } from '../lib/schemas/rollout-spec.ts';
import { createProgress, type Progress } from './progress.ts';
import { SCENARIO_DEFINITIONS, type ScenarioName, sandboxSpec } from './scenarios.ts';
import { pollUntil } from './service-process.ts';
import { type Stack, startStack } from './stack.ts';

export interface ScenarioSummary {
  rollout: string;
  scenario: ScenarioName;
  phase: string;
  steps: { weight: number; verdict: string }[];
  finalWeights: Weights;
  ledgerEntries: number;
  /** What caused the final decision: `analysis`, `alert` or `operator`. */
  cause?: string;
  /** The alert's name, when an alert caused it. */
  alert?: string;
  /**
   * True when the rollout was still running when the scenario's bounded duration ran out
   * (`no-traffic`): it held, and `phase` is where it held.
   */
  held?: boolean;
  /** With `held`: every check so far was waiting for traffic (and there was at least one). */
  waitingForTraffic?: boolean;
}

/** The margin after a bounded scenario's last interval, for the last check to be written. */
const HOLD_MARGIN_MS = 10_000;
/** A check needs a whole 10-second bucket of counts. */
const BUCKET_MS = 10_000;

/** How long a scenario that holds runs: its intervals (at least as many buckets) plus a margin. */
export const holdDurationMs = (interval: string, intervals: number): number =>
  intervals * Math.max(durationMs(interval), BUCKET_MS) + HOLD_MARGIN_MS;

export interface RunOptions {
  scenario: ScenarioName;
  interval: string;
  /** CRD files for the emulator (`--crds`); default: its built-in Istio types. */
  crdDir?: string;
  /** Called with each new ledger entry as it is written. */
  onEntry?: (entry: LedgerEntry) => void | Promise<void>;
  onLog?: (line: string) => void;
  /** Gives up after this long. */
  timeoutMs?: number;
  /** Receives the running stack before the rollout starts (the CLI's --keep, tests). */
  onStack?: (stack: Stack, api: ApiClient) => void | Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the stack, runs one rollout of the seed to its end and returns what happened. */
export const runScenario = async (stack: Stack, options: RunOptions): Promise<ScenarioSummary> => {
  const api = createApiClient({ url: stack.apiUrl, token: stack.apiToken });
  await options.onStack?.(stack, api);
  const scenario = SCENARIO_DEFINITIONS[options.scenario];
  if (scenario.timeline) stack.mesh.play(scenario.timeline);
  if (scenario.startAfterMs) await sleep(scenario.startAfterMs);
  const { rollout } = await api.createRollout(
    sandboxSpec(options.interval, { alerts: scenario.alerts ?? false }),
  );
  const id = rollout.id;
  options.onLog?.(`rollout ${id} started: ${scenario.description}`);

  let ticking = true;
  const ticker = (async () => {
    while (ticking) {
      await stack
        .tick()
        .catch((error: Error) => options.onLog?.(`analyze failed: ${error.message}`));
      await sleep(1000);
    }
  })();

  const holdMs =
    scenario.holdIntervals === undefined
      ? undefined
      : holdDurationMs(options.interval, scenario.holdIntervals);
  const deadline =
    Date.now() + (holdMs ?? options.timeoutMs ?? 10 * durationMs(options.interval) + 120_000);
  let seen = 0;
  let state: RolloutState = rollout;
  let entries: LedgerEntry[] = [];
  try {
    while (Date.now() < deadline) {
      ({ rollout: state, entries } = await api.fullLedger(id));
      for (const entry of entries.slice(seen)) await options.onEntry?.(entry);
      seen = entries.length;
      if (isTerminal(state.phase) && !state.pending) break;
      await sleep(500);
    }
  } finally {
    ticking = false;
    await ticker;
  }
  const held = holdMs !== undefined && !isTerminal(state.phase);
  if (!isTerminal(state.phase) && !held)
    throw new Error(`rollout ${id} did not finish in time; it is ${state.phase}`);
  const cause = entries.findLast((e) => e.kind === 'applied')?.cause;
  const checks = entries.flatMap((e) => (e.kind === 'check' && e.check ? [e.check] : []));
  return {
    rollout: id,
    scenario: options.scenario,
    phase: state.phase,
    steps: entries
      .filter((e) => e.kind === 'check' && e.check)
      .map((e) => ({ weight: e.check?.weight ?? 0, verdict: e.check?.verdict ?? '' })),
    finalWeights: stack.weights(),
    ledgerEntries: entries.length,
    ...(cause ? { cause: cause.type } : {}),
    ...(cause?.type === 'alert' ? { alert: cause.name } : {}),
    ...(held
      ? {
          held,
          waitingForTraffic: checks.length > 0 && checks.every((c) => isWaitingForTraffic(c)),
        }
      : {}),
  };
};

const SERIES_TIMEOUT_MS = 30_000;
/** The offered load of every scenario (the timeline may change it). */
export const SANDBOX_REQUESTS_PER_SECOND = 5000;

/**
 * Resolves once Prometheus has the built-in metrics for the seed's primary, as apply's
 * preflight asks; a stack that has just started has scraped nothing yet. Bounded.
 */
export const waitForPrimarySeries = async (stack: Stack, timeoutMs = SERIES_TIMEOUT_MS) => {
  const parsed = parseRolloutSpec(sandboxSpec('5s'));
  if (!parsed.ok) throw new Error('the sandbox spec is invalid');
  const metrics = createPrometheusMetricsProvider({ url: stack.prometheus.url, timeoutMs: 2_000 });
  const ready = await pollUntil(
    async () => (await primarySeriesProblems(metrics, parsed.spec)).length === 0,
    timeoutMs,
    250,
  );
  if (!ready)
    throw new Error(`Prometheus had no series for the primary my-service after ${timeoutMs} ms`);
};

/** The stack with the scenario's traffic, once Prometheus has the primary's series. */
export const startScenarioStack = async (
  options: Pick<RunOptions, 'scenario' | 'crdDir' | 'onLog'> & {
    prometheusBinary?: string;
    dynamoEndpoint?: string;
    /** Start-up progress, one line per service; default: written to `onLog`. */
    progress?: Progress;
  },
): Promise<Stack> => {
  const scenario = SCENARIO_DEFINITIONS[options.scenario];
  const progress = options.progress ?? createProgress(options.onLog ?? (() => {}));
  const stack = await startStack({
    ...(options.crdDir === undefined ? {} : { crdDir: options.crdDir }),
    primary: scenario.primary,
    canary: scenario.canary,
    // The compare judge needs bad events on both sides: at 5000 a second, 10% of it gives the
    // canary about 5 errors and 3–4 slow requests a second, enough to promote a step in seconds.
    requestsPerSecond: SANDBOX_REQUESTS_PER_SECOND,
    ...(options.prometheusBinary ? { prometheusBinary: options.prometheusBinary } : {}),
    ...(options.dynamoEndpoint ? { dynamoEndpoint: options.dynamoEndpoint } : {}),
    ...(scenario.alerts ? { alertmanager: true } : {}),
    progress,
  });
  try {
    await progress.step('First scrape of the mesh', () => waitForPrimarySeries(stack));
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
};
