import { readFileSync } from 'node:fs';
import { Command, CommanderError, type Help, type Option } from 'commander';
import { quietKnownNodeWarnings } from '../sandbox/node-warnings.ts';
import { explainApiError, isApiError } from './api-errors.ts';
import { actionCommands } from './commands/actions.ts';
import { configCommands } from './commands/config.ts';
import { dlqCommands } from './commands/dlq.ts';
import { importFlaggerCommand } from './commands/import-flagger.ts';
import { judgeCommands } from './commands/judge.ts';
import { rolloutCommands } from './commands/rollouts.ts';
import { specCommands } from './commands/specs.ts';
import { statsCommand } from './commands/stats.ts';
import { type CliContext, processContext } from './context.ts';
import { EXIT, EXIT_CODES_HELP, exitCodeOfCommander, isCliError } from './errors.ts';

/** package.json's version; the bundle sits at dist/cli/, the sources at cli/: both two levels down. */
const version = (): string => {
  for (const path of ['../package.json', '../../package.json'])
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
      if (pkg.name === 'kanari' && typeof pkg.version === 'string') return pkg.version;
    } catch {}
  return 'unknown';
};

/** Commander's error text on one line: `kanari: unknown command 'gt' (did you mean get?)`. */
export const oneLine = (text: string): string =>
  `kanari: ${text
    .trim()
    .replace(/^error: /, '')
    .replace(/\s*\n\s*\(Did you mean (.+)\?\)/, '; did you mean $1?')
    .replace(/\s*\n\s*/g, ' ')}\n`;

/** `--reason <text>  (required) why …`: requiredOption shows in --help. */
function optionDescription(this: Help, option: Option): string {
  const text = (Object.getPrototypeOf(this) as Help).optionDescription.call(this, option);
  return option.mandatory ? `(required) ${text}` : text;
}

/** The sandbox, with its stack and the AWS SDK, loads only when `kanari sandbox` runs. */
const sandboxWanted = (argv: readonly string[]): boolean =>
  argv[0] === 'sandbox' || (argv[0] === 'help' && argv[1] === 'sandbox');

const addSandbox = async (program: Command): Promise<void> => {
  // From the bundle, the sandbox runs from its TypeScript sources (it reads files beside them).
  if (!import.meta.url.endsWith('.ts')) (await import('tsx/esm/api')).register();
  const { sandboxCommand } = await import('./commands/sandbox.ts');
  sandboxCommand(program);
};

/** Builds the `kanari` program; commands only parse and render. */
export const buildProgram = async (
  ctx: CliContext = processContext(),
  argv: readonly string[] = [],
): Promise<Command> => {
  const program = new Command('kanari')
    .description('canary analysis for Istio')
    .version(version(), '-v, --version', 'print the version')
    .showHelpAfterError(false)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureHelp({ optionDescription, showGlobalOptions: false })
    .configureOutput({
      writeOut: ctx.out,
      writeErr: ctx.err,
      outputError: (text, write) => write(oneLine(text)),
    })
    .addHelpText(
      'after',
      `\nA rollout is named cluster/namespace/name, or by its name alone with -n and --cluster or a context (kanari config set-context).\n\n${EXIT_CODES_HELP}\n`,
    );
  rolloutCommands(program, ctx);
  actionCommands(program, ctx);
  specCommands(program, ctx);
  configCommands(program, ctx);
  importFlaggerCommand(program, ctx);
  judgeCommands(program, ctx);
  dlqCommands(program, ctx);
  if (sandboxWanted(argv)) await addSandbox(program);
  else
    program
      .command('sandbox')
      .description(
        'run the whole loop on this machine: Prometheus, DynamoDB Local, an emulated Kubernetes API and a simulated mesh (kanari sandbox --help)',
      )
      .allowUnknownOption()
      .allowExcessArguments();
  statsCommand(program, ctx);
  return program;
};

/** Runs the CLI; returns the exit code (see EXIT in errors.ts, and `kanari --help`). */
export const main = async (argv: string[], ctx: CliContext = processContext()): Promise<number> => {
  // Before any AWS SDK client (SigV4, the sandbox): no Node-version notice on Node 20.
  quietKnownNodeWarnings();
  try {
    const program = await buildProgram(ctx, argv);
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.ok;
    }
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) return exitCodeOfCommander(error.code, error.exitCode);
    const known = isApiError(error) ? explainApiError(error) : error;
    if (isCliError(known)) {
      ctx.err(`kanari: ${known.message}\n`);
      return known.exitCode;
    }
    ctx.err(`kanari: ${known instanceof Error ? known.message : String(known)}\n`);
    return EXIT.general;
  }
};

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
