import { isTerminal } from '../../domain/phase.ts';
import type { RolloutState } from '../../domain/state.ts';
import { TargetOwnedError } from '../../ports/errors.ts';
import type { RolloutStore } from '../../ports/rollout-store.ts';
import type { DynamoClient } from './client.ts';
import { conditionFailedAt, failedItemAttribute, firstConditionFailed } from './errors.ts';
import { OWNER_SK, ownerPK } from './keys.ts';
import type { TransactItem } from './transactions.ts';

/** Where a create puts the ownership item in its transaction: right after the state. */
const OWNERSHIP_INDEX = 1;
const TAKEOVER_ATTEMPTS = 4;

export interface OwnershipOptions {
  client: DynamoClient;
  tableName: string;
  get: (id: string) => Promise<RolloutState | undefined>;
}

/**
 * One active rollout per VirtualService. Create takes the ownership item (or keeps it: the
 * same rollout's next revision); an owner that has ended since is taken over, conditional on
 * still being that owner, so ending a rollout needs no write of its own.
 */
export const createOwnership = ({ client, tableName, get }: OwnershipOptions) => {
  const takeOwnership = (state: RolloutState, previous?: string): TransactItem => ({
    Put: {
      TableName: tableName,
      Item: { PK: ownerPK(state.spec.target), SK: OWNER_SK, owner: state.id },
      ConditionExpression: previous
        ? '#owner = :previous'
        : 'attribute_not_exists(PK) OR #owner = :id',
      ExpressionAttributeNames: { '#owner': 'owner' },
      ExpressionAttributeValues: previous ? { ':previous': previous } : { ':id': state.id },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  });

  /** The rollout that owns a VirtualService now: the last to take it, unless it has ended. */
  const owner: RolloutStore['owner'] = async (target) => {
    const { Item } = await client.getItem({
      TableName: tableName,
      Key: { PK: ownerPK(target), SK: OWNER_SK },
      ConsistentRead: true,
    });
    const id = typeof Item?.owner === 'string' ? Item.owner : undefined;
    const state = id ? await get(id) : undefined;
    return state && !isTerminal(state.phase) ? id : undefined;
  };

  /**
   * Runs `write` (a transaction: the state, then `ownership`, then anything else) until it
   * takes the target's ownership item, or no ownership item at all for a terminal state.
   * When that item's condition fails, an owner that has ended is taken over and `write` runs
   * again; a live owner is a TargetOwnedError. Any other failure, and the last one, goes to
   * `failed`, whose result is thrown.
   */
  const writeOwning = async (
    state: RolloutState,
    write: (ownership: TransactItem[]) => Promise<void>,
    failed: (error: unknown) => unknown,
  ): Promise<void> => {
    const owning = !isTerminal(state.phase);
    let previous: string | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        await write(owning ? [takeOwnership(state, previous)] : []);
        return;
      } catch (error) {
        if (firstConditionFailed(error) || !owning || !conditionFailedAt(error, OWNERSHIP_INDEX))
          throw failed(error);
        const taken = failedItemAttribute(error, 'owner', OWNERSHIP_INDEX);
        const takenBy = taken ? await get(taken) : undefined;
        if (taken && takenBy && !isTerminal(takenBy.phase))
          throw new TargetOwnedError(state.spec.target, taken);
        if (!taken || attempt >= TAKEOVER_ATTEMPTS) throw error;
        previous = taken;
      }
    }
  };

  return { owner, writeOwning };
};
