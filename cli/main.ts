import { Command, CommanderError } from 'commander';
import { sandboxCommand } from './commands/sandbox.ts';
import { CliError } from './errors.ts';

/** Builds the `kanari` program; commands only parse and render. */
export const buildProgram = (): Command => {
  const program = new Command('kanari')
    .description('canary analysis for Istio')
    .showHelpAfterError()
    .exitOverride();
  sandboxCommand(program);
  return program;
};

/** Runs the CLI; returns the exit code. */
export const main = async (argv: string[]): Promise<number> => {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliError) {
      process.stderr.write(`kanari: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`kanari: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
};

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
