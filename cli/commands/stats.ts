import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';

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
      const [{ countTest }, { parseWith }, { countTestInputSchema }] = await Promise.all([
        import('../../lib/domain/stats/count-test.ts'),
        import('../../lib/schemas/alerts.ts'),
        import('../../lib/schemas/count-test.ts'),
      ]);
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

/** `kanari stats mann-whitney`: the Mann–Whitney U test on JSON from stdin (docs/judges.md). */
const mannWhitneyCommand = (stats: Command, ctx: CliContext): Command =>
  stats
    .command('mann-whitney')
    .description(
      'Mann–Whitney U test: reads {"x":[…],"y":[…],"alternative","continuity","method","confidence"} on stdin, prints {"u","z","p","estimate","ciLow","ciHigh"}',
    )
    .action(async () => {
      // Loaded when the command runs, so that other commands start without it.
      const { readStdin, runMannWhitney } = await import('./stats-mann-whitney.ts');
      ctx.out(runMannWhitney(await readStdin()));
    });

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
