import { describe, expect, it } from 'vitest';
import {
  type FlaggerCanary,
  type FlaggerMetricTemplate,
  importFlaggerCanary,
} from '../../lib/domain/flagger-import.ts';
import { parseFlaggerDocuments } from '../../lib/schemas/flagger-canary.ts';
import { parseRolloutSpec } from '../../lib/schemas/rollout-spec.ts';

/** A small Canary written for these tests (Flagger's own examples are used in integration). */
const canary = (analysis: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  ({
    apiVersion: 'flagger.app/v1beta1',
    kind: 'Canary',
    metadata: { name: 'cart', namespace: 'shop' },
    spec: {
      provider: 'istio',
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'cart' },
      service: { port: 8080 },
      analysis,
      ...extra,
    },
  }) as unknown as FlaggerCanary;

const template = (name: string, query: string, type = 'prometheus'): FlaggerMetricTemplate => ({
  metadata: { name, namespace: 'shop' },
  spec: { provider: { type }, query },
});

describe('importing a Flagger Canary', () => {
  it("targets Flagger's VirtualService and its -primary and -canary hosts", () => {
    const { spec } = importFlaggerCanary(
      canary({
        interval: '1m',
        threshold: 3,
        stepWeight: 10,
        maxWeight: 40,
        metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '2m' }],
      }),
      { cluster: 'prod' },
    );
    expect(spec).toEqual({
      name: 'cart',
      target: {
        cluster: 'prod',
        namespace: 'shop',
        virtualService: 'cart',
        primary: { host: 'cart-primary' },
        canary: { host: 'cart-canary', workload: 'cart' },
      },
      analysis: {
        interval: '1m',
        threshold: 3,
        stepWeight: 10,
        maxWeight: 40,
        metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '2m' }],
      },
    });
    expect(parseRolloutSpec(spec).ok).toBe(true);
  });

  it('names the service and workloads apart when the service is renamed', () => {
    const { spec } = importFlaggerCanary(
      canary({ metrics: [] }, { service: { name: 'cart-svc' }, progressDeadlineSeconds: 120 }),
    );
    expect(spec.target).toMatchObject({
      virtualService: 'cart-svc',
      primary: { host: 'cart-svc-primary', workload: 'cart-primary' },
      canary: { host: 'cart-svc-canary', workload: 'cart' },
    });
    expect(spec.analysis.progressDeadline).toBe('2m');
  });

  it('translates a templated metric from its MetricTemplate, filling Flagger-only variables', () => {
    const { spec, untranslated } = importFlaggerCanary(
      canary({
        metrics: [
          {
            name: 'error-budget',
            templateRef: { name: 'errors' },
            templateVariables: { code: '5..' },
            thresholdRange: { max: 1 },
          },
        ],
      }),
      {
        templates: [
          template(
            'errors',
            'sum(rate(x{ns="{{ namespace }}",app="{{ target }}",svc="{{ service }}",code=~"{{ variables.code }}"}[{{ interval }}]))',
          ),
        ],
      },
    );
    expect(spec.analysis.metrics).toEqual([
      {
        name: 'error-budget',
        thresholdRange: { max: 1 },
        query:
          'sum(rate(x{ns="{{ namespace }}",app="{{ target }}",svc="cart",code=~"5.."}[{{ interval }}]))',
      },
    ]);
    expect(untranslated).not.toContainEqual(expect.stringContaining('metrics'));
  });

  it('lists templated metrics it cannot translate, and why', () => {
    const { spec, untranslated } = importFlaggerCanary(
      canary({
        metrics: [
          { name: 'missing', templateRef: { name: 'nowhere' }, thresholdRange: { max: 1 } },
          { name: 'datadog', templateRef: { name: 'dd' }, thresholdRange: { max: 1 } },
          { name: 'ingress', templateRef: { name: 'ing' }, thresholdRange: { max: 1 } },
          { name: 'request-duration', threshold: 500 },
        ],
      }),
      {
        templates: [
          template('dd', 'avg:latency{*}', 'datadog'),
          template('ing', 'rate(x{ingress="{{ ingress }}"}[1m])'),
        ],
      },
    );
    expect(untranslated).toEqual([
      expect.stringContaining('spec.service.{port}'),
      'spec.analysis.metrics[0] (missing): its query lives in MetricTemplate shop/nowhere, which was not given (pass it with --template)',
      'spec.analysis.metrics[1] (datadog): MetricTemplate dd uses provider datadog; kanari queries Prometheus',
      'spec.analysis.metrics[2] (ingress): MetricTemplate ing uses {{ ingress }}, which kanari cannot fill',
    ]);
    // Flagger's deprecated `threshold` is an upper bound for request-duration.
    expect(spec.analysis.metrics).toEqual([
      { name: 'request-duration', thresholdRange: { max: 500 } },
    ]);
  });

  it('lists A/B testing, webhooks, mirroring and other providers as not translated', () => {
    const { untranslated } = importFlaggerCanary(
      canary(
        {
          iterations: 10,
          match: [{ headers: { 'x-canary': { exact: 'insider' } } }],
          mirror: true,
          webhooks: [{ name: 'load-test', type: 'rollout', url: 'http://tester/' }],
          metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99 } }],
        },
        { provider: 'linkerd' },
      ),
    );
    expect(untranslated).toEqual([
      expect.stringMatching(/^spec\.provider: linkerd is not supported/),
      expect.stringContaining('spec.service'),
      expect.stringMatching(/^spec\.analysis\.iterations: A\/B testing/),
      expect.stringMatching(/^spec\.analysis\.match: header and cookie matching/),
      'spec.analysis.mirror: traffic mirroring is not supported',
      expect.stringMatching(/^spec\.analysis\.webhooks\[0\] load-test \(rollout\): webhooks/),
    ]);
  });
});

describe('reading Flagger documents', () => {
  it('sorts Canaries from MetricTemplates and reports malformed ones by document and path', () => {
    const found = parseFlaggerDocuments([
      canary({ metrics: [] }),
      {
        apiVersion: 'flagger.app/v1beta1',
        kind: 'MetricTemplate',
        metadata: { name: 't' },
        spec: { query: 'up' },
      },
      { apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'x' }, spec: {} },
      null,
    ]);
    expect(found.canaries).toHaveLength(1);
    expect(found.templates.map((t) => t.metadata.name)).toEqual(['t']);
    expect(found.problems).toEqual([
      'document 3: spec.targetRef: Invalid input: expected object, received undefined',
    ]);
  });

  it('reads v1alpha3 canaryAnalysis as the analysis', () => {
    const legacy = {
      apiVersion: 'flagger.app/v1alpha3',
      kind: 'Canary',
      metadata: { name: 'old' },
      spec: { targetRef: { name: 'old' }, canaryAnalysis: { interval: '30s', metrics: [] } },
    };
    const [parsed] = parseFlaggerDocuments([legacy]).canaries;
    expect(parsed?.spec.analysis?.interval).toBe('30s');
  });
});
