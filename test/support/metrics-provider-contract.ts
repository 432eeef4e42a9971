import { beforeAll, describe, expect, it } from 'vitest';
import { MetricsQueryError } from '../../lib/ports/errors.ts';
import type { MetricsProvider } from '../../lib/ports/metrics-provider.ts';

/**
 * The vector and range behaviour every MetricsProvider must have, on queries that need no
 * stored data, so one contract runs against the fake and against a real Prometheus:
 * - `STAMPED`: two series, `w="a"` valued time() and `w="b"` valued 2·time();
 * - `AFTER`: one series valued time(), present only at times after `CUT`;
 * - `NAN`, `INF`: one series valued NaN or +Inf; `NOTHING`: no series; `BROKEN`: a parse error.
 * A fake is told these semantics by `contractVectors` below; Prometheus evaluates the PromQL.
 */
export const CONTRACT_QUERIES = {
  STAMPED:
    'label_replace(vector(time()), "w", "a", "", "") or label_replace(vector(2 * time()), "w", "b", "", "")',
  AFTER: 'vector(time()) > 1700000025',
  NAN: 'vector(NaN)',
  INF: 'vector(+Inf)',
  NOTHING: 'kanari_contract_absent_metric',
  BROKEN: 'sum(',
} as const;
const CUT = 1_700_000_025;

/** What the contract's queries mean, for a fake that answers instant queries at time t. */
export const contractVectors = (query: string, t: number) => {
  switch (query) {
    case CONTRACT_QUERIES.STAMPED:
      return [
        { labels: { w: 'a' }, value: t },
        { labels: { w: 'b' }, value: 2 * t },
      ];
    case CONTRACT_QUERIES.AFTER:
      return t > CUT ? [{ labels: {}, value: t }] : [];
    case CONTRACT_QUERIES.NAN:
      return [{ labels: {}, value: null }];
    case CONTRACT_QUERIES.INF:
      return [{ labels: {}, value: null }];
    case CONTRACT_QUERIES.BROKEN:
      return new MetricsQueryError(`parse error; query: ${query}`);
    default:
      return [];
  }
};

const at = (seconds: number) => new Date(seconds * 1000);
const byW = <T extends { labels: Record<string, string> }>(rows: T[]) =>
  [...rows].sort((x, y) => (x.labels.w ?? '').localeCompare(y.labels.w ?? ''));

export const metricsProviderContract = (
  name: string,
  makeProvider: () => MetricsProvider | Promise<MetricsProvider>,
): void => {
  describe(`${name} (MetricsProvider vector and range contract)`, () => {
    let metrics: MetricsProvider;
    beforeAll(async () => {
      metrics = await makeProvider();
    });

    it('answers an instant query with every series and its labels, at the time asked', async () => {
      const samples = await metrics.queryVector(CONTRACT_QUERIES.STAMPED, at(1_700_000_000));
      expect(byW(samples)).toEqual([
        { labels: { w: 'a' }, value: 1_700_000_000 },
        { labels: { w: 'b' }, value: 3_400_000_000 },
      ]);
    });

    it('answers NaN and +Inf with null, and no series with []', async () => {
      expect(await metrics.queryVector(CONTRACT_QUERIES.NAN, at(1_700_000_000))).toEqual([
        { labels: {}, value: null },
      ]);
      expect(await metrics.queryVector(CONTRACT_QUERIES.INF, at(1_700_000_000))).toEqual([
        { labels: {}, value: null },
      ]);
      expect(await metrics.queryVector(CONTRACT_QUERIES.NOTHING, at(1_700_000_000))).toEqual([]);
    });

    it('evaluates a range query at start, start + step, … up to and including end', async () => {
      const range = { start: at(1_700_000_000), end: at(1_700_000_030), stepSeconds: 10 };
      const series = byW(await metrics.queryRange(CONTRACT_QUERIES.STAMPED, range));
      const grid = [1_700_000_000, 1_700_000_010, 1_700_000_020, 1_700_000_030];
      expect(series).toEqual([
        { labels: { w: 'a' }, points: grid.map((t) => ({ t, value: t })) },
        { labels: { w: 'b' }, points: grid.map((t) => ({ t, value: 2 * t })) },
      ]);
    });

    it('stops the grid at the last step not after end', async () => {
      const range = { start: at(1_700_000_000), end: at(1_700_000_025), stepSeconds: 10 };
      const [series] = await metrics.queryRange(CONTRACT_QUERIES.STAMPED, range);
      expect(series?.points.map((p) => p.t)).toEqual([1_700_000_000, 1_700_000_010, 1_700_000_020]);
    });

    it('leaves out the steps where a series has no value (absent, not null)', async () => {
      const range = { start: at(1_700_000_000), end: at(1_700_000_050), stepSeconds: 10 };
      expect(await metrics.queryRange(CONTRACT_QUERIES.AFTER, range)).toEqual([
        {
          labels: {},
          points: [1_700_000_030, 1_700_000_040, 1_700_000_050].map((t) => ({ t, value: t })),
        },
      ]);
      expect(await metrics.queryRange(CONTRACT_QUERIES.NOTHING, range)).toEqual([]);
    });

    it('gives null points for NaN in a range', async () => {
      const range = { start: at(1_700_000_000), end: at(1_700_000_010), stepSeconds: 10 };
      expect(await metrics.queryRange(CONTRACT_QUERIES.NAN, range)).toEqual([
        {
          labels: {},
          points: [
            { t: 1_700_000_000, value: null },
            { t: 1_700_000_010, value: null },
          ],
        },
      ]);
    });

    it('throws MetricsQueryError naming the query for a query it cannot run', async () => {
      const range = { start: at(1_700_000_000), end: at(1_700_000_010), stepSeconds: 10 };
      const vector = await metrics.queryVector(CONTRACT_QUERIES.BROKEN).catch((e: unknown) => e);
      const matrix = await metrics
        .queryRange(CONTRACT_QUERIES.BROKEN, range)
        .catch((e: unknown) => e);
      for (const error of [vector, matrix]) {
        expect(error).toBeInstanceOf(MetricsQueryError);
        expect((error as Error).message).toContain(CONTRACT_QUERIES.BROKEN);
      }
    });

    it('refuses a range whose end is before its start', async () => {
      const range = { start: at(1_700_000_010), end: at(1_700_000_000), stepSeconds: 10 };
      await expect(metrics.queryRange(CONTRACT_QUERIES.STAMPED, range)).rejects.toThrow(
        MetricsQueryError,
      );
    });
  });
};
