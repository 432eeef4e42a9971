import type { Command } from 'commander';
import { OPERATOR_ACTIONS, type OperatorAction } from '../../lib/app/operator-action.ts';
import { connect } from '../config.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { type ConnectedOptions, withConnection, withOutput } from '../options.ts';
import { render } from '../render.ts';
import { checkId } from './rollouts.ts';

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
      .argument('<id>', 'cluster/namespace/name')
      .requiredOption('--reason <text>', 'why: recorded in the ledger with your identity');
    if (action === 'promote') command.option('--full', 'promote straight to 100%');
    withConnection(withOutput(command)).action(
      async (id: string, options: ConnectedOptions & { reason: string; full?: boolean }) => {
        checkId(id);
        if (!options.reason.trim()) throw new CliError('--reason: say why you act');
        const api = await connect(options, ctx);
        const result = await api.action(id, action, {
          reason: options.reason,
          ...(options.full ? { full: true } : {}),
        });
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
