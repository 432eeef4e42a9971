import type { Command } from 'commander';
import type { BacktestResult } from '../../lib/app/backtest.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { type Format, withOutput } from '../options.ts';
import { render, table } from '../render.ts';
import { readDocument } from './specs.ts';

/** An RFC 3339 time (2026-12-01T10:00:00Z) or epoch seconds. */
const timeOf = (flag: string, value: string | undefined): Date => {
  if (value === undefined) throw new CliError(`--${flag}: required (RFC 3339 or epoch seconds)`);
  const date = /^\d+(\.\d+)?$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new CliError(`--${flag}: not a time: ${value} (use RFC 3339 or epoch seconds)`);
  return date;
};

const asTable = (result: BacktestResult): string => {
  const rows = result.decisions.map((d) => [
    new Date(d.t * 1000).toISOString(),
    d.verdict,
    Object.entries(d.evidence)
      .map(([metric, e]) => `${metric}: ${e?.reason}`)
      .join('; '),
  ]);
  const bound = result.slowerThanMs === null ? '' : `, slow = above ${result.slowerThanMs} ms`;
  return `${table([['TIME', 'VERDICT', 'EVIDENCE'], ...rows])}final: ${result.final.verdict} at ${new Date(
    result.final.t * 1000,
  ).toISOString()}${bound}\n`;
};

interface BacktestOptions {
  file: string;
  from?: string;
  to?: string;
  prometheus?: string;
  output: Format;
}

/** `kanari judge backtest`: the spec's compare judge on what Prometheus recorded. */
export const backtestCommand = (judge: Command, ctx: CliContext): void => {
  const command = judge
    .command('backtest')
    .description(
      "replay the spec's built-in compare metrics over a past range of Prometheus counts " +
        'and print what the judge would have decided',
    )
    .requiredOption('-f, --file <file>', 'rollout spec (YAML or JSON; - for stdin)')
    .option('--from <time>', 'start (RFC 3339 or epoch seconds)')
    .option('--to <time>', 'end (RFC 3339 or epoch seconds)')
    .option('--prometheus <url>', 'Prometheus base URL (env KANARI_PROMETHEUS_URL)');
  withOutput(command, 'json').action(async (options: BacktestOptions) => {
    // Loaded when the command runs, so that other commands start without them.
    const [
      { createPrometheusMetricsProvider },
      { BacktestError, backtest },
      { MetricsQueryError },
    ] = await Promise.all([
      import('../../lib/adapters/prometheus/index.ts'),
      import('../../lib/app/backtest.ts'),
      import('../../lib/ports/errors.ts'),
    ]);
    const { parseRolloutSpec } = await import('../../lib/schemas/rollout-spec.ts');
    const parsed = parseRolloutSpec(await readDocument(options.file));
    if (!parsed.ok) {
      const [first, ...rest] = parsed.problems;
      const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
      throw new CliError(
        `invalid rollout spec in ${options.file}: ${first?.path}: ${first?.message}${more}`,
      );
    }
    const range = { from: timeOf('from', options.from), to: timeOf('to', options.to) };
    const url = options.prometheus ?? ctx.env.KANARI_PROMETHEUS_URL;
    if (!url) throw new CliError('--prometheus: required (or set KANARI_PROMETHEUS_URL)');
    const metrics = createPrometheusMetricsProvider({ url });
    let result: BacktestResult;
    try {
      result = await backtest(metrics, parsed.spec, range);
    } catch (error) {
      if (error instanceof BacktestError) throw new CliError(error.message);
      if (error instanceof MetricsQueryError)
        throw new CliError(`Prometheus at ${url}: ${error.message.split('\n')[0]}`);
      throw error;
    }
    ctx.out(render(options.output, result, () => asTable(result)));
  });
};
