import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { FieldUse } from '../../lib/domain/flagger-fields.ts';
import { importFlaggerCanary } from '../../lib/domain/flagger-import.ts';
import { legacyThresholdRange } from '../../lib/domain/flagger-metrics.ts';
import { judgeOf } from '../../lib/domain/rollout-spec.ts';
import { parseFlaggerDocuments } from '../../lib/schemas/flagger-canary.ts';
import { parseRolloutSpec } from '../../lib/schemas/rollout-spec.ts';

/** The project's own Flagger-format files, in test/fixtures/flagger/. */
const fixture = (...files: string[]) => {
  const documents = files.flatMap((file) =>
    parseAllDocuments(
      readFileSync(new URL(`../fixtures/flagger/${file}`, import.meta.url), 'utf8'),
    ).map((doc) => doc.toJS()),
  );
  const found = parseFlaggerDocuments(documents);
  expect(found.problems).toEqual([]);
  const imports = found.canaries.map((canary) =>
    importFlaggerCanary(canary, { cluster: 'prod', templates: found.templates }),
  );
  return { found, imports, only: imports[0] as (typeof imports)[number] };
};
const pathsOf = (lines: string[]) => lines.map((line) => line.split(': ')[0]);

describe('importing a host-level Flagger Canary', () => {
  it("targets Flagger's VirtualService and its -primary and -canary hosts, with built-ins and a template", () => {
    const { only } = fixture('canary-templated.yaml', 'metric-template-errors.yaml');
    expect(only.problems).toEqual([]);
    expect(only.spec).toEqual({
      name: 'checkout',
      target: {
        cluster: 'prod',
        namespace: 'shop',
        virtualService: 'checkout',
        primary: { host: 'checkout-primary' },
        canary: { host: 'checkout-canary', workload: 'checkout' },
      },
      analysis: {
        interval: '1m',
        threshold: 3,
        stepWeight: 10,
        maxWeight: 50,
        metrics: [
          {
            name: 'request-success-rate',
            judge: { type: 'threshold' },
            thresholdRange: { min: 99.5 },
            interval: '2m',
          },
          // Flagger queries a built-in over 1m when the metric gives no interval.
          {
            name: 'request-duration',
            judge: { type: 'threshold' },
            thresholdRange: { max: 300 },
            interval: '1m',
          },
          {
            name: 'error-budget-burn',
            judge: { type: 'threshold' },
            thresholdRange: { max: 2 },
            query: expect.stringContaining(
              'destination_service_name="checkout",response_code=~"5.."}[{{ interval }}]',
            ),
          },
        ],
      },
    });
    // Written out, so the import keeps Flagger's meaning whatever kanari's default judge is.
    expect(only.spec.analysis.metrics.map(judgeOf)).toEqual([
      'threshold',
      'threshold',
      'threshold',
    ]);
    // Flagger-only variables are filled; kanari's own stay for kanari to fill.
    expect(only.spec.analysis.metrics[2]?.query).toContain('destination_workload="{{ target }}"');
    expect(parseRolloutSpec(only.spec).ok).toBe(true);
    expect(only.untranslated).toEqual([
      'spec.service.{port, targetPort}: Flagger generates the Services and VirtualService from these; kanari only moves the weights of a VirtualService you manage, so keep them there',
      'MetricTemplate shop/error-budget-burn: spec.provider.address: kanari queries the Prometheus it is deployed with, not one per MetricTemplate',
    ]);
  });

  it('lists a templated metric whose MetricTemplate is missing; the other metrics carry over', () => {
    const { only } = fixture('canary-templated.yaml');
    expect(only.untranslated).toContain(
      'spec.analysis.metrics[2] (error-budget-burn): its query lives in MetricTemplate shop/error-budget-burn, which was not given (put it in the same file, or pass it with --template)',
    );
    expect(only.spec.analysis.metrics.map((m) => m.name)).toEqual([
      'request-success-rate',
      'request-duration',
    ]);
    expect(only.problems).toEqual([]);
  });
});

describe("progressDeadlineSeconds keeps Flagger's meaning", () => {
  it('is reported as untranslated (Deployment readiness) and never becomes analysis.progressDeadline', () => {
    const { only } = fixture('legacy-threshold.yaml');
    expect(only.spec.analysis).not.toHaveProperty('progressDeadline');
    const line = only.untranslated.find((l) => l.startsWith('spec.progressDeadlineSeconds: '));
    expect(line).toMatch(
      /in Flagger, how long the canary Deployment may take to make progress \(become ready\) before Flagger rolls back \(60 s\); kanari does not manage Deployments/,
    );
    const parsed = parseRolloutSpec(only.spec);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    // kanari's deadline for inconclusive checks stays its default, not Flagger's 60 s.
    expect(parsed.spec.analysis.progressDeadline).toBe('10m');
  });
});

describe("Flagger's legacy threshold", () => {
  it.each([
    ['the built-in request-success-rate', { name: 'request-success-rate' }, { min: 99 }],
    ['the built-in request-duration', { name: 'request-duration' }, { max: 99 }],
    ['a MetricTemplate', { name: 'latency', templateRef: { name: 'latency' } }, { max: 99 }],
    [
      'a MetricTemplate named request-success-rate',
      { name: 'request-success-rate', templateRef: { name: 'sr' } },
      { max: 99 },
    ],
    ['an in-line query', { name: 'queue', query: 'max(queue_depth)' }, { max: 99 }],
    ['any other metric', { name: 'error-rate' }, { max: 99 }],
  ])('bounds %s as Flagger does', (_what, metric, range) => {
    expect(legacyThresholdRange({ ...metric, threshold: 99 })).toEqual(range);
  });

  it('imports each legacy metric of a Canary with its Flagger meaning', () => {
    const { only } = fixture('legacy-threshold.yaml');
    expect(only.spec.analysis.metrics.map((m) => [m.name, m.thresholdRange])).toEqual([
      ['request-success-rate', { min: 99 }],
      ['request-duration', { max: 500 }],
      ['latency-p95', { max: 500 }],
      ['pending-charges', { max: 100 }],
    ]);
    expect(only.spec.analysis.metrics[3]?.query).toBe(
      'sum(payments_pending_charges{namespace="payments"})',
    );
    expect(parseRolloutSpec(only.spec).ok).toBe(true);
  });

  it('is ignored, with a note, when thresholdRange is also set', () => {
    const [canary] = parseFlaggerDocuments([
      {
        apiVersion: 'flagger.app/v1beta1',
        kind: 'Canary',
        metadata: { name: 'a', namespace: 'b' },
        spec: {
          targetRef: { name: 'a' },
          analysis: {
            metrics: [{ name: 'request-duration', threshold: 900, thresholdRange: { max: 400 } }],
          },
        },
      },
    ]).canaries;
    const done = importFlaggerCanary(canary as never);
    expect(done.spec.analysis.metrics[0]?.thresholdRange).toEqual({ max: 400 });
    expect(done.untranslated).toEqual([
      'spec.analysis.metrics[0].threshold: ignored, as Flagger ignores it, because thresholdRange is set',
    ]);
  });
});

describe('weights', () => {
  it('keeps stepWeights and ignores maxWeight, as Flagger does, with a note', () => {
    const { only } = fixture('step-weights.yaml');
    expect(only.spec.analysis.stepWeights).toEqual([1, 5, 10, 25, 50, 80]);
    expect(only.spec.analysis).not.toHaveProperty('maxWeight');
    expect(only.untranslated).toContain(
      'spec.analysis.maxWeight: ignored, as Flagger ignores it when stepWeights is set: the last step (80) is the maximum',
    );
    // A renamed service names the hosts; the workloads keep the target's name.
    expect(only.spec.target).toMatchObject({
      virtualService: 'search-api',
      primary: { host: 'search-api-primary', workload: 'search-primary' },
      canary: { host: 'search-api-canary', workload: 'search' },
    });
    expect(parseRolloutSpec(only.spec).ok).toBe(true);
  });

  const analysed = (analysis: Record<string, unknown>) =>
    importFlaggerCanary({
      metadata: { name: 'w', namespace: 'n' },
      spec: {
        targetRef: { name: 'w' },
        analysis: { ...analysis, metrics: [{ name: 'request-duration', threshold: 1 }] },
      },
    });

  it("stops below 100 where Flagger's plan reaches 100, since kanari then promotes", () => {
    const noMax = analysed({ stepWeight: 20 });
    expect(noMax.spec.analysis).toMatchObject({ stepWeight: 20, maxWeight: 80 });
    expect(noMax.untranslated).toEqual([
      expect.stringMatching(
        /^spec\.analysis\.maxWeight: absent, so 100 in Flagger: .* stop at 80$/,
      ),
    ]);
    const steps = analysed({ stepWeights: [10, 50, 100] });
    expect(steps.spec.analysis.stepWeights).toEqual([10, 50]);
    expect(pathsOf(steps.untranslated)).toEqual(['spec.analysis.stepWeights']);
  });

  it("uses Flagger's default of one failed check when threshold is absent", () => {
    expect(analysed({ stepWeight: 10, maxWeight: 30 }).spec.analysis.threshold).toBe(1);
  });
});

describe('files holding several kinds', () => {
  it('imports the Canary with the MetricTemplate beside it and names the rest as skipped', () => {
    const { found, only } = fixture('multi-kind.yaml');
    expect(found.skipped).toEqual([
      { kind: 'Deployment', name: 'cart' },
      { kind: 'HorizontalPodAutoscaler', name: 'cart' },
    ]);
    expect(only.spec.analysis.metrics[1]).toMatchObject({
      name: 'not-found-percentage',
      query: expect.stringContaining('response_code="404"'),
      interval: '2m',
    });
    expect(only.templatesUsed).toEqual(found.templates);
    expect(pathsOf(only.untranslated)).toEqual(['spec.autoscalerRef', 'spec.service.{port}']);
  });

  it('opens a kind: List', () => {
    const { found, only } = fixture('list.yaml');
    expect(found.skipped).toEqual([{ kind: 'Service', name: 'ledger' }]);
    expect(only.spec.analysis.metrics[0]?.query).toContain('ledger_queue_depth');
    expect(parseRolloutSpec(only.spec).ok).toBe(true);
  });
});

describe('fields the import does not know', () => {
  it('lists every one with its path, in the order of the file', () => {
    const { only } = fixture('unknown-fields.yaml');
    expect(pathsOf(only.untranslated)).toEqual([
      'metadata.labels',
      'spec.suspend',
      'spec.skipAnalysis',
      'spec.metricsServer',
      'spec.routeRef',
      'spec.revertOnDeletion',
      'spec.service.{port, gateways}',
      'spec.analysis.stepWeightPromotion',
      'spec.analysis.canaryRedyThreshold',
      'spec.analysis.sessionAffinity',
      'spec.analysis.metrics[0].weight',
      'spec.analysis.webhooks[0] smoke (pre-rollout)',
      'spec.analysis.webhooks[1] approve (confirm-promotion)',
      'status',
    ]);
    expect(only.untranslated).toContain(
      'spec.analysis.canaryRedyThreshold: not known to the import; check whether the rollout needs it',
    );
    expect(parseRolloutSpec(only.spec).ok).toBe(true);
  });

  it('names the highest field nothing was taken from, and every field left under one that was', () => {
    const use = new FieldUse();
    use.use('a.kept');
    expect(use.report({ a: { kept: 1, extra: { deep: 2 } }, b: [{ c: 3 }] })).toEqual([
      'a.extra: not known to the import; check whether the rollout needs it',
      'b: not known to the import; check whether the rollout needs it',
    ]);
  });
});

describe('a Canary the import cannot use', () => {
  it('without metrics gets a plain message, not a schema error', () => {
    const { only } = fixture('no-metrics.yaml');
    expect(only.problems).toEqual([
      'canary podinfo has no analysis.metrics: kanari needs at least one metric to judge; add request-success-rate (thresholdRange.min, e.g. 99) or request-duration (thresholdRange.max in ms, e.g. 500) to the Canary or to the imported spec',
    ]);
  });

  it('whose metrics all fail to translate says why in the same line', () => {
    const done = importFlaggerCanary({
      metadata: { name: 'x', namespace: 'y' },
      spec: { targetRef: { name: 'x' }, analysis: { metrics: [{ name: 'custom' }] } },
    });
    expect(done.problems).toEqual([
      'canary x: none of its metrics could be translated, and kanari needs at least one to judge (spec.analysis.metrics[0] (custom): no thresholdRange or threshold; kanari needs a bound to judge)',
    ]);
  });
});

describe('reading Flagger documents', () => {
  it('reports a malformed Canary by document and path, and a document that is no object', () => {
    const found = parseFlaggerDocuments([
      { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'x' }, spec: {} },
      'just text',
      null,
    ]);
    expect(found.problems).toEqual([
      'document 1: spec.targetRef: Invalid input: expected object, received undefined',
      'document 2: not a Kubernetes object (it has no kind)',
    ]);
  });

  it('reads v1alpha3 canaryAnalysis, and lists it when analysis is also there', () => {
    const legacy = {
      apiVersion: 'flagger.app/v1alpha3',
      kind: 'Canary',
      metadata: { name: 'old', namespace: 'n' },
      spec: {
        targetRef: { name: 'old' },
        canaryAnalysis: { interval: '30s', metrics: [{ name: 'request-duration', threshold: 5 }] },
      },
    };
    const [parsed] = parseFlaggerDocuments([legacy]).canaries;
    const done = importFlaggerCanary(parsed as never);
    expect(done.spec.analysis.interval).toBe('30s');
    expect(done.untranslated).toEqual([]);
    const both = importFlaggerCanary({
      ...legacy,
      spec: { ...legacy.spec, analysis: { metrics: [{ name: 'request-duration', threshold: 5 }] } },
    } as never);
    expect(pathsOf(both.untranslated)).toEqual(['spec.canaryAnalysis']);
  });
});
