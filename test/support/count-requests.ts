import type { DynamoClient } from '../../lib/adapters/dynamodb/client.ts';

export interface SentCommand {
  /** The DynamoDB operation's command name, e.g. `QueryCommand`. */
  command: string;
  /** Its input as the store gave it (document form). */
  input: Record<string, unknown>;
}

export interface RequestCount {
  /** Every request sent since the last reset, in order. */
  sent: SentCommand[];
  /** How many of each command, by name. */
  counts(): Record<string, number>;
  reset(): void;
  /** Puts the client's own methods back. */
  stop(): void;
}

const OPERATIONS = ['getItem', 'query', 'batchGetItem', 'transactWriteItems'] as const;

/**
 * Counts the requests a store makes through a DynamoDB client: one per call, whatever the
 * client retries below it. Each method of the client is wrapped in place until `stop`.
 */
export const countRequests = (client: DynamoClient): RequestCount => {
  const sent: SentCommand[] = [];
  const own = { ...client };
  for (const operation of OPERATIONS) {
    const command = `${operation[0]?.toUpperCase()}${operation.slice(1)}Command`;
    const call = own[operation] as (input: object) => Promise<unknown>;
    (client as unknown as Record<string, unknown>)[operation] = (input: object) => {
      sent.push({ command, input: input as Record<string, unknown> });
      return call(input);
    };
  }
  return {
    sent,
    counts: () => {
      const counts: Record<string, number> = {};
      for (const { command } of sent) counts[command] = (counts[command] ?? 0) + 1;
      return counts;
    },
    reset: () => {
      sent.length = 0;
    },
    stop: () => {
      Object.assign(client, own);
    },
  };
};
