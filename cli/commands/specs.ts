import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { describeRef, swapDestinations } from '../../lib/domain/lifecycle.ts';
import { rolloutIdOf } from '../../lib/domain/rollout-spec.ts';
import type { RolloutState } from '../../lib/domain/state.ts';
import type { SpecProblem } from '../../lib/schemas/rollout-spec.ts';
import { connect } from '../config.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { type ConnectedOptions, type Format, withConnection, withOutput } from '../options.ts';
import { render } from '../render.ts';

/** Reads a YAML or JSON file (`-` for stdin); YAML is a superset of JSON, so one parser does. */
export const readDocument = async (file: string): Promise<unknown> => {
  let text: string;
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return parse(text);
  } catch (error) {
    throw new CliError(`${file} is not valid YAML or JSON: ${(error as Error).message}`);
  }
};

/** All of stdin as UTF-8 text. */
export const readStdin = async (): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

const problemLines = (problems: SpecProblem[]): string =>
  problems.map((p) => `  ${p.path}: ${p.message}`).join('\n');

/** Validates locally; on problems prints them and fails with the field paths. */
const validated = async (file: string, format: Format, ctx: CliContext) => {
  // Loaded when the command runs, so that other commands start without zod.
  const { parseRolloutSpec } = await import('../../lib/schemas/rollout-spec.ts');
  const parsed = parseRolloutSpec(await readDocument(file));
  if (!parsed.ok) {
    if (format !== 'table')
      ctx.out(render(format, { valid: false, problems: parsed.problems }, () => ''));
    throw new CliError(`invalid rollout spec in ${file}:\n${problemLines(parsed.problems)}`);
  }
  return parsed.spec;
};

/** What apply did, in one line. */
const applyLine = (rollout: RolloutState, outcome: string): string => {
  const at = `${rollout.phase} at canary ${rollout.canaryWeight}%`;
  switch (outcome) {
    case 'updated':
      return `${rollout.id} updated in flight (revision ${rollout.revision}, ${at}): ${rollout.message}`;
    case 'unchanged':
      return `${rollout.id} unchanged (revision ${rollout.revision}, ${at}): the spec is the one it runs`;
    default:
      return `${rollout.id} started (revision ${rollout.revision}): ${rollout.phase}, ${rollout.message}`;
  }
};

export const specCommands = (program: Command, ctx: CliContext): void => {
  withConnection(
    withOutput(
      program
        .command('validate')
        .description('check a rollout spec locally; prints each problem with its field path')
        .requiredOption('-f, --file <file>', 'rollout spec, YAML or JSON (- for stdin)')
        .option(
          '--live',
          'also run, through the API, the checks apply makes against the cluster and Prometheus',
        ),
    ),
  ).action(async (options: ConnectedOptions & { file: string; live?: boolean }) => {
    const spec = await validated(options.file, options.output, ctx);
    const id = rolloutIdOf(spec);
    if (!options.live) {
      ctx.out(
        render(
          options.output,
          { valid: true, id, spec },
          () => `${options.file}: valid rollout spec for ${id}\n`,
        ),
      );
      return;
    }
    const report = await (await connect(options, ctx)).preflight(spec);
    ctx.out(
      render(options.output, { valid: report.ok, id, ...report }, () =>
        [
          `${options.file}: valid rollout spec for ${id}`,
          ...report.problems.map((p) => `problem (${p.check}): ${p.message}`),
          ...report.warnings.map((w) => `warning (${w.check}): ${w.message}`),
          report.ok ? 'live checks passed' : '',
        ]
          .filter(Boolean)
          .map((line) => `${line}\n`)
          .join(''),
      ),
    );
    if (!report.ok)
      throw new CliError(
        `${report.problems.length} live check${report.problems.length === 1 ? '' : 's'} failed for ${id}; apply would refuse it`,
      );
  });

  withConnection(
    withOutput(
      program
        .command('apply')
        .description(
          'validate a rollout spec, then start it, update its safe fields in flight, or leave it unchanged (docs/lifecycle.md)',
        )
        .requiredOption('-f, --file <file>', 'rollout spec, YAML or JSON (- for stdin)')
        .option(
          '--swap',
          'swap target.primary and target.canary before sending: the next release after a Succeeded one',
        ),
    ),
  ).action(async (options: ConnectedOptions & { file: string; swap?: boolean }) => {
    const read = await validated(options.file, options.output, ctx);
    const spec = options.swap ? swapDestinations(read) : read;
    const swapped = options.swap
      ? `--swap: primary ${describeRef(spec.target.primary)}, canary ${describeRef(spec.target.canary)} (swapped from ${options.file})\n`
      : '';
    const api = await connect(options, ctx);
    const { rollout, outcome = 'started', warnings = [] } = await api.createRollout(spec);
    for (const warning of warnings) ctx.err(`kanari: warning: ${warning}\n`);
    ctx.out(
      render(
        options.output,
        { rollout, outcome, warnings, ...(options.swap ? { swapped: spec.target } : {}) },
        () => `${swapped}${applyLine(rollout, outcome)}\n`,
      ),
    );
  });
};
