import { describe, expect, it } from 'vitest';
import type { DestinationRule } from '../../lib/domain/destination-rule.ts';
import {
  destinationRuleProblems,
  intervalProblems,
  judgePreflight,
  shadowWarnings,
  virtualServiceProblems,
} from '../../lib/domain/preflight.ts';
import type { RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { shadowedRoutes } from '../../lib/domain/route-shadowing.ts';
import type { HttpRoute, VirtualService } from '../../lib/domain/virtual-service.ts';
import { seedSpec, seedVirtualService } from '../support/fixtures.ts';

const withWeights = (primary: number, canary: number): VirtualService => {
  const vs = seedVirtualService();
  const [p, c] = vs.spec.http?.[0]?.route ?? [];
  if (!p || !c) throw new Error('the seed has no managed route');
  p.weight = primary;
  c.weight = canary;
  return vs;
};

const subsetSpec = (): RolloutSpec => {
  const spec = seedSpec();
  spec.target = {
    ...spec.target,
    virtualService: 'reviews',
    primary: { host: 'reviews', subset: 'v1' },
    canary: { host: 'reviews', subset: 'v2' },
  };
  return spec;
};

const rule = (subsets: string[], host = 'reviews'): DestinationRule => ({
  metadata: { name: 'reviews', namespace: 'default' },
  spec: { host, subsets: subsets.map((name) => ({ name, labels: { version: name } })) },
});

const uri = (kind: 'prefix' | 'exact' | 'regex', value: string, extra = {}) => ({
  uri: { [kind]: value },
  ...extra,
});
const route = (...match: object[]): HttpRoute =>
  match.length > 0 ? { match, route: [] } : { route: [] };

describe('preflight: the interval against the analysis schedule', () => {
  it('refuses an interval shorter than the schedule, naming analysis.interval and the schedule', () => {
    expect(intervalProblems(seedSpec({ interval: '15s' }), 60)).toEqual([
      {
        check: 'interval',
        message:
          'analysis.interval is 15s, shorter than the analysis schedule of this deployment (every 60s): ' +
          'checks cannot run that often; set analysis.interval to at least 60s',
      },
    ]);
  });

  it('accepts an interval equal to or longer than the schedule', () => {
    expect(intervalProblems(seedSpec({ interval: '1m' }), 60)).toEqual([]);
    expect(intervalProblems(seedSpec({ interval: '5s' }), 1)).toEqual([]);
  });
});

describe('preflight: the VirtualService', () => {
  const spec = seedSpec();

  it('accepts the managed route with all traffic on the primary', () => {
    expect(virtualServiceProblems(spec, seedVirtualService())).toEqual([]);
  });

  it('refuses when the canary holds all the traffic, and says what to do: --swap or finalize', () => {
    const [found] = virtualServiceProblems(spec, withWeights(0, 100));
    expect(found?.check).toBe('weights');
    expect(found?.message).toContain(
      'VirtualService default/my-service sends primary my-service 0% and canary my-service-v2 100%',
    );
    expect(found?.message).toContain('kanari apply --swap');
    expect(found?.message).toContain('kanari finalize <id>');
  });

  it('refuses weights part way, as another rollout would leave them', () => {
    const [found] = virtualServiceProblems(spec, withWeights(70, 30));
    expect(found?.check).toBe('weights');
    expect(found?.message).toMatch(
      /primary my-service 70% and canary my-service-v2 30%; a rollout starts from primary 100%, canary 0%/,
    );
  });

  it('refuses a managed route without the canary, naming the destination and the field', () => {
    const vs = seedVirtualService();
    for (const r of vs.spec.http ?? [])
      r.route = r.route?.filter((d) => d.destination.host !== 'my-service-v2');
    const [found] = virtualServiceProblems(spec, vs);
    expect(found?.check).toBe('route');
    expect(found?.message).toContain(
      'VirtualService my-service has no http route holding both destinations',
    );
    expect(found?.message).toContain('my-service-v2 (target.canary)');
  });

  it('refuses a route named in the spec that does not exist', () => {
    const [found] = virtualServiceProblems(
      { ...spec, target: { ...spec.target, route: 'api' } },
      seedVirtualService(),
    );
    expect(found).toEqual({
      check: 'route',
      message: expect.stringContaining('VirtualService my-service has no http route "api"'),
    });
  });
});

describe('preflight: the DestinationRule of a subset-level target', () => {
  it('refuses when there is no DestinationRule for the host, naming host and namespace', () => {
    expect(destinationRuleProblems(subsetSpec(), [rule(['v1', 'v2'], 'ratings')])).toEqual([
      {
        check: 'destination-rule',
        message:
          'no DestinationRule for host reviews in namespace default: target.primary names subset v1, which only a DestinationRule defines',
      },
      {
        check: 'destination-rule',
        message:
          'no DestinationRule for host reviews in namespace default: target.canary names subset v2, which only a DestinationRule defines',
      },
    ]);
  });

  it('refuses when a subset is missing, listing the subsets it has', () => {
    expect(destinationRuleProblems(subsetSpec(), [rule(['v1'])])).toEqual([
      {
        check: 'destination-rule',
        message:
          'DestinationRule default/reviews for host reviews has no subset v2 (target.canary); it has v1',
      },
    ]);
  });

  it('accepts both subsets, also when the rule names the host by its FQDN', () => {
    expect(destinationRuleProblems(subsetSpec(), [rule(['v1', 'v2'])])).toEqual([]);
    expect(
      destinationRuleProblems(subsetSpec(), [
        rule(['v1', 'v2'], 'reviews.default.svc.cluster.local'),
      ]),
    ).toEqual([]);
  });

  it('asks nothing of a host-level target', () => {
    expect(destinationRuleProblems(seedSpec(), [])).toEqual([]);
  });
});

describe('preflight: routes that shadow others (a warning)', () => {
  it("warns that the seed's /v2 route is never reached behind prefix /", () => {
    expect(shadowWarnings(seedVirtualService())).toEqual([
      {
        check: 'shadowed-route',
        message:
          'http route 1 (prefix /v2) of VirtualService my-service is never reached: http route 0 (prefix /) ' +
          'comes first and matches every request it would; in Istio the first matching route wins, so put the more specific route first',
      },
    ]);
  });

  it('says nothing once the more specific route comes first', () => {
    const vs = seedVirtualService();
    vs.spec.http?.reverse();
    expect(shadowWarnings(vs)).toEqual([]);
  });

  it('treats a route without match as a catch-all that hides every later route', () => {
    expect(shadowedRoutes([route(), route(uri('prefix', '/api')), route()])).toEqual([
      { index: 1, by: 0 },
      { index: 2, by: 0 },
    ]);
  });

  it('covers a longer prefix or an exact path under the prefix, but not a sibling', () => {
    expect(
      shadowedRoutes([
        route(uri('prefix', '/api')),
        route(uri('prefix', '/api/v2')),
        route(uri('exact', '/api/health')),
        route(uri('prefix', '/web')),
        route(uri('exact', '/web/x'), uri('prefix', '/other')),
      ]),
    ).toEqual([
      { index: 1, by: 0 },
      { index: 2, by: 0 },
    ]);
  });

  it('is conservative: regexes, header matches and case-insensitive matches are not judged', () => {
    expect(
      shadowedRoutes([
        route(uri('prefix', '/api', { headers: { canary: { exact: 'yes' } } })),
        route(uri('prefix', '/api/v2')),
        route(uri('regex', '/x.*')),
        route(uri('prefix', '/x/y')),
        route(uri('prefix', '/b')),
        route(uri('prefix', '/b/c', { ignoreUriCase: true })),
      ]),
    ).toEqual([]);
  });

  it('covers an exact path only by the same exact path', () => {
    expect(
      shadowedRoutes([
        route(uri('exact', '/a')),
        route(uri('exact', '/a')),
        route(uri('prefix', '/a')),
      ]),
    ).toEqual([{ index: 1, by: 0 }]);
  });

  it('reports a later route only when every one of its matches is covered', () => {
    expect(
      shadowedRoutes([
        route(uri('prefix', '/api')),
        route(uri('prefix', '/api/v2'), uri('prefix', '/admin')),
      ]),
    ).toEqual([]);
  });
});

describe('preflight: judged together', () => {
  it('gives problems and warnings as data, each with its check', () => {
    const report = judgePreflight({
      spec: seedSpec({ interval: '10s' }),
      virtualService: withWeights(0, 100),
      destinationRules: [],
      scheduleSeconds: 60,
    });
    expect(report.problems.map((p) => p.check)).toEqual(['interval', 'weights']);
    expect(report.warnings.map((w) => w.check)).toEqual(['shadowed-route']);
  });
});
