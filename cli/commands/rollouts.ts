import type { Command } from 'commander';
import { stringify } from 'yaml';
import { durationMs, isDuration } from '../../lib/domain/duration.ts';
import { isTerminal, PHASES, type Phase } from '../../lib/domain/phase.ts';
import type { RolloutState } from '../../lib/domain/state.ts';
import type { DescribedEntry } from '../api-client.ts';
import { connect } from '../config.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { type ConnectedOptions, ROLLOUT_ID, withConnection, withOutput } from '../options.ts';
import { bar, render, table } from '../render.ts';

export const checkId = (id: string): string => {
  if (!ROLLOUT_ID.test(id))
    throw new CliError(`rollout id "${id}" must be cluster/namespace/name, e.g. prod/shop/cart`);
  return id;
};

const when = (iso: string | undefined): string =>
  iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-';

const stepOf = (state: RolloutState, plan: readonly number[]): string =>
  state.stepIndex < 0
    ? 'not started'
    : state.stepIndex >= plan.length
      ? 'promoted'
      : `${state.stepIndex + 1} of ${plan.length}`;

/** One ledger line; `r2` is the entry's revision (an id keeps the ledgers of all its revisions). */
export const entryLine = (entry: DescribedEntry): string =>
  `${when(entry.at)}  r${entry.revision}  ${entry.description ?? entry.message}`;

const summary = (state: RolloutState, plan: readonly number[]): string =>
  table([
    ['Rollout', `${state.id} (revision ${state.revision})`],
    ['Phase', state.phase],
    [
      'Traffic',
      `${bar(state.canaryWeight)}  canary ${state.canaryWeight}% · primary ${100 - state.canaryWeight}%`,
    ],
    ['Step', `${stepOf(state, plan)} (plan ${plan.join(', ')} → 100)`],
    ['Checks', `${state.checks} (${state.failedChecks} failed)`],
    ['Interval', state.spec.analysis.interval],
    ['Updated', when(state.updatedAt)],
    ['Message', state.message],
    ...(state.pending
      ? [
          [
            'Pending',
            `${state.pending.detailType} → ${state.pending.targetWeight}% since ${when(state.pending.requestedAt)}`,
          ],
        ]
      : []),
  ]);

export const rolloutCommands = (program: Command, ctx: CliContext): void => {
  withConnection(
    withOutput(
      program
        .command('list')
        .description('list rollouts')
        .option('--phase <phase>', `only this phase: ${PHASES.join(', ')}`)
        .option('--cluster <cluster>', 'only this cluster')
        .option('--namespace <namespace>', 'only this namespace'),
    ),
  ).action(
    async (
      options: ConnectedOptions & { phase?: string; cluster?: string; namespace?: string },
    ) => {
      if (options.phase && !PHASES.includes(options.phase as Phase))
        throw new CliError(`--phase: must be one of ${PHASES.join(', ')}`);
      const api = await connect(options, ctx);
      const { rollouts } = await api.listRollouts({
        ...(options.phase ? { phase: options.phase as Phase } : {}),
        ...(options.cluster ? { cluster: options.cluster } : {}),
        ...(options.namespace ? { namespace: options.namespace } : {}),
      });
      ctx.out(
        render(options.output, rollouts, () =>
          rollouts.length === 0
            ? 'No rollouts.\n'
            : table([
                ['ROLLOUT', 'PHASE', 'CANARY', 'CHECKS', 'UPDATED', 'MESSAGE'],
                ...rollouts.map((r) => [
                  r.id,
                  r.phase,
                  `${r.canaryWeight}%`,
                  `${r.checks}/${r.failedChecks} failed`,
                  when(r.updatedAt),
                  r.message,
                ]),
              ]),
        ),
      );
    },
  );

  withConnection(
    withOutput(
      program
        .command('get')
        .description(
          'show a rollout: its state, and with --ledger every decision in plain language',
        )
        .argument('<id>', 'cluster/namespace/name')
        .option('--ledger', 'include the whole ledger'),
    ),
  ).action(async (id: string, options: ConnectedOptions & { ledger?: boolean }) => {
    checkId(id);
    const api = await connect(options, ctx);
    const { rollout, plan, entries } = options.ledger
      ? await api.fullLedger(id)
      : { ...(await api.getRollout(id, { limit: 1 })), entries: undefined };
    const value = { rollout, plan, ...(entries ? { ledger: entries } : {}) };
    ctx.out(
      render(options.output, value, () =>
        [summary(rollout, plan), ...(entries ? ['\nLedger', ...entries.map(entryLine)] : [])]
          .join('\n')
          .replace(/\n*$/, '\n'),
      ),
    );
  });

  withConnection(
    withOutput(
      program
        .command('watch')
        .description(
          'follow a rollout until it ends; exit 0 when it succeeds, 2 when it rolls back, fails or is aborted',
        )
        .argument('<id>', 'cluster/namespace/name')
        .option('--poll <duration>', 'time between looks', '2s'),
    ),
  ).action(async (id: string, options: ConnectedOptions & { poll: string }) => {
    checkId(id);
    if (!isDuration(options.poll))
      throw new CliError(`--poll: "${options.poll}" is not a duration such as 2s`);
    const api = await connect(options, ctx);
    const emit = (value: unknown, line: string) =>
      ctx.out(
        options.output === 'json'
          ? `${JSON.stringify(value)}\n`
          : options.output === 'yaml'
            ? `---\n${stringify(value)}`
            : `${line}\n`,
      );
    let seen = 0;
    let last: { phase: string; weight: number } | undefined;
    for (;;) {
      const { rollout, entries: all } = await api.fullLedger(id);
      // Earlier revisions of the same id are history, not this rollout's progress.
      const entries = all.filter((entry) => entry.revision === rollout.revision);
      if (seen > entries.length) seen = 0;
      for (const entry of entries.slice(seen)) emit(entry, entryLine(entry));
      seen = entries.length;
      if (last?.phase !== rollout.phase || last.weight !== rollout.canaryWeight) {
        if (options.output === 'table')
          ctx.out(`${rollout.id}: ${rollout.phase} · canary ${rollout.canaryWeight}%\n`);
        last = { phase: rollout.phase, weight: rollout.canaryWeight };
      }
      if (isTerminal(rollout.phase) && !rollout.pending) {
        if (options.output !== 'table') emit({ rollout }, '');
        if (rollout.phase !== 'Succeeded')
          throw new CliError(`${rollout.id} ended ${rollout.phase}: ${rollout.message}`, 2);
        return;
      }
      await ctx.sleep(durationMs(options.poll));
    }
  });
};
