import { describe, expect, it } from 'vitest';
import {
  combineVerdicts,
  DEFAULT_REPLAY_SPEC,
  type ReplayBucket,
  ReplayEmptyError,
  ReplayOrderError,
  type ReplaySide,
  replay,
} from '../../lib/domain/judge-replay.ts';
import { parseReplayInput } from '../../lib/schemas/judge-replay.ts';

const side = (requests: number, errors: number, slow = 0): ReplaySide => ({
  requests,
  errors,
  slow,
});
/** n buckets of 10 s: canary 100 requests, primary 900, with the given bad counts per bucket. */
const buckets = (n: number, canary: ReplaySide, primary: ReplaySide): ReplayBucket[] =>
  Array.from({ length: n }, (_, i) => ({ t: 10 * (i + 1), canary, primary }));

describe('replay', () => {
  it('rolls back a canary with 20× the primary error rate', () => {
    const result = replay(DEFAULT_REPLAY_SPEC, buckets(30, side(100, 20), side(900, 9)));
    expect(result.final.verdict).toBe('regression');
    const first = result.decisions.find((d) => d.verdict === 'regression');
    expect(result.final.t).toBe(first?.t);
    expect(first?.evidence.errors?.verdict).toBe('regression');
  });

  it('never calls A/A traffic (the same error and slow rates on both sides) a regression', () => {
    const result = replay(DEFAULT_REPLAY_SPEC, buckets(180, side(100, 1, 1), side(900, 9, 9)));
    expect(result.final.verdict).not.toBe('regression');
    expect(result.decisions.map((d) => d.verdict)).not.toContain('regression');
  });

  it('emits a decision at the first bucket, at each change of verdict and at the last bucket', () => {
    const healthy = buckets(3, side(100, 0), side(900, 0));
    const broken = buckets(30, side(100, 50), side(900, 9)).map((b) => ({ ...b, t: b.t + 30 }));
    const result = replay(DEFAULT_REPLAY_SPEC, [...healthy, ...broken]);
    const ts = result.decisions.map((d) => d.t);
    expect(ts[0]).toBe(10);
    expect(ts[ts.length - 1]).toBe(330);
    for (let i = 1; i < result.decisions.length - 1; i++)
      expect(result.decisions[i]?.verdict).not.toBe(result.decisions[i - 1]?.verdict);
    expect(result.final.verdict).toBe('regression');
  });

  it('ends inconclusive at the last t when no bad event is ever seen', () => {
    const result = replay(DEFAULT_REPLAY_SPEC, buckets(5, side(100, 0), side(900, 0)));
    expect(result.final).toEqual({ verdict: 'inconclusive', t: 50 });
    expect(result.decisions.map((d) => d.t)).toEqual([10, 50]);
  });

  it('splits α across the metrics it judges', () => {
    const both = replay(DEFAULT_REPLAY_SPEC, buckets(1, side(100, 1), side(900, 9)));
    expect(both.decisions[0]?.evidence.errors?.threshold).toBeCloseTo(1 / 0.005);
    expect(both.decisions[0]?.evidence.slow?.threshold).toBeCloseTo(1 / 0.005);
    const one = replay(
      { ...DEFAULT_REPLAY_SPEC, metrics: ['errors'] },
      buckets(1, side(100, 1), side(900, 9)),
    );
    expect(one.decisions[0]?.evidence.errors?.threshold).toBeCloseTo(1 / 0.01);
    expect(one.decisions[0]?.evidence.slow).toBeUndefined();
  });

  it('restarts the step request count only where the spec says a step began', () => {
    const data = buckets(4, side(100, 1), side(900, 9));
    const none = replay(DEFAULT_REPLAY_SPEC, data);
    expect(none.decisions.at(-1)?.evidence.errors?.stepCanaryRequests).toBe(400);
    const stepped = replay({ ...DEFAULT_REPLAY_SPEC, stepStarts: [25] }, data);
    expect(stepped.decisions.at(-1)?.evidence.errors?.stepCanaryRequests).toBe(200);
    expect(stepped.decisions.at(-1)?.evidence.errors?.canary.requests).toBe(400);
  });

  it('refuses buckets whose t does not increase, and an empty list', () => {
    const data = buckets(3, side(100, 1), side(900, 9));
    const back = [data[0], data[2], data[1]] as ReplayBucket[];
    expect(() => replay(DEFAULT_REPLAY_SPEC, back)).toThrow(ReplayOrderError);
    expect(() => replay(DEFAULT_REPLAY_SPEC, back)).toThrow(/^buckets\[2\]\.t: /);
    expect(() => replay(DEFAULT_REPLAY_SPEC, [])).toThrow(ReplayEmptyError);
  });
});

describe('combineVerdicts', () => {
  it('rolls back on any regression, promotes only when every metric is non-inferior', () => {
    expect(combineVerdicts(['non-inferior', 'regression'])).toBe('regression');
    expect(combineVerdicts(['non-inferior', 'inconclusive'])).toBe('inconclusive');
    expect(combineVerdicts(['non-inferior', 'non-inferior'])).toBe('non-inferior');
    expect(combineVerdicts([])).toBe('inconclusive');
  });
});

describe('parseReplayInput', () => {
  const good = { spec: {}, buckets: buckets(4, side(10, 1, 1), side(90, 2, 3)) };
  const firstProblem = (value: unknown) => {
    const parsed = parseReplayInput(value);
    if (parsed.ok) throw new Error('expected a problem');
    const [first] = parsed.problems;
    return `${first?.path}: ${first?.message}`;
  };
  const withBucket = (index: number, change: (b: Record<string, unknown>) => void) => {
    const copy = structuredClone(good) as unknown as { buckets: Record<string, unknown>[] };
    change(copy.buckets[index] as Record<string, unknown>);
    return copy;
  };

  it('fills an empty spec with the default judge', () => {
    const parsed = parseReplayInput(good);
    expect(parsed.ok && parsed.input.spec).toEqual(DEFAULT_REPLAY_SPEC);
    const tuned = parseReplayInput({ ...good, spec: { type: 'compare', tolerance: 1.3 } });
    expect(tuned.ok && tuned.input.spec).toEqual({ ...DEFAULT_REPLAY_SPEC, tolerance: 1.3 });
  });

  it('names errors above requests with both numbers', () => {
    const input = withBucket(3, (b) => {
      b.canary = side(10, 12);
    });
    expect(firstProblem(input)).toBe(
      'buckets[3].canary.errors: must not exceed requests (12 > 10)',
    );
    const slow = withBucket(1, (b) => {
      b.primary = side(90, 0, 91);
    });
    expect(firstProblem(slow)).toBe('buckets[1].primary.slow: must not exceed requests (91 > 90)');
  });

  it('names a negative count', () => {
    const input = withBucket(2, (b) => {
      b.primary = side(-1, 0);
    });
    expect(firstProblem(input)).toBe('buckets[2].primary.requests: must not be negative');
  });

  it('names a missing field', () => {
    const input = withBucket(0, (b) => {
      b.canary = { requests: 10, errors: 0 };
    });
    expect(firstProblem(input)).toBe('buckets[0].canary.slow: required');
    expect(firstProblem({ buckets: good.buckets })).toBe('spec: required');
    expect(firstProblem({ spec: {} })).toBe('buckets: required');
    expect(firstProblem(withBucket(1, (b) => delete b.t))).toBe('buckets[1].t: required');
  });

  it('names a t that does not increase', () => {
    const input = withBucket(2, (b) => {
      b.t = 20;
    });
    expect(firstProblem(input)).toBe(
      "buckets[2].t: must be greater than the previous bucket's (20 ≤ 20)",
    );
  });

  it('refuses no buckets, unknown spec fields and a wrong judge type', () => {
    expect(firstProblem({ spec: {}, buckets: [] })).toBe('buckets: must hold at least one bucket');
    expect(firstProblem({ ...good, spec: { tolerence: 1.3 } })).toMatch(/^spec: .*tolerence/);
    expect(firstProblem({ ...good, spec: { type: 'threshold' } })).toMatch(
      /^spec\.type: must be "compare"/,
    );
    expect(firstProblem({ ...good, spec: { alpha: 2 } })).toMatch(/^spec\.alpha: /);
    expect(firstProblem([])).toMatch(/^\(root\): must be an object/);
  });
});
