import { Command, CommanderError } from 'commander';
import { explainApiError, isApiError } from './api-errors.ts';
import { actionCommands } from './commands/actions.ts';
import { importFlaggerCommand } from './commands/import-flagger.ts';
import { judgeCommands } from './commands/judge.ts';
import { rolloutCommands } from './commands/rollouts.ts';
import { sandboxCommand } from './commands/sandbox.ts';
import { specCommands } from './commands/specs.ts';
import { statsCommand } from './commands/stats.ts';
import { type CliContext, processContext } from './context.ts';
import { CliError } from './errors.ts';

/** Builds the `kanari` program; commands only parse and render. */
export const buildProgram = (ctx: CliContext = processContext()): Command => {
  const program = new Command('kanari')
    .description('canary analysis for Istio')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: ctx.out, writeErr: ctx.err });
  rolloutCommands(program, ctx);
  actionCommands(program, ctx);
  specCommands(program, ctx);
  importFlaggerCommand(program, ctx);
  judgeCommands(program, ctx);
  sandboxCommand(program);
  statsCommand(program, ctx);
  for (const command of program.commands)
    command.exitOverride().configureOutput({ writeOut: ctx.out, writeErr: ctx.err });
  return program;
};

/**
 * Runs the CLI; returns the exit code: 0 done, 1 an error (its message on stderr), 2 `watch`
 * saw the rollout end without success.
 */
export const main = async (argv: string[], ctx: CliContext = processContext()): Promise<number> => {
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const known = isApiError(error) ? explainApiError(error) : error;
    if (known instanceof CliError) {
      ctx.err(`kanari: ${known.message}\n`);
      return known.exitCode;
    }
    ctx.err(`kanari: ${known instanceof Error ? known.message : String(known)}\n`);
    return 1;
  }
};

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
