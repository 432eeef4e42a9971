import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { matchAlert } from '../../lib/domain/alert-matching.ts';
import { judgeOf, type RolloutSpec } from '../../lib/domain/rollout-spec.ts';
import { currentWeights, managedRouteIndex } from '../../lib/domain/routes.ts';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';
import { parseRolloutSpec } from '../../lib/schemas/rollout-spec.ts';
import { runCli, workDir } from '../support/cli-runner.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLES = join(ROOT, 'examples');
const folders = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

const specOf = (folder: string): RolloutSpec => {
  const parsed = parseRolloutSpec(
    parse(readFileSync(join(EXAMPLES, folder, 'rollout.yaml'), 'utf8')),
  );
  if (!parsed.ok) throw new Error(`${folder}: ${JSON.stringify(parsed.problems)}`);
  return parsed.spec;
};

type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
};
/** Every YAML document beside the spec that is a Kubernetes object (it has a kind). */
const objectsOf = (folder: string): KubeObject[] =>
  readdirSync(join(EXAMPLES, folder))
    .filter((file) => file.endsWith('.yaml') && file !== 'rollout.yaml')
    .flatMap((file) => {
      const docs = parseAllDocuments(readFileSync(join(EXAMPLES, folder, file), 'utf8'));
      for (const doc of docs) expect(doc.errors, `${folder}/${file}`).toEqual([]);
      return docs.map((doc) => doc.toJS());
    })
    .filter((doc) => doc && typeof doc.kind === 'string');

describe('examples/', () => {
  it('holds the five examples the README names', () => {
    expect(folders.sort()).toEqual([
      'alert-matchers',
      'custom-query',
      'flagger-import',
      'host-level',
      'subset-level',
    ]);
    const readme = readFileSync(join(EXAMPLES, 'README.md'), 'utf8');
    for (const folder of folders) expect(readme).toContain(`[${folder}](${folder}/)`);
  });

  it.each(folders)('%s: the rollout spec validates', (folder) => {
    expect(specOf(folder).target.cluster).toBe('prod-eu');
  });

  it.each(folders)('%s: each Kubernetes object parses and names what the spec uses', (folder) => {
    const spec = specOf(folder);
    for (const object of objectsOf(folder)) {
      expect(object.apiVersion, `${folder} ${object.kind}`).toMatch(/\//);
      expect(object.metadata.name).toMatch(/^[a-z0-9-]+$/);
      expect(object.metadata.namespace).toBe(spec.target.namespace);
      if (object.kind === 'VirtualService') {
        const vs = object as unknown as VirtualService;
        expect(vs.metadata.name).toBe(spec.target.virtualService);
        expect(vs.spec.hosts).toContain(spec.target.primary.host);
        // The project's own route logic finds the managed route, holding both destinations
        // with all traffic on the primary, where a rollout starts.
        expect(() => managedRouteIndex(vs, spec.target)).not.toThrow();
        expect(currentWeights(vs, spec.target)).toEqual({ primary: 100, canary: 0 });
      }
      if (object.kind === 'DestinationRule') {
        expect(object.spec.host).toBe(spec.target.primary.host);
        const subsets = (object.spec.subsets as { name: string }[]).map((s) => s.name);
        expect(subsets).toEqual(
          expect.arrayContaining([spec.target.primary.subset, spec.target.canary.subset]),
        );
      }
    }
  });

  it('show each judge: compare by default, latency bounds, mann-whitney, threshold kept', () => {
    const judges = (folder: string) => specOf(folder).analysis.metrics.map(judgeOf);
    expect(judges('host-level')).toEqual(['compare', 'compare']);
    expect(specOf('host-level').analysis.metrics[1]?.judge).toEqual({
      type: 'compare',
      bounds: [{ percentile: 50 }, { percentile: 99 }],
    });
    expect(judges('custom-query')).toEqual(['threshold', 'threshold', 'threshold', 'mann-whitney']);
    expect(judges('subset-level')).toEqual(['threshold', 'threshold']);
    expect(new Set(judges('flagger-import'))).toEqual(new Set(['threshold']));
  });

  it('host-level and subset-level ship the Istio objects they need', () => {
    expect(objectsOf('host-level').map((o) => o.kind)).toEqual(['VirtualService']);
    const subset = specOf('subset-level').target;
    expect(subset.primary.host).toBe(subset.canary.host);
    expect(
      objectsOf('subset-level')
        .map((o) => o.kind)
        .sort(),
    ).toEqual(['DestinationRule', 'VirtualService']);
  });

  it('alert-matchers: each PrometheusRule alert matches the spec, the warning pauses', () => {
    const spec = specOf('alert-matchers');
    const [rule] = objectsOf('alert-matchers').filter((o) => o.kind === 'PrometheusRule');
    const alerts = (
      (rule as KubeObject).spec.groups as {
        rules: { alert: string; labels: Record<string, string> }[];
      }[]
    )
      .flatMap((group) => group.rules)
      .map((r) => [
        r.alert,
        matchAlert(spec, {
          source: 'alertmanager',
          id: r.alert,
          name: r.alert,
          status: 'firing',
          labels: { alertname: r.alert, ...r.labels },
        })?.action,
      ]);
    expect(alerts).toEqual([
      ['MyServiceCanary5xx', 'rollback'],
      ['MyServiceCanarySlow', 'pause'],
    ]);
    const alertmanager = parse(
      readFileSync(join(EXAMPLES, 'alert-matchers', 'alertmanager.yaml'), 'utf8'),
    );
    const kanari = alertmanager.receivers.find((r: { name: string }) => r.name === 'kanari');
    expect(kanari.webhook_configs[0].url).toMatch(/\/alerts\/alertmanager$/);
  });

  it('flagger-import: rollout.yaml is what kanari import-flagger prints now for canary.yaml', async () => {
    const input = join(EXAMPLES, 'flagger-import', 'canary.yaml');
    const run = await runCli(['import-flagger', input, '--cluster', 'prod-eu'], {
      HOME: workDir(),
    });
    expect(run.code).toBe(0);
    // The CLI names the file as it was given; the checked-in output was made from the repo root.
    const output = run.stdout.replaceAll(`${ROOT}/`, '').replaceAll(ROOT, '');
    expect(output).toBe(readFileSync(join(EXAMPLES, 'flagger-import', 'rollout.yaml'), 'utf8'));
  });
});
