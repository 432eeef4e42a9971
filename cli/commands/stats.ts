import type { Command } from 'commander';
import { countTest } from '../../lib/domain/stats/count-test.ts';
import { parseWith } from '../../lib/schemas/alerts.ts';
import { countTestInputSchema } from '../../lib/schemas/count-test.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { mannWhitneyCommand } from './stats-mann-whitney.ts';

/** Reads all of stdin as JSON; bad JSON is one line naming the command. */
export const readJsonStdin = async (command: string): Promise<unknown> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    const why = (error as Error).message.replace(/\s+/g, ' ');
    throw new CliError(`${command}: stdin is not valid JSON: ${why}`);
  }
};

/** `kanari stats count-test`: the fixed-share mixture test, JSON in and one JSON line out. */
export const countTestCommand = (stats: Command, ctx: CliContext): void => {
  stats
    .command('count-test')
    .description(
      'fixed-share Beta mixture test: reads {"canaryEvents","totalEvents","canaryShare","k","alpha"} on stdin, prints {"logM","logMOneSided","p","rateRatioUpper"} (null = unbounded)',
    )
    .action(async () => {
      const parsed = parseWith(countTestInputSchema, await readJsonStdin('count-test'));
      if (!parsed.ok)
        throw new CliError(
          `count-test: ${parsed.problem.path || 'input'}: ${parsed.problem.message}`,
        );
      const result = countTest(parsed.value);
      const upper = Number.isFinite(result.rateRatioUpper) ? result.rateRatioUpper : null;
      ctx.out(`${JSON.stringify({ ...result, rateRatioUpper: upper })}\n`);
    });
};

/** The `stats` group: JSON commands to check kanari's statistics against references. */
export const statsCommand = (program: Command, ctx: CliContext): Command => {
  const stats = program
    .command('stats')
    .description(
      "kanari's statistics as JSON commands, to check against reference implementations",
    );
  countTestCommand(stats, ctx);
  mannWhitneyCommand(stats, ctx);
  return stats;
};
