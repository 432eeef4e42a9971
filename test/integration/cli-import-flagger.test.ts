import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { parseRolloutSpec } from '../../lib/schemas/rollout-spec.ts';
import { runCli, workDir } from '../support/cli-runner.ts';
import { optionalShared } from '../support/shared-files.ts';

// The project's own Flagger-format files.
const FIXTURES = fileURLToPath(new URL('../fixtures/flagger', import.meta.url));
let dir: string;
beforeAll(() => {
  dir = workDir();
});

const imported = async (file: string, ...args: string[]) => {
  const run = await runCli(['import-flagger', file, ...args], { HOME: dir });
  const notTranslated = run.stderr
    .split('\n')
    .filter((line) => line.startsWith('  - '))
    .map((line) => line.slice(4));
  return { ...run, notTranslated };
};
const fixture = (name: string) => join(FIXTURES, name);
const validSpec = (text: string) => {
  const parsed = parseRolloutSpec(parse(text));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.spec;
};

describe('kanari import-flagger', () => {
  it('translates a host-level Canary with its MetricTemplate into a spec that validates', async () => {
    const run = await imported(
      fixture('canary-templated.yaml'),
      '--template',
      fixture('metric-template-errors.yaml'),
      '--cluster',
      'prod-eu',
    );
    expect(run.code).toBe(0);
    const spec = validSpec(run.stdout);
    expect(spec.target).toMatchObject({ cluster: 'prod-eu', virtualService: 'checkout' });
    expect(spec.analysis.metrics.map((m) => m.name)).toEqual([
      'request-success-rate',
      'request-duration',
      'error-budget-burn',
    ]);
    expect(run.notTranslated).toEqual([
      expect.stringMatching(/^spec\.service\.\{port, targetPort\}: /),
      expect.stringMatching(/^MetricTemplate shop\/error-budget-burn: spec\.provider\.address: /),
    ]);
    // The YAML says the same at its top, so a saved file keeps the list.
    expect(run.stdout).toMatch(
      /^# Not translated from .*canary-templated\.yaml:\n# - spec\.service\.\{port, targetPort\}/,
    );
  });

  it('reads a file of several kinds, names what it skipped, and resolves the template beside the Canary', async () => {
    const run = await imported(fixture('multi-kind.yaml'), '-o', 'json');
    expect(run.code).toBe(0);
    const spec = JSON.parse(run.stdout);
    expect(parseRolloutSpec(spec).ok).toBe(true);
    expect(spec.analysis.metrics[1].query).toContain('response_code="404"');
    expect(run.stderr).toContain(
      'Skipped (import-flagger reads Canaries and MetricTemplates): Deployment cart, HorizontalPodAutoscaler cart\n',
    );
  });

  it('prints one spec per Canary when a file holds several', async () => {
    const both = join(dir, 'two.yaml');
    writeFileSync(
      both,
      `${readFileSync(fixture('step-weights.yaml'), 'utf8')}\n---\n${readFileSync(fixture('legacy-threshold.yaml'), 'utf8')}`,
    );
    const run = await imported(both);
    expect(run.code).toBe(0);
    const specs = parseAllDocuments(run.stdout).map((doc) => doc.toJS());
    expect(specs.map((spec) => spec.name)).toEqual(['search', 'payments']);
    expect(specs.every((spec) => parseRolloutSpec(spec).ok)).toBe(true);
    expect(run.stderr).toContain('Not translated from canary payments:\n');
  });

  it('fails with one plain line on a Canary without metrics', async () => {
    const run = await imported(fixture('no-metrics.yaml'));
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'kanari: canary podinfo has no analysis.metrics: kanari needs at least one metric to judge; add request-success-rate (thresholdRange.min, e.g. 99) or request-duration (thresholdRange.max in ms, e.g. 500) to the Canary or to the imported spec\n',
    );
  });

  it('fails with one line when no metric could be translated, and says why', async () => {
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
    const run = await imported(canary);
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      'kanari: canary cart: none of its metrics could be translated, and kanari needs at least one to judge (spec.analysis.metrics[0] (not-found-percentage): its query lives in MetricTemplate istio-system/not-found, which was not given (put it in the same file, or pass it with --template))',
    ]);
  });

  it('prints a summary table, and fails clearly on a file that holds no Canary', async () => {
    const table = await imported(fixture('step-weights.yaml'), '-o', 'table');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/ROLLOUT\s+default\/catalog\/search/);

    const notCanary = join(dir, 'deployment.yaml');
    writeFileSync(notCanary, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n');
    const run = await runCli(['import-flagger', notCanary], { HOME: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `kanari: ${notCanary} holds no Flagger Canary (skipped: Deployment x)\n`,
    );
  });
});

// Flagger's own example Canaries, when ../shared is beside the checkout: an extra cross-check,
// defined only then (optionalShared says in one line when it is not).
const flaggerExamples = optionalShared('fixtures/flagger', "Flagger's example Canaries");

if (flaggerExamples) {
  describe("cross-check on Flagger's own examples", () => {
    const example = (name: string) => join(flaggerExamples, name);

    it('translates the Istio progressive canary, progressDeadlineSeconds left untranslated', async () => {
      const run = await imported(example('istio-canary.yaml'));
      expect(run.code).toBe(0);
      const spec = validSpec(run.stdout);
      expect(spec.analysis).toMatchObject({
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
        expect.stringMatching(
          /^spec\.progressDeadlineSeconds: in Flagger, how long the canary Deployment/,
        ),
        expect.stringContaining('spec.autoscalerRef'),
        expect.stringContaining(
          'spec.service.{port, targetPort, portName, portDiscovery, gateways',
        ),
        expect.stringContaining('spec.analysis.webhooks[0] conformance-test (pre-rollout)'),
        expect.stringContaining('spec.analysis.webhooks[1] load-test (rollout)'),
      ]);
    });

    it('translates the A/B test and the Linkerd canary, naming what does not carry over', async () => {
      const ab = await imported(example('istio-abtest.yaml'), '-o', 'json');
      expect(ab.code).toBe(0);
      expect(parseRolloutSpec(JSON.parse(ab.stdout)).ok).toBe(true);
      expect(ab.notTranslated).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^spec\.analysis\.iterations: A\/B testing/),
          expect.stringMatching(/^spec\.analysis\.match: header and cookie matching/),
        ]),
      );
      const linkerd = await imported(example('linkerd-canary-steps.yaml'));
      expect(linkerd.code).toBe(0);
      expect(validSpec(linkerd.stdout).analysis.stepWeights).toEqual([
        5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55,
      ]);
      expect(linkerd.notTranslated[0]).toMatch(/^spec\.provider: linkerd is not supported/);
    });
  });
}
