import type { Commit, RolloutStore } from '../../lib/ports/rollout-store.ts';

/** commitAll as one commit after another: what a store without batched writes does. */
export const commitEach =
  (commit: RolloutStore['commit']) =>
  async (commits: readonly Commit[]): Promise<(Error | undefined)[]> => {
    const results: (Error | undefined)[] = [];
    for (const { state, entries } of commits) {
      results.push(
        await commit(state, entries).then(
          () => undefined,
          (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
        ),
      );
    }
    return results;
  };
