import type { Command } from 'commander';
import { describeEntry } from '../../lib/domain/describe.ts';
import { isDuration } from '../../lib/domain/duration.ts';
import { CrdFolderError } from '../../sandbox/kube-emulator/index.ts';
import { quietKnownNodeWarnings } from '../../sandbox/node-warnings.ts';
import { createProgress } from '../../sandbox/progress.ts';
import { PrometheusMissingError } from '../../sandbox/prometheus.ts';
import { runScenario, startScenarioStack } from '../../sandbox/run-scenario.ts';
import { SCENARIO_DEFINITIONS, SCENARIOS, type ScenarioName } from '../../sandbox/scenarios.ts';
import type { Stack } from '../../sandbox/stack.ts';
import { CliError } from '../errors.ts';
import { runByoSandbox } from './sandbox-byo.ts';
import { pasteLines } from './sandbox-lines.ts';

const endpoints = (stack: Stack): string[] => [
  `HTTP API:    ${stack.apiUrl}  (Authorization: Bearer $KANARI_TOKEN)`,
  `Kubernetes:  ${stack.emulator.url}  (emulated kube-apiserver)`,
  `  kubectl --server=${stack.emulator.url} --token=${stack.emulator.token} --certificate-authority=${stack.emulator.caFile} get virtualservice my-service -o yaml`,
  `  or: KUBECONFIG=${stack.emulator.kubeconfigPath} kubectl get vs`,
  `Prometheus:  ${stack.prometheus.url}`,
  ...(stack.alertmanager ? [`Alertmanager: ${stack.alertmanager.url}`] : []),
  `Mesh:        ${stack.mesh.metricsUrl}`,
];

export const sandboxCommand = (program: Command): void => {
  program
    .command('sandbox')
    .description(
      'run the whole loop on this machine: Prometheus, DynamoDB Local, an emulated Kubernetes API and a simulated mesh; or, with --kubeconfig and --prometheus, kanari against your own cluster',
    )
    .option('--scenario <name>', `${SCENARIOS.join(' | ')} (see below)`, 'healthy')
    .option('--interval <duration>', 'analysis interval (default 5s; 10m for the alert scenario)')
    .option('--json', 'print a JSON summary as the last line')
    .option('--keep', 'stay up after the rollout and print the endpoints again')
    .option(
      '--kubeconfig <file>',
      'bring your own cluster: use this kubeconfig instead of the emulator (needs --prometheus)',
    )
    .option('--context <name>', "the kubeconfig's context, and so the kanari cluster name")
    .option('--prometheus <url>', 'bring your own Prometheus (needs --kubeconfig)')
    .option('-f, --file <spec>', 'with --kubeconfig: apply this spec and follow it to its end')
    .addHelpText(
      'after',
      `\nScenarios (what a correct kanari does with each):\n${SCENARIOS.map(
        (name) =>
          `  ${name.padEnd(17)}${SCENARIO_DEFINITIONS[name].description} → ${SCENARIO_DEFINITIONS[name].expected}`,
      ).join('\n')}\n`,
    )
    .option(
      '--crds <dir>',
      "serve the CustomResourceDefinitions in this folder instead of the built-in Istio types (default: Istio's schemas from @kubernetes-models/istio)",
    )
    .action(
      async (
        options: {
          scenario: string;
          interval?: string;
          json?: boolean;
          keep?: boolean;
          crds?: string;
          kubeconfig?: string;
          context?: string;
          prometheus?: string;
          file?: string;
        },
        command: Command,
      ) => {
        // Before any AWS SDK client exists here, and inherited by every process spawned.
        quietKnownNodeWarnings();
        const say = (line: string) =>
          (options.json ? process.stderr : process.stdout).write(`${line}\n`);
        // Tests and CI share one DynamoDB Local; a user's sandbox starts its own.
        const dynamoEndpoint = process.env.KANARI_SANDBOX_DYNAMODB_ENDPOINT;
        if (options.kubeconfig || options.prometheus)
          return runByoSandbox({
            ...options,
            scenarioGiven: command.getOptionValueSource('scenario') === 'cli',
            ...(dynamoEndpoint ? { dynamoEndpoint } : {}),
            say,
          });
        if (options.context || options.file)
          throw new CliError(
            `${options.context ? '--context' : '-f'}: goes with --kubeconfig <file> and --prometheus <url>; the scenarios bring their own spec`,
          );
        if (!SCENARIOS.includes(options.scenario as ScenarioName)) {
          throw new CliError(
            `--scenario: unknown scenario "${options.scenario}"; use one of ${SCENARIOS.join(', ')}`,
          );
        }
        const scenario = options.scenario as ScenarioName;
        const interval = options.interval ?? SCENARIO_DEFINITIONS[scenario].interval ?? '5s';
        if (!isDuration(interval))
          throw new CliError(`--interval: "${interval}" is not a duration such as 5s or 1m`);
        let stack: Stack;
        // Counted from this process's start: what the user waits, the CLI's own start included.
        const progress = createProgress(say, { startedAt: 0 });
        try {
          const prometheusBinary = process.env.KANARI_PROMETHEUS_BINARY;
          stack = await startScenarioStack({
            scenario,
            ...(options.crds ? { crdDir: options.crds } : {}),
            onLog: say,
            progress,
            ...(prometheusBinary ? { prometheusBinary } : {}),
            ...(dynamoEndpoint ? { dynamoEndpoint } : {}),
          });
        } catch (error) {
          if (error instanceof PrometheusMissingError || error instanceof CrdFolderError)
            throw new CliError(
              `${error instanceof CrdFolderError ? '--crds: ' : ''}${error.message}`,
            );
          throw error;
        }
        const startup = progress.done('Sandbox');
        let stopping = false;
        const stop = async () => {
          if (stopping) return;
          stopping = true;
          await stack.stop();
        };
        process.once('SIGINT', () => void stop().then(() => process.exit(130)));
        process.once('SIGTERM', () => void stop().then(() => process.exit(143)));
        try {
          const summary = await runScenario(stack, {
            scenario,
            interval,
            onLog: say,
            // Before the rollout starts: the console is worth opening to watch it.
            onStack: (s: Stack) => {
              for (const line of pasteLines(s.apiUrl, s.apiToken)) say(line);
              if (!options.keep) say('  (up until the rollout ends; add --keep to stay up after)');
            },
            onEntry: (entry) => {
              say(`  ${entry.at.slice(11, 19)}  ${describeEntry(entry)}`);
            },
          });
          const weights = `primary ${summary.finalWeights.primary}% · canary ${summary.finalWeights.canary}%`;
          say(
            summary.held
              ? `${summary.rollout}: held, still ${summary.phase} after ${summary.steps.length} checks · ${weights}${summary.waitingForTraffic ? ' · every check: waiting for traffic' : ''}`
              : `${summary.rollout}: ${summary.phase} · ${weights}`,
          );
          if (options.keep) {
            for (const line of [...pasteLines(stack.apiUrl, stack.apiToken), ...endpoints(stack)])
              say(line);
            say('Press Ctrl-C to stop.');
          }
          if (options.json) process.stdout.write(`${JSON.stringify({ ...summary, startup })}\n`);
          if (options.keep) await new Promise(() => {});
        } finally {
          if (!options.keep) await stop();
        }
      },
    );
};
