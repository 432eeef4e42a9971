import type { DestinationRule } from './destination-rule.ts';
import { durationMs } from './duration.ts';
import type { DestinationRef, RolloutSpec } from './rollout-spec.ts';
import { describeRoute, shadowedRoutes } from './route-shadowing.ts';
import { currentWeights, managedRouteIndex, VirtualServiceShapeError } from './routes.ts';
import type { VirtualService } from './virtual-service.ts';

/**
 * Preflight: what must hold before a rollout moves any traffic. These checks are pure; the use
 * case in lib/app/preflight.ts gathers the live facts they judge.
 */

/** One finding: which check, and a message that names the problem and what to do. */
export interface PreflightFinding {
  check: PreflightCheck;
  message: string;
}

export type PreflightCheck =
  | 'cluster'
  | 'virtual-service'
  | 'route'
  | 'weights'
  | 'destination-rule'
  | 'shadowed-route'
  | 'interval'
  | 'prometheus'
  | 'primary-series'
  | 'provider';

export interface PreflightReport {
  /** Any of these refuses the rollout. */
  problems: PreflightFinding[];
  /** Worth saying, but the rollout may start. */
  warnings: PreflightFinding[];
}

const name = (ref: DestinationRef): string => (ref.subset ? `${ref.host}/${ref.subset}` : ref.host);

/** Each metric provider the spec names (a metric's, or the analysis's) must be configured. */
export const providerProblems = (
  spec: RolloutSpec,
  configured: readonly string[],
): PreflightFinding[] => {
  const known = configured.length > 0 ? configured.map((n) => `"${n}"`).join(', ') : 'none';
  const named: [string, string][] = [
    ...(spec.analysis.provider
      ? [['analysis.provider', spec.analysis.provider] as [string, string]]
      : []),
    ...spec.analysis.metrics.flatMap((metric, i): [string, string][] =>
      metric.provider ? [[`analysis.metrics[${i}].provider`, metric.provider]] : [],
    ),
  ];
  return named
    .filter(([, provider]) => !configured.includes(provider))
    .map(([field, provider]) => ({
      check: 'provider',
      message: `metric provider "${provider}" (${field}) is not configured; configured providers: ${known} (KANARI_METRIC_PROVIDERS)`,
    }));
};

/** The analysis runs on a schedule; an interval shorter than it cannot be honoured. */
export const intervalProblems = (spec: RolloutSpec, scheduleSeconds: number): PreflightFinding[] =>
  durationMs(spec.analysis.interval) < scheduleSeconds * 1000
    ? [
        {
          check: 'interval',
          message:
            `analysis.interval is ${spec.analysis.interval}, shorter than the analysis schedule ` +
            `of this deployment (every ${scheduleSeconds}s): checks cannot run that often; ` +
            `set analysis.interval to at least ${scheduleSeconds}s`,
        },
      ]
    : [];

/**
 * The managed route exists, holds both destinations and starts where a rollout starts: all
 * traffic on the primary. All traffic on the canary is the state after a Succeeded rollout;
 * starting again from there would send traffic back to the old version.
 */
export const virtualServiceProblems = (
  spec: RolloutSpec,
  vs: VirtualService,
): PreflightFinding[] => {
  const { target } = spec;
  const where = `VirtualService ${target.namespace}/${target.virtualService}`;
  let weights: { primary: number; canary: number };
  try {
    managedRouteIndex(vs, target);
    weights = currentWeights(vs, target);
  } catch (error) {
    if (!(error instanceof VirtualServiceShapeError)) throw error;
    return [
      {
        check: 'route',
        message: `${error.message}; the managed route must hold both ${name(target.primary)} (target.primary) and ${name(target.canary)} (target.canary)`,
      },
    ];
  }
  if (weights.primary === 100 && weights.canary === 0) return [];
  const now = `${where} sends primary ${name(target.primary)} ${weights.primary}% and canary ${name(target.canary)} ${weights.canary}%`;
  if (weights.canary === 100 || (weights.primary === 0 && weights.canary > 0)) {
    return [
      {
        check: 'weights',
        message:
          `${now}: the canary already holds all the traffic (after a Succeeded rollout?), and ` +
          'starting from primary 100% would send it back to the old version. Either swap primary ' +
          'and canary in the spec (`kanari apply --swap`), or, once the primary runs the new ' +
          'version, shift traffic back to it with `kanari finalize <id>`',
      },
    ];
  }
  return [
    {
      check: 'weights',
      message: `${now}; a rollout starts from primary 100%, canary 0%. Is another rollout or tool moving these weights? Set them to 100/0 first`,
    },
  ];
};

/** Subset-level destinations, each with the namespace its DestinationRule is looked for in. */
export const subsetDestinations = (
  spec: RolloutSpec,
): { ref: DestinationRef; namespace: string }[] =>
  [spec.target.primary, spec.target.canary]
    .filter((ref) => ref.subset !== undefined)
    .map((ref) => ({ ref, namespace: hostNamespace(ref.host, spec.target.namespace) }));

/** `reviews.prod` and `reviews.prod.svc.cluster.local` live in `prod`; a short name in the target's. */
const hostNamespace = (host: string, fallback: string): string => {
  const parts = host.split('.');
  return parts.length === 2 || parts[2] === 'svc' ? (parts[1] as string) : fallback;
};

const shortHost = (host: string): string => host.split('.')[0] as string;

/** For subset-level targets: a DestinationRule for the host defines each subset named. */
export const destinationRuleProblems = (
  spec: RolloutSpec,
  rules: DestinationRule[],
): PreflightFinding[] =>
  subsetDestinations(spec).flatMap(({ ref, namespace }) => {
    const which = ref === spec.target.primary ? 'target.primary' : 'target.canary';
    const rule = rules.find(
      (r) => r.spec.host !== undefined && shortHost(r.spec.host) === shortHost(ref.host),
    );
    if (!rule) {
      return [
        {
          check: 'destination-rule' as const,
          message: `no DestinationRule for host ${ref.host} in namespace ${namespace}: ${which} names subset ${ref.subset}, which only a DestinationRule defines`,
        },
      ];
    }
    const subsets = (rule.spec.subsets ?? []).map((s) => s.name);
    if (subsets.includes(ref.subset as string)) return [];
    return [
      {
        check: 'destination-rule' as const,
        message: `DestinationRule ${namespace}/${rule.metadata.name} for host ${ref.host} has no subset ${ref.subset} (${which}); it has ${subsets.length > 0 ? subsets.join(', ') : 'none'}`,
      },
    ];
  });

/** A route that an earlier one hides; a warning, since the rollout itself still works. */
export const shadowWarnings = (vs: VirtualService): PreflightFinding[] => {
  const routes = vs.spec.http ?? [];
  return shadowedRoutes(routes).map(({ index, by }) => ({
    check: 'shadowed-route',
    message:
      `${describeRoute(routes[index] ?? {}, index)} of VirtualService ${vs.metadata.name} is never reached: ` +
      `${describeRoute(routes[by] ?? {}, by)} comes first and matches every request it would; ` +
      'in Istio the first matching route wins, so put the more specific route first',
  }));
};

/** Everything preflight can judge from the VirtualService, the DestinationRules and the schedule. */
export const judgePreflight = (facts: {
  spec: RolloutSpec;
  virtualService: VirtualService;
  destinationRules: DestinationRule[];
  scheduleSeconds: number;
}): PreflightReport => ({
  problems: [
    ...intervalProblems(facts.spec, facts.scheduleSeconds),
    ...virtualServiceProblems(facts.spec, facts.virtualService),
    ...destinationRuleProblems(facts.spec, facts.destinationRules),
  ],
  warnings: shadowWarnings(facts.virtualService),
});
