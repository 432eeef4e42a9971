import { describeEntry } from '../../lib/domain/describe.ts';
import { durationMs } from '../../lib/domain/duration.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { parseRolloutSpec } from '../../lib/schemas/rollout-spec.ts';
import {
  ByoInputError,
  type ByoStack,
  type ChosenContext,
  checkPrometheus,
  chooseContext,
  startByoStack,
} from '../../sandbox/byo-cluster.ts';
import { followRollout, startTicker, summarize } from '../../sandbox/follow-rollout.ts';
import { createProgress } from '../../sandbox/progress.ts';
import { createApiClient } from '../api-client.ts';
import { CliError } from '../errors.ts';
import { pasteLines } from './sandbox-lines.ts';
import { readDocument } from './specs.ts';

export interface ByoOptions {
  kubeconfig?: string;
  context?: string;
  prometheus?: string;
  file?: string;
  /** `--scenario` was given on the command line (not just its default). */
  scenarioGiven?: boolean;
  interval?: string;
  json?: boolean;
  keep?: boolean;
  dynamoEndpoint?: string;
  say: (line: string) => void;
}

/** The flags that only make sense together, or not at all, with your own cluster. */
const checkFlags = (options: ByoOptions): { kubeconfig: string; prometheus: string } => {
  if (!options.kubeconfig)
    throw new CliError('--prometheus: needs --kubeconfig <file> (your own cluster)');
  if (!options.prometheus)
    throw new CliError('--kubeconfig: needs --prometheus <url> (the Prometheus of that mesh)');
  if (options.scenarioGiven)
    throw new CliError(
      '--scenario: needs the simulated mesh; with --kubeconfig, apply your own spec with -f',
    );
  if (options.interval)
    throw new CliError("--interval: with --kubeconfig the spec's analysis.interval sets it");
  return { kubeconfig: options.kubeconfig, prometheus: options.prometheus };
};

/** Reads and validates the spec before anything starts; its cluster must be the chosen context. */
const readSpec = async (file: string, cluster: string): Promise<RolloutSpec> => {
  const parsed = parseRolloutSpec(await readDocument(file));
  if (!parsed.ok) {
    const first = parsed.problems[0];
    throw new CliError(
      `-f: invalid rollout spec in ${file}: ${first?.path}: ${first?.message}` +
        (parsed.problems.length > 1 ? ` (and ${parsed.problems.length - 1} more)` : ''),
    );
  }
  if (parsed.spec.target.cluster !== cluster)
    throw new CliError(
      `-f: target.cluster is "${parsed.spec.target.cluster}" in ${file}, but this sandbox's cluster is "${cluster}" (the kubeconfig context)`,
    );
  return parsed.spec;
};

const endpoints = (
  stack: ByoStack,
  chosen: ChosenContext,
  flags: { kubeconfig: string; prometheus: string },
): string[] => [
  `Cluster:     context "${chosen.name}" of ${flags.kubeconfig} (${chosen.server}); its kanari cluster name is "${stack.cluster}", so specs say target.cluster: ${stack.cluster}`,
  `Prometheus:  ${flags.prometheus}`,
  `HTTP API:    ${stack.apiUrl}  (Authorization: Bearer $KANARI_TOKEN)`,
  ...pasteLines(stack.apiUrl, stack.apiToken),
  'Apply:       kanari apply -f my-rollout.yaml  (in that shell)',
];

/** `kanari sandbox --kubeconfig ... --prometheus ...`: the local control plane, a real cluster. */
export const runByoSandbox = async (options: ByoOptions): Promise<void> => {
  const { say } = options;
  const { kubeconfig, prometheus } = checkFlags(options);
  let chosen: ChosenContext;
  try {
    chosen = chooseContext(kubeconfig, options.context);
    await checkPrometheus(prometheus);
  } catch (error) {
    if (error instanceof ByoInputError) throw new CliError(error.message);
    throw error;
  }
  const spec = options.file ? await readSpec(options.file, chosen.name) : undefined;

  const progress = createProgress(say, { startedAt: 0 });
  const stack = await startByoStack({
    context: chosen,
    prometheusUrl: prometheus,
    ...(options.dynamoEndpoint ? { dynamoEndpoint: options.dynamoEndpoint } : {}),
    progress,
  });
  const startup = progress.done('Sandbox');
  const stopTicking = startTicker(stack.tick, (error) => say(`analyze failed: ${error.message}`));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stopTicking();
    await stack.stop();
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(143)));
  const stayUp = async () => {
    say('Analyze runs every second. Press Ctrl-C to stop.');
    await new Promise(() => {});
  };
  try {
    for (const line of endpoints(stack, chosen, { kubeconfig, prometheus })) say(line);
    if (!spec) return await stayUp();

    const api = createApiClient({ url: stack.apiUrl, token: stack.apiToken });
    const { rollout } = await api.createRollout(spec);
    say(`rollout ${rollout.id} started (revision ${rollout.revision}): ${rollout.phase}`);
    const { state, entries } = await followRollout(api, rollout.id, {
      // Generous: a real mesh may need a few intervals before its first series appear.
      timeoutMs: 30 * durationMs(spec.analysis.interval) + 120_000,
      onEntry: (entry) => say(`  ${entry.at.slice(11, 19)}  ${describeEntry(entry)}`),
    });
    const summary = summarize(state, entries, await stack.weights(spec.target));
    say(
      `${summary.rollout}: ${summary.phase} · primary ${summary.finalWeights.primary}% · canary ${summary.finalWeights.canary}%`,
    );
    if (options.json) process.stdout.write(`${JSON.stringify({ ...summary, startup })}\n`);
    if (options.keep) await stayUp();
  } finally {
    if (!options.keep) await stop();
  }
};
