import { describe, expect, it } from 'vitest';
import {
  bucketIncreaseQuery,
  countQuery,
  indexByWorkload,
  leSpellings,
  resultOf,
} from '../../lib/domain/count-queries.ts';

const shop = [
  { namespace: 'shop', workload: 'web-canary' },
  { namespace: 'shop', workload: 'web-primary' },
];
const SELECTOR =
  'reporter="destination",destination_workload_namespace=~"shop",destination_workload=~"web-canary|web-primary"';
const BY = 'sum by (destination_workload_namespace, destination_workload)';

describe('count queries keyed by workload', () => {
  it('sums all requests by namespace and workload', () => {
    expect(countQuery('requests', shop)).toBe(`${BY} (istio_requests_total{${SELECTOR}})`);
  });

  it('sums 5xx requests by namespace and workload', () => {
    expect(countQuery('errors', shop)).toBe(
      `${BY} (istio_requests_total{${SELECTOR},response_code=~"5.."})`,
    );
  });

  it('sums one duration bucket, matching every spelling of its le', () => {
    expect(countQuery({ atOrBelowMs: 500 }, shop)).toBe(
      `${BY} (istio_request_duration_milliseconds_bucket{${SELECTOR},le=~"500|500\\\\.0"})`,
    );
    expect(countQuery({ atOrBelowMs: 1_800_000 }, shop)).toContain(
      'le=~"1800000|1\\\\.8e\\\\+06|1800000\\\\.0"',
    );
  });

  it('sums bucket increases by workload and le over a window', () => {
    expect(bucketIncreaseQuery(shop.slice(1), 600)).toBe(
      'sum by (destination_workload_namespace, destination_workload, le) (increase(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace=~"shop",destination_workload=~"web-primary"}[600s]))',
    );
  });

  it('selects every workload with `all`, for a tick to ask once for all its rollouts', () => {
    expect(countQuery('errors', 'all')).toBe(
      `${BY} (istio_requests_total{reporter="destination",response_code=~"5.."})`,
    );
    expect(bucketIncreaseQuery('all', 600)).toBe(
      'sum by (destination_workload_namespace, destination_workload, le) (increase(istio_request_duration_milliseconds_bucket{reporter="destination"}[600s]))',
    );
  });

  it('escapes regex metacharacters in names, and lists each name once', () => {
    const query = countQuery('requests', [
      { namespace: 'a.b', workload: 'x' },
      { namespace: 'a.b', workload: 'y+z' },
    ]);
    expect(query).toContain('destination_workload_namespace=~"a\\\\.b"');
    expect(query).toContain('destination_workload=~"x|y\\\\+z"');
  });

  it('refuses no workload, a bad bound and a bad window', () => {
    expect(() => countQuery('requests', [])).toThrow(/at least one workload/);
    expect(() => countQuery({ atOrBelowMs: 0 }, shop)).toThrow(/bucket bound/);
    expect(() => countQuery({ atOrBelowMs: Number.NaN }, shop)).toThrow(/bucket bound/);
    expect(() => bucketIncreaseQuery(shop, 1.5)).toThrow(/window/);
    expect(() => bucketIncreaseQuery(shop, 0)).toThrow(/window/);
  });
});

describe('le spellings', () => {
  // Go's strconv.FormatFloat(x, 'g', -1, 64) switches to exponent form at 1e6 (and below 1e-4);
  // Prometheus 3 appends ".0" to whole numbers.
  it.each([
    [0.5, ['0.5']],
    [1, ['1', '1.0']],
    [250, ['250', '250.0']],
    [600_000, ['600000', '600000.0']],
    [1_000_000, ['1000000', '1e+06', '1000000.0']],
    [3_600_000, ['3600000', '3.6e+06', '3600000.0']],
    [0.00005, ['0.00005', '5e-05']],
  ])('spells %d as %j', (ms, spellings) => {
    expect(leSpellings(ms)).toEqual(spellings);
  });
});

describe('indexByWorkload', () => {
  it('gives each destination its rows, every le of it, and no namesake elsewhere', () => {
    const rows: { labels: Record<string, string> }[] = [
      { labels: { destination_workload_namespace: 'shop', destination_workload: 'web', le: '1' } },
      { labels: { destination_workload_namespace: 'other', destination_workload: 'web' } },
      { labels: { destination_workload_namespace: 'shop', destination_workload: 'web', le: '2' } },
      { labels: { destination_workload: 'web' } },
    ];
    const rowsOf = indexByWorkload(rows);
    expect(rowsOf({ namespace: 'shop', workload: 'web' })).toEqual([rows[0], rows[2]]);
    expect(rowsOf({ namespace: 'other', workload: 'web' })).toEqual([rows[1]]);
    expect(rowsOf({ namespace: 'shop', workload: 'we' })).toEqual([]);
  });
});

describe('resultOf', () => {
  it('finds the row of one namespace and workload, not a namesake elsewhere', () => {
    const rows = [
      { labels: { destination_workload_namespace: 'other', destination_workload: 'web-primary' } },
      { labels: { destination_workload_namespace: 'shop', destination_workload: 'web-primary' } },
    ];
    expect(resultOf(rows, { namespace: 'shop', workload: 'web-primary' })).toBe(rows[1]);
    expect(resultOf(rows, { namespace: 'shop', workload: 'web-canary' })).toBeUndefined();
  });
});
