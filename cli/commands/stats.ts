import type { Command } from 'commander';
import type { CliContext } from '../context.ts';
import { mannWhitneyCommand } from './stats-mann-whitney.ts';

/** `kanari stats …`: the judges' statistics as JSON commands, to check against references. */
export const statsCommand = (program: Command, ctx: CliContext): Command => {
  const stats = program
    .command('stats')
    .description('statistics behind the judges, JSON on stdin and stdout (docs/judges.md)');
  mannWhitneyCommand(stats, ctx);
  return stats;
};
