import type { Command } from 'commander';
import { stringify } from 'yaml';
import { durationMs, isDuration } from '../../lib/domain/duration.ts';
import { isTerminal, PHASES, type Phase } from '../../lib/domain/phase.ts';
import type { RolloutState } from '../../lib/domain/state.ts';
import { weightPlan } from '../../lib/domain/weight-plan.ts';
import type { DescribedEntry } from '../api-client.ts';
import { connectWithConfig } from '../config.ts';
import type { CliContext } from '../context.ts';
import { CliError, EXIT, UsageError } from '../errors.ts';
import {
  type ConnectedOptions,
  LISTING_FORMATS,
  type ListingFormat,
  type RefOptions,
  withConnection,
  withOutput,
  withRef,
} from '../options.ts';
import { connectToRollout, suggestingOnNotFound } from '../ref.ts';
import { bar, render, shortDuration, table, weights, when } from '../render.ts';
import { closest } from '../suggest.ts';

type ListingOptions = Omit<ConnectedOptions, 'output'> & { output: ListingFormat };

const nowOf = (ctx: CliContext): number => ctx.now?.() ?? Date.now();

/** `--phase progressing` means Progressing: phases are matched without regard to case. */
export const parsePhase = (value: string): Phase => {
  const phase = PHASES.find((p) => p.toLowerCase() === value.toLowerCase());
  if (phase) return phase;
  const [near] = closest(value, PHASES, 1);
  throw new UsageError(
    `--phase: "${value}" is not a phase${near ? ` (did you mean ${near}?)` : ''}; one of ${PHASES.join(', ')}`,
  );
};

const stepOf = (state: RolloutState, plan: readonly number[]): string =>
  state.stepIndex < 0
    ? 'not started'
    : state.stepIndex >= plan.length
      ? 'promoted'
      : `${state.stepIndex + 1} of ${plan.length}`;

/** `in 25s`, `due`, or `-` when nothing is scheduled (paused, ended). */
const nextCheck = (state: RolloutState, now: number): string => {
  if (isTerminal(state.phase) || state.phase === 'Paused') return '-';
  const left = Date.parse(state.nextCheckAt) - now;
  return Number.isFinite(left) ? (left > 0 ? `in ${shortDuration(left)}` : 'due') : '-';
};

/** `Drift: kanari applied …, cluster has …, noticed … (paused)`, when the cluster was edited. */
export const driftLine = (state: Pick<RolloutState, 'drift'>): string | undefined => {
  const { drift } = state;
  if (!drift) return undefined;
  return `kanari applied ${weights(drift.applied)}, cluster has ${weights(drift.observed)}, noticed ${when(drift.detectedAt)} (${drift.action === 'reapply' ? 're-applied' : 'paused'})`;
};

/** `rollout/cluster/namespace/name`, as `-o name` prints it. */
const nameOf = (state: RolloutState): string => `rollout/${state.id}`;

/** One ledger line; `r2` is the entry's revision (an id keeps the ledgers of all its revisions). */
export const entryLine = (entry: DescribedEntry): string =>
  `${when(entry.at)}  r${entry.revision}  ${entry.description ?? entry.message}`;

const summary = (state: RolloutState, plan: readonly number[], now: number): string => {
  const drift = driftLine(state);
  return table([
    ['Rollout', `${state.id} (revision ${state.revision})`],
    ['Phase', state.phase],
    [
      'Traffic',
      `${bar(state.canaryWeight)}  canary ${state.canaryWeight}% · primary ${100 - state.canaryWeight}%`,
    ],
    ...(drift ? [['Drift', drift]] : []),
    ['Step', `${stepOf(state, plan)} (plan ${plan.join(', ')} → 100)`],
    ['Checks', `${state.checks} (${state.failedChecks} failed)`],
    ['Interval', state.spec.analysis.interval],
    ['Next check', nextCheck(state, now)],
    ['Age', `${shortDuration(now - Date.parse(state.createdAt))} (since ${when(state.createdAt)})`],
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
};

const listTable = (rollouts: readonly RolloutState[], wide: boolean, now: number): string => {
  if (rollouts.length === 0) return 'No rollouts.\n';
  if (!wide)
    return table([
      ['ROLLOUT', 'PHASE', 'CANARY', 'CHECKS', 'UPDATED', 'MESSAGE'],
      ...rollouts.map((r) => [
        r.id,
        r.phase,
        `${r.canaryWeight}%`,
        `${r.checks}/${r.failedChecks} failed`,
        when(r.updatedAt),
        r.message,
      ]),
    ]);
  return table([
    [
      'NAME',
      'CLUSTER',
      'NAMESPACE',
      'PHASE',
      'WEIGHT',
      'STEP',
      'CHECKS',
      'AGE',
      'NEXT CHECK',
      'MESSAGE',
    ],
    ...rollouts.map((r) => {
      const [cluster = '', namespace = '', name = ''] = r.id.split('/');
      return [
        name,
        cluster,
        namespace,
        r.phase,
        `${100 - r.canaryWeight}/${r.canaryWeight}`,
        stepOf(r, weightPlan(r.spec.analysis)),
        `${r.checks}/${r.failedChecks} failed`,
        shortDuration(now - Date.parse(r.createdAt)),
        nextCheck(r, now),
        r.message,
      ];
    }),
  ]);
};

/** JSON and YAML as they are; `wide` and `name` are tables of their own. */
const listing = (
  format: ListingFormat,
  value: unknown,
  asTable: (wide: boolean) => string,
  names: () => string,
): string => {
  if (format === 'name') return names();
  if (format === 'wide') return asTable(true);
  return render(format, value, () => asTable(false));
};

export const rolloutCommands = (program: Command, ctx: CliContext): void => {
  withConnection(
    withOutput(
      program
        .command('list')
        .description(
          "list rollouts in the context's cluster and namespace (-n another, -A all namespaces)",
        )
        .option('--phase <phase>', `only this phase (any case): ${PHASES.join(', ')}`)
        .option('-n, --namespace <namespace>', "only this namespace (default: the context's)")
        .option('--cluster <cluster>', "only this cluster (default: the context's)")
        .option('-A, --all-namespaces', 'every namespace'),
      'table',
      LISTING_FORMATS,
    ),
  ).action(
    async (options: ListingOptions & RefOptions & { phase?: string; allNamespaces?: boolean }) => {
      const phase = options.phase ? parsePhase(options.phase) : undefined;
      if (options.allNamespaces && options.namespace)
        throw new UsageError('-A and -n: choose all namespaces or one');
      const { api, config } = await connectWithConfig(options, ctx);
      const cluster = options.cluster ?? config.context?.cluster;
      const namespace = options.allNamespaces
        ? undefined
        : (options.namespace ?? config.context?.namespace);
      const { rollouts } = await api.listRollouts({
        ...(phase ? { phase } : {}),
        ...(cluster ? { cluster } : {}),
        ...(namespace ? { namespace } : {}),
      });
      const now = nowOf(ctx);
      ctx.out(
        listing(
          options.output,
          rollouts,
          (wide) => listTable(rollouts, wide, now),
          () => rollouts.map((r) => `${nameOf(r)}\n`).join(''),
        ),
      );
    },
  );

  withConnection(
    withRef(
      withOutput(
        program
          .command('get')
          .description(
            'show a rollout: its state, and with --ledger every decision in plain language',
          )
          .argument(
            '<rollout>',
            'a name (with -n, --cluster or the context), or cluster/namespace/name',
          )
          .option('--ledger', 'include the whole ledger'),
        'table',
        LISTING_FORMATS,
      ),
    ),
  ).action(async (ref: string, options: ListingOptions & RefOptions & { ledger?: boolean }) => {
    const { api, id } = await connectToRollout(ref, options, ctx);
    const { rollout, plan, entries } = await suggestingOnNotFound(api, id, async () =>
      options.ledger
        ? await api.fullLedger(id)
        : { ...(await api.getRollout(id, { limit: 1 })), entries: undefined },
    );
    const value = { rollout, plan, ...(entries ? { ledger: entries } : {}) };
    const now = nowOf(ctx);
    ctx.out(
      listing(
        options.output,
        value,
        () =>
          [summary(rollout, plan, now), ...(entries ? ['\nLedger', ...entries.map(entryLine)] : [])]
            .join('\n')
            .replace(/\n*$/, '\n'),
        () => `${nameOf(rollout)}\n`,
      ),
    );
  });

  withConnection(
    withRef(
      withOutput(
        program
          .command('watch')
          .description(
            `follow a rollout, printing each ledger line as it comes, until it ends: exit 0 when it succeeds, ${EXIT.rolloutFailed} when it rolls back, fails or is aborted`,
          )
          .argument(
            '<rollout>',
            'a name (with -n, --cluster or the context), or cluster/namespace/name',
          )
          .option('--poll <duration>', 'time between looks', '2s')
          .option(
            '--heartbeat <duration>',
            'with no news for this long, print when the next check is',
            '10s',
          ),
      ),
    ),
  ).action(
    async (
      ref: string,
      options: ConnectedOptions & RefOptions & { poll: string; heartbeat: string },
    ) => {
      for (const [flag, value] of [
        ['--poll', options.poll],
        ['--heartbeat', options.heartbeat],
      ] as const)
        if (!isDuration(value))
          throw new UsageError(`${flag}: "${value}" is not a duration such as 2s`);
      const { api, id } = await connectToRollout(ref, options, ctx);
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
      let quietSince = nowOf(ctx);
      for (;;) {
        const { rollout, entries: all } = await suggestingOnNotFound(api, id, () =>
          api.fullLedger(id),
        );
        // Earlier revisions of the same id are history, not this rollout's progress.
        const entries = all.filter((entry) => entry.revision === rollout.revision);
        if (seen > entries.length) seen = 0;
        const news = entries.slice(seen);
        for (const entry of news) emit(entry, entryLine(entry));
        seen = entries.length;
        let changed = news.length > 0;
        if (last?.phase !== rollout.phase || last.weight !== rollout.canaryWeight) {
          if (options.output === 'table')
            ctx.out(`${rollout.id}: ${rollout.phase} · canary ${rollout.canaryWeight}%\n`);
          last = { phase: rollout.phase, weight: rollout.canaryWeight };
          changed = true;
        }
        if (isTerminal(rollout.phase) && !rollout.pending) {
          if (options.output !== 'table') emit({ rollout }, '');
          if (rollout.phase !== 'Succeeded')
            throw new CliError(
              `${rollout.id} ended ${rollout.phase}: ${rollout.message}`,
              EXIT.rolloutFailed,
            );
          return;
        }
        const now = nowOf(ctx);
        if (changed) quietSince = now;
        else if (now - quietSince >= durationMs(options.heartbeat)) {
          if (options.output === 'table') ctx.out(`${heartbeat(rollout, now)}\n`);
          quietSince = now;
        }
        await ctx.sleep(durationMs(options.poll));
      }
    },
  );
};

/** What the rollout waits for, e.g. `next check in 25 s (step 2 of 5, canary 20%)`. */
export const heartbeat = (rollout: RolloutState, now: number): string => {
  const at = `step ${stepOf(rollout, weightPlan(rollout.spec.analysis))}, canary ${rollout.canaryWeight}%`;
  if (rollout.pending) return `waiting for ${rollout.pending.targetWeight}% to be applied (${at})`;
  if (rollout.drift && rollout.phase === 'Paused') return `paused on drift: ${driftLine(rollout)}`;
  if (rollout.phase === 'Paused')
    return `paused (${at}); kanari resume ${rollout.id} --reason … continues it`;
  const left = Math.ceil((Date.parse(rollout.nextCheckAt) - now) / 1000);
  return left > 0 ? `next check in ${left} s (${at})` : `check due now (${at})`;
};
