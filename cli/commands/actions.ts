import type { Command } from 'commander';
import { OPERATOR_ACTIONS, type OperatorAction } from '../../lib/app/operator-action.ts';
import type { CliContext } from '../context.ts';
import { UsageError } from '../errors.ts';
import {
  type ConnectedOptions,
  type RefOptions,
  withConnection,
  withOutput,
  withRef,
} from '../options.ts';
import { connectToRollout, suggestingOnNotFound } from '../ref.ts';
import { render } from '../render.ts';

const WHAT: Record<OperatorAction, string> = {
  rollback: 'send all canary traffic back to the primary',
  pause: 'stop analysis and hold the weights where they are',
  resume: 'resume analysis of a paused rollout',
  promote: 'move the canary to the next step now (or to 100% with --full)',
  abort: 'send all canary traffic back to the primary and end the rollout as Aborted',
  finalize:
    'after Succeeded, once the primary runs the new version: move all traffic back to it (docs/lifecycle.md)',
};

/** `kanari rollback|pause|resume|promote|abort|finalize <id> --reason "…"`: the same decisions as the console. */
export const actionCommands = (program: Command, ctx: CliContext): void => {
  for (const action of OPERATOR_ACTIONS) {
    const command = program
      .command(action)
      .description(WHAT[action])
      .argument(
        '<rollout>',
        'a name (with -n, --cluster or the context), or cluster/namespace/name',
      )
      .requiredOption('--reason <text>', 'why: recorded in the ledger with your identity');
    if (action === 'promote') command.option('--full', 'promote straight to 100%');
    withConnection(withRef(withOutput(command))).action(
      async (
        ref: string,
        options: ConnectedOptions & RefOptions & { reason: string; full?: boolean },
      ) => {
        if (!options.reason.trim()) throw new UsageError('--reason: say why you act');
        const { api, id } = await connectToRollout(ref, options, ctx);
        const result = await suggestingOnNotFound(api, id, () =>
          api.action(id, action, {
            reason: options.reason,
            ...(options.full ? { full: true } : {}),
          }),
        );
        const { rollout, entry } = result;
        ctx.out(
          render(
            options.output,
            result,
            () =>
              `${entry.description ?? entry.message}\n${rollout.id}: ${rollout.phase} · canary ${rollout.canaryWeight}%${rollout.pending ? ` → ${rollout.pending.targetWeight}% once applied` : ''}\n`,
          ),
        );
      },
    );
  }
};
