import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseRolloutSpec } from '../../lib/schemas/rollout-spec.ts';
import { runCli, workDir } from '../support/cli-runner.ts';
import { FLAGGER_FIXTURES, requireShared } from '../support/shared-files.ts';

// Flagger's own example Canaries live in ../shared; they are Flagger's, never copied here.
let fixtures: string;
let dir: string;
beforeAll(() => {
  fixtures = requireShared(FLAGGER_FIXTURES, "Flagger's example Canaries");
  dir = workDir();
});

const imported = async (file: string, ...args: string[]) => {
  const run = await runCli(['import-flagger', join(fixtures, file), ...args], { HOME: dir });
  const notTranslated = run.stderr
    .split('\n')
    .filter((line) => line.startsWith('  - '))
    .map((line) => line.slice(4));
  return { ...run, notTranslated };
};

describe('kanari import-flagger on Flagger examples', () => {
  it('translates the Istio progressive canary into a spec that validates', async () => {
    const run = await imported('istio-canary.yaml');
    expect(run.code).toBe(0);
    const parsed = parseRolloutSpec(parse(run.stdout));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.spec.target).toMatchObject({
      namespace: 'test',
      virtualService: 'podinfo',
      primary: { host: 'podinfo-primary' },
      canary: { host: 'podinfo-canary', workload: 'podinfo' },
    });
    expect(parsed.spec.analysis).toMatchObject({
      interval: '15s',
      threshold: 10,
      stepWeight: 5,
      maxWeight: 50,
      progressDeadline: '10m',
      metrics: [
        { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' },
        { name: 'request-duration', thresholdRange: { max: 500 }, interval: '30s' },
      ],
    });
    expect(run.notTranslated).toEqual([
      expect.stringContaining('spec.service.{port, targetPort, portName, portDiscovery, gateways'),
      expect.stringContaining('spec.autoscalerRef'),
      expect.stringContaining('spec.analysis.webhooks[0] conformance-test (pre-rollout)'),
      expect.stringContaining('spec.analysis.webhooks[1] load-test (rollout)'),
    ]);
    // The YAML says the same at its top, so a saved file keeps the list.
    expect(run.stdout).toMatch(/^# Not translated from .*istio-canary\.yaml:\n# - spec\.service/);
  });

  it('translates the Istio A/B test and lists iterations and header matches as not translated', async () => {
    const run = await imported('istio-abtest.yaml', '-o', 'json');
    expect(run.code).toBe(0);
    const spec = JSON.parse(run.stdout);
    expect(parseRolloutSpec(spec).ok).toBe(true);
    expect(run.notTranslated).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^spec\.analysis\.iterations: A\/B testing/),
        expect.stringMatching(/^spec\.analysis\.match: header and cookie matching/),
        expect.stringContaining('spec.analysis.webhooks[1] load-test'),
      ]),
    );
  });

  it('translates the Linkerd canary with stepWeights and says the provider is not Istio', async () => {
    const run = await imported('linkerd-canary-steps.yaml', '--cluster', 'prod');
    expect(run.code).toBe(0);
    const parsed = parseRolloutSpec(parse(run.stdout));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.spec.target.cluster).toBe('prod');
    expect(parsed.spec.analysis.stepWeights).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55]);
    expect(run.notTranslated[0]).toMatch(/^spec\.provider: linkerd is not supported/);
    expect(run.notTranslated).toContainEqual(expect.stringContaining('spec.analysis.webhooks[0]'));
  });

  it('prints a summary table, and fails clearly on a file that is not a Canary', async () => {
    const table = await imported('istio-canary.yaml', '-o', 'table');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/ROLLOUT\s+default\/test\/podinfo/);

    const notCanary = join(dir, 'deployment.yaml');
    writeFileSync(notCanary, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n');
    const run = await runCli(['import-flagger', notCanary], { HOME: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('not a Flagger Canary');
    expect(run.stderr).toContain('document 1: apiVersion: must be flagger.app/<version>');
  });

  it('translates a templated metric when its MetricTemplate is given', async () => {
    const canary = join(dir, 'templated.yaml');
    writeFileSync(
      canary,
      [
        'apiVersion: flagger.app/v1beta1',
        'kind: Canary',
        'metadata: {name: cart, namespace: shop}',
        'spec:',
        '  targetRef: {kind: Deployment, name: cart}',
        '  analysis:',
        '    metrics:',
        '    - {name: not-found-percentage, templateRef: {name: not-found, namespace: istio-system}, thresholdRange: {max: 5}}',
      ].join('\n'),
    );
    const without = await runCli(['import-flagger', canary], { HOME: dir });
    expect(without.code).toBe(1);
    expect(without.stderr).toContain(
      'MetricTemplate istio-system/not-found, which was not given (pass it with --template)',
    );
    expect(without.stderr).toContain('analysis.metrics: Too small');

    const template = join(dir, 'not-found.yaml');
    writeFileSync(
      template,
      [
        'apiVersion: flagger.app/v1beta1',
        'kind: MetricTemplate',
        'metadata: {name: not-found, namespace: istio-system}',
        'spec:',
        '  provider: {type: prometheus, address: "http://prometheus.istio-system:9090"}',
        '  query: |',
        '    100 - sum(rate(istio_requests_total{destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}",response_code!="404"}[{{ interval }}])) / sum(rate(istio_requests_total{destination_workload_namespace="{{ namespace }}",destination_workload="{{ target }}"}[{{ interval }}])) * 100',
      ].join('\n'),
    );
    const run = await runCli(['import-flagger', canary, '--template', template], { HOME: dir });
    expect(run.code).toBe(0);
    const parsed = parseRolloutSpec(parse(run.stdout));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.spec.analysis.metrics[0]?.query).toContain('destination_workload="{{ target }}"');
  });
});
