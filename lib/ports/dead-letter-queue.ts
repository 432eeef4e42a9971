/** One message of a dead-letter queue, received and invisible to others until handled. */
export interface QueuedMessage {
  id: string;
  /** What deletes this receipt of it. */
  receipt: string;
  body: string;
  /** String message attributes (EventBridge's ERROR_CODE, ERROR_MESSAGE, RULE_ARN...). */
  attributes: Record<string, string | undefined>;
}

/** A function's dead-letter queue, as redrive reads it. */
export interface DeadLetterQueue {
  /** Up to `max` (≤ 10) messages; none when the queue is empty. */
  receive(max: number): Promise<QueuedMessage[]>;
  delete(receipt: string): Promise<void>;
}

/** Invokes the function the queue belongs to asynchronously, as EventBridge would. */
export type InvokeAsync = (event: Record<string, unknown>) => Promise<void>;
