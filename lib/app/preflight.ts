import { BUILTIN_METRICS } from '../domain/builtin-metrics.ts';
import type { DestinationRule } from '../domain/destination-rule.ts';
import {
  intervalProblems,
  judgePreflight,
  type PreflightFinding,
  type PreflightReport,
  providerProblems,
  subsetDestinations,
} from '../domain/preflight.ts';
import { isBuiltin, type RolloutSpec, workloadOf } from '../domain/rollout-spec.ts';
import { renderTemplate } from '../domain/template.ts';
import type { VirtualService } from '../domain/virtual-service.ts';
import type { ClusterReader } from '../ports/cluster-reader.ts';
import { KanariError, TrafficForbiddenError, TrafficTargetNotFoundError } from '../ports/errors.ts';
import type { MetricsProvider } from '../ports/metrics-provider.ts';

/** What the live checks read: the clusters (read only), the metrics backend, the schedule. */
export interface PreflightDeps {
  clusters: ClusterReader;
  metrics: MetricsProvider;
  /** How often analyze runs in this deployment, in seconds. */
  scheduleSeconds: number;
  /** The metric providers a spec may name (KANARI_METRIC_PROVIDERS); none when absent. */
  providers?: readonly string[];
}

/** Preflight found problems: the rollout was not started, and nothing was written. */
export class PreflightRefusedError extends KanariError {
  constructor(
    readonly problems: PreflightFinding[],
    readonly warnings: PreflightFinding[],
  ) {
    super(problems[0]?.message ?? 'preflight refused the rollout');
  }
}

const problem = (check: PreflightFinding['check'], message: string): PreflightReport => ({
  problems: [{ check, message }],
  warnings: [],
});

const unreachable = (cluster: string, error: unknown): PreflightReport =>
  error instanceof TrafficForbiddenError
    ? problem('cluster', `cluster "${cluster}" refused kanari's credentials: ${error.message}`)
    : problem(
        'cluster',
        `cluster "${cluster}" is not reachable: ${error instanceof Error ? error.message : String(error)}`,
      );

/**
 * The DestinationRules that could define the spec's subsets (none when it routes by host). A
 * missing namespace holds none; the domain check says which rule or subset is missing.
 */
export const destinationRulesFor = async (
  reader: Pick<ClusterReader, 'listDestinationRules'>,
  spec: RolloutSpec,
): Promise<DestinationRule[]> => {
  const rules: DestinationRule[] = [];
  const namespaces = [...new Set(subsetDestinations(spec).map((d) => d.namespace))];
  for (const ns of namespaces) {
    try {
      rules.push(...(await reader.listDestinationRules(spec.target.cluster, ns)));
    } catch (error) {
      if (!(error instanceof TrafficTargetNotFoundError)) throw error;
    }
  }
  return rules;
};

const kubernetesChecks = async (
  deps: PreflightDeps,
  spec: RolloutSpec,
): Promise<PreflightReport> => {
  const { cluster, namespace, virtualService: name } = spec.target;
  const configured = deps.clusters.clusters();
  if (!configured.includes(cluster)) {
    const known = configured.length > 0 ? configured.map((c) => `"${c}"`).join(', ') : 'none';
    return problem(
      'cluster',
      `cluster "${cluster}" (target.cluster) is not configured; configured clusters: ${known} (kubeconfig contexts and KANARI_EKS_CLUSTERS)`,
    );
  }
  let vs: VirtualService;
  try {
    vs = await deps.clusters.getVirtualService({ cluster, namespace, name });
  } catch (error) {
    if (!(error instanceof TrafficTargetNotFoundError)) return unreachable(cluster, error);
    return problem(
      'virtual-service',
      `VirtualService ${namespace}/${name} (target.virtualService) was not found in cluster "${cluster}"`,
    );
  }
  let rules: DestinationRule[];
  try {
    rules = await destinationRulesFor(deps.clusters, spec);
  } catch (error) {
    return unreachable(cluster, error);
  }
  return judgePreflight({
    spec,
    virtualService: vs,
    destinationRules: rules,
    scheduleSeconds: deps.scheduleSeconds,
  });
};

/**
 * The built-in metrics the spec uses, asked for the primary: without data for the primary,
 * the canary's queries will not find Istio's telemetry either.
 */
export const primarySeriesProblems = async (
  metrics: MetricsProvider,
  spec: RolloutSpec,
): Promise<PreflightFinding[]> => {
  const workload = workloadOf(spec.target.primary);
  const builtins = spec.analysis.metrics.filter(isBuiltin);
  const empty: string[] = [];
  for (const metric of builtins) {
    const query = renderTemplate(BUILTIN_METRICS[metric.name as keyof typeof BUILTIN_METRICS], {
      namespace: spec.target.namespace,
      target: workload,
      interval: metric.interval ?? spec.analysis.interval,
    });
    const value = await metrics.runQuery(query).catch(() => null);
    if (value === null) empty.push(metric.name);
  }
  if (empty.length === 0) return [];
  return [
    {
      check: 'primary-series',
      message:
        `Prometheus has no data for the primary: ${empty.join(', ')} found no series (or no requests in the window) ` +
        `for workload "${workload}" in namespace "${spec.target.namespace}"; target.primary.workload sets ` +
        "the workload's name (default: the host's short name). Is Istio's telemetry scraped?",
    },
  ];
};

const metricsChecks = async (deps: PreflightDeps, spec: RolloutSpec): Promise<PreflightReport> => {
  if (!(await deps.metrics.isOnline()))
    return problem('prometheus', 'Prometheus (PROMETHEUS_URL) does not answer queries');
  return { problems: await primarySeriesProblems(deps.metrics, spec), warnings: [] };
};

/**
 * Runs every check that must pass before any traffic moves, and writes nothing: the cluster is
 * configured and answers, the VirtualService and DestinationRule have the shape and weights the
 * rollout starts from, the interval suits the schedule, and Prometheus has the primary's series.
 */
export const runPreflight = async (
  deps: PreflightDeps,
  spec: RolloutSpec,
): Promise<PreflightReport> => {
  const [kubernetes, metrics] = await Promise.all([
    kubernetesChecks(deps, spec),
    metricsChecks(deps, spec),
  ]);
  const interval = kubernetes.problems.some((p) => p.check === 'interval')
    ? []
    : intervalProblems(spec, deps.scheduleSeconds);
  return {
    problems: [
      ...kubernetes.problems,
      ...interval,
      ...metrics.problems,
      ...providerProblems(spec, deps.providers ?? []),
    ],
    warnings: [...kubernetes.warnings, ...metrics.warnings],
  };
};

/** The gate startRollout calls: refuses with PreflightRefusedError, else returns the warnings. */
export const preflightGate =
  (deps: PreflightDeps) =>
  async (spec: RolloutSpec): Promise<string[]> => {
    const report = await runPreflight(deps, spec);
    if (report.problems.length > 0)
      throw new PreflightRefusedError(report.problems, report.warnings);
    return report.warnings.map((w) => w.message);
  };
