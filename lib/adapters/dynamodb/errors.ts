import { KanariError } from '../../ports/errors.ts';

/** An item read back from the table does not have the shape this adapter writes. */
export class MalformedItemError extends KanariError {}

interface CancellationReason {
  Code?: string;
  Item?: Record<string, { N?: string; S?: string }>;
}

const nameOf = (error: unknown): string | undefined =>
  error instanceof Error ? error.name : undefined;

const reasonsOf = (error: unknown): CancellationReason[] =>
  nameOf(error) === 'TransactionCanceledException'
    ? ((error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [])
    : [];

/** The condition on the first item of a transaction (or on a plain write) failed. */
export const firstConditionFailed = (error: unknown): boolean =>
  nameOf(error) === 'ConditionalCheckFailedException' ||
  reasonsOf(error)[0]?.Code === 'ConditionalCheckFailed';

export const anyConditionFailed = (error: unknown): boolean =>
  nameOf(error) === 'ConditionalCheckFailedException' ||
  reasonsOf(error).some((reason) => reason.Code === 'ConditionalCheckFailed');

/**
 * Another transaction held one of the items. Nothing was written and no condition was judged,
 * so the write may simply be tried again.
 */
export const isTransactionConflict = (error: unknown): boolean => {
  const reasons = reasonsOf(error);
  return (
    reasons.some((reason) => reason.Code === 'TransactionConflict') &&
    reasons.every((reason) => reason.Code === 'TransactionConflict' || reason.Code === 'None')
  );
};

/** The condition on the item at `index` of a transaction failed. */
export const conditionFailedAt = (error: unknown, index: number): boolean =>
  reasonsOf(error)[index]?.Code === 'ConditionalCheckFailed';

/**
 * An attribute of the item that failed the condition (ReturnValuesOnConditionCheckFailure),
 * the first of a transaction unless `index` says which.
 */
export const failedItemAttribute = (
  error: unknown,
  name: string,
  index = 0,
): string | undefined => {
  const item =
    reasonsOf(error)[index]?.Item ??
    (error as { Item?: CancellationReason['Item'] } | undefined)?.Item;
  const value = item?.[name];
  return value?.N ?? value?.S;
};
