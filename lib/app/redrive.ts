import { readDeadLetter } from '../domain/dead-letter.ts';
import type { DeadLetterQueue, InvokeAsync } from '../ports/dead-letter-queue.ts';

export interface RedriveLine {
  id: string;
  /** redriven, dropped (a stale tick, deleted), kept (left in the queue), or would-redrive. */
  outcome: 'redriven' | 'dropped' | 'kept' | 'would-redrive';
  /** The event's detail-type, when there is one. */
  what?: string;
  why: string;
}

export interface RedriveOptions {
  queue: DeadLetterQueue;
  invoke: InvokeAsync;
  /** At most this many messages are looked at. */
  limit: number;
  /** Report what would be redriven and change nothing. */
  dryRun?: boolean;
  /** Told of each message as it is handled. */
  onLine?: (line: RedriveLine) => void;
}

/**
 * Sends each dead letter's event to its function again, then deletes the message; a message
 * whose invocation fails, or that is not kanari's, stays in the queue. kanari's functions are
 * idempotent on their events (docs/reliability.md), so a redriven decision that has landed
 * meanwhile, or been superseded, is recorded and not applied again.
 *
 * Stops when the queue answers with nothing, with only messages already seen (those kept
 * reappear after their visibility timeout), or at `limit`.
 */
export const redrive = async (options: RedriveOptions): Promise<RedriveLine[]> => {
  const lines: RedriveLine[] = [];
  const seen = new Set<string>();
  const report = (line: RedriveLine) => {
    lines.push(line);
    options.onLine?.(line);
  };
  while (seen.size < options.limit) {
    const batch = (await options.queue.receive(Math.min(10, options.limit - seen.size))).filter(
      (message) => !seen.has(message.id),
    );
    if (batch.length === 0) break;
    for (const message of batch) {
      seen.add(message.id);
      const letter = readDeadLetter(message.body, message.attributes);
      if (letter.outcome === 'keep') {
        report({ id: message.id, outcome: 'kept', why: letter.why });
        continue;
      }
      if (letter.outcome === 'drop') {
        if (!options.dryRun) await options.queue.delete(message.receipt);
        report({ id: message.id, outcome: 'dropped', what: 'Scheduled Event', why: letter.why });
        continue;
      }
      const what = String(letter.event['detail-type']);
      const why = `${letter.how === 'failed' ? 'failed' : 'not delivered'}: ${letter.why}`;
      if (options.dryRun) {
        report({ id: message.id, outcome: 'would-redrive', what, why });
        continue;
      }
      try {
        await options.invoke(letter.event);
      } catch (error) {
        report({
          id: message.id,
          outcome: 'kept',
          what,
          why: `the invocation failed: ${error instanceof Error ? error.message : String(error)}`,
        });
        continue;
      }
      await options.queue.delete(message.receipt);
      report({ id: message.id, outcome: 'redriven', what, why });
    }
  }
  return lines;
};
