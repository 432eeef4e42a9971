import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface SentCommand {
  /** The SDK command's name, e.g. `QueryCommand`. */
  command: string;
  /** Its input as the caller gave it (document form for a document client). */
  input: Record<string, unknown>;
}

export interface RequestCount {
  /** Every command sent since the last reset, in order. */
  sent: SentCommand[];
  /** How many of each command, by name. */
  counts(): Record<string, number>;
  reset(): void;
  /** Takes the middleware off the client again. */
  stop(): void;
}

const NAME = 'kanariCountRequests';

/**
 * Counts the commands a DynamoDB client sends, with an SDK middleware at the initialize step:
 * one per `send`, whatever the SDK retries below it. A document client shares its stack with
 * the client it wraps, so counting either counts both.
 */
export const countRequests = (client: DynamoDBClient | DynamoDBDocumentClient): RequestCount => {
  const sent: SentCommand[] = [];
  const stack = client.middlewareStack as DynamoDBClient['middlewareStack'];
  stack.add(
    (next, context) => async (args) => {
      sent.push({
        command: String(context.commandName),
        input: args.input as Record<string, unknown>,
      });
      return next(args);
    },
    { step: 'initialize', name: NAME },
  );
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
      stack.remove(NAME);
    },
  };
};
