import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { backtestCommand } from './judge-backtest.ts';
import { readStdin } from './specs.ts';

const readText = async (file: string): Promise<string> => {
  try {
    return file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
};

/** Parses and validates the replay input; the first problem becomes the one line on stderr. */
const replayInputOf = async (text: string, source: string) => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${source}: invalid JSON: ${(error as Error).message}`);
  }
  const { parseReplayInput } = await import('../../lib/schemas/judge-replay.ts');
  const parsed = parseReplayInput(value);
  if (!parsed.ok) {
    const [first, ...rest] = parsed.problems;
    const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
    throw new CliError(`${first?.path}: ${first?.message}${more}`);
  }
  return parsed.input;
};

/** `kanari judge …`: the judges, offline. */
export const judgeCommands = (program: Command, ctx: CliContext): void => {
  const judge = program.command('judge').description('run the judges offline on recorded counts');
  judge
    .command('replay')
    .description(
      'read {"spec":{…},"buckets":[{"t","canary":{"requests","errors","slow"},"primary":{…}}]} ' +
        'and print what the compare judge decides at each bucket',
    )
    .option('-f, --file <file>', 'input JSON (- for stdin)', '-')
    .action(async (options: { file: string }) => {
      const source = options.file === '-' ? 'stdin' : options.file;
      const input = await replayInputOf(await readText(options.file), source);
      const { replay } = await import('../../lib/domain/judge-replay.ts');
      ctx.out(`${JSON.stringify(replay(input.spec, input.buckets), null, 2)}\n`);
    });
  backtestCommand(judge, ctx);
  judge.exitOverride().configureOutput({ writeOut: ctx.out, writeErr: ctx.err });
};
