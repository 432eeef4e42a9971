import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { matchAlert } from '../../lib/domain/alert-matching.ts';
import { currentWeights } from '../../lib/domain/routes.ts';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';
import { loadConfig } from '../../lib/schemas/config.ts';
import { parseRolloutSpec } from '../../lib/schemas/rollout-spec.ts';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import { seedVirtualService } from '../support/fixtures.ts';

// docs/deploy.md's blocks marked `<!-- check: name -->`, each checked as what it is.

const ROOT = new URL('../..', import.meta.url).pathname;
const GUIDE = readFileSync(join(ROOT, 'docs/deploy.md'), 'utf8');
const run = promisify(execFile);

const block = (name: string): string => {
  const match = new RegExp(`<!-- check: ${name} -->\\n\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``).exec(GUIDE);
  if (!match?.[1]) throw new Error(`docs/deploy.md has no block marked ${name}`);
  return match[1];
};

/** `export NAME=value` and `export NAME='value'` lines, as a shell would set them. */
const exported = (text: string): Record<string, string> =>
  Object.fromEntries(
    [...text.matchAll(/^export (\w+)=(?:'([^']*)'|(\S+))$/gm)].map((m) => [
      m[1] as string,
      (m[2] ?? m[3]) as string,
    ]),
  );

const settings = exported(block('settings'));
const spec = (() => {
  const parsed = parseRolloutSpec(parse(block('rollout')));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.spec;
})();

describe('docs/deploy.md', () => {
  it('gives settings each function reads at start, inside the paths its role may read', async () => {
    expect(Object.keys(settings)).toEqual(
      expect.arrayContaining(['PROMETHEUS_URL', 'KANARI_EKS_CLUSTERS', 'KANARI_ALERT_SOURCES']),
    );
    // The alerts function's SSM path, as serverless.yml sets it for stage prod.
    const config = loadConfig({ ...settings, KANARI_SSM_PREFIX: '/kanari/prod/alerts/' });
    expect(Object.keys(config.KANARI_ALERT_SOURCES).sort()).toEqual(['alertmanager', 'grafana']);
    // The deploy reads KANARI_EKS_CLUSTERS too, and grants DescribeCluster on the looked-up one.
    const clusters = createRequire(import.meta.url)(
      join(ROOT, 'infra/settings.cjs'),
    ) as () => Promise<{
      looksUp: string;
      describedArns: { 'Fn::Join': [string, unknown[]] }[];
    }>;
    process.env.KANARI_EKS_CLUSTERS = settings.KANARI_EKS_CLUSTERS;
    try {
      const granted = await clusters();
      expect(granted.looksUp).toBe('true');
      expect(JSON.stringify(granted.describedArns)).toContain(':cluster/prod-eu-1');
    } finally {
      delete process.env.KANARI_EKS_CLUSTERS;
    }
  });

  it('has a spec that validates and names a cluster the settings configure', () => {
    expect(Object.keys(loadConfig(settings).KANARI_EKS_CLUSTERS)).toContain(spec.target.cluster);
  });

  it('has an Alertmanager config that amtool accepts, posting to the alertmanager source', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kanari-guide-'));
    try {
      const file = join(dir, 'alertmanager.yml');
      await writeFile(file, block('alertmanager'));
      const { stdout } = await run('amtool', ['check-config', file], { timeout: 20_000 });
      expect(stdout).toContain('SUCCESS');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const url = (
      parse(block('alertmanager')) as { receivers: { webhook_configs?: { url: string }[] }[] }
    ).receivers.flatMap((r) => r.webhook_configs ?? [])[0]?.url;
    expect(new URL(url ?? '').pathname).toBe('/alerts/alertmanager');
    expect(loadConfig(settings).KANARI_ALERT_SOURCES.alertmanager).toMatchObject({
      type: 'alertmanager',
      auth: 'bearer',
    });
  });

  it('has a Grafana contact point that signs as the grafana source checks', () => {
    const point = (
      parse(block('grafana')) as {
        contactPoints: {
          receivers: {
            type: string;
            settings: { url: string; hmacConfig: { header: string; timestampHeader: string } };
          }[];
        }[];
      }
    ).contactPoints[0]?.receivers[0];
    expect(point?.type).toBe('webhook');
    expect(new URL(point?.settings.url ?? '').pathname).toBe('/alerts/grafana');
    const source = loadConfig(settings).KANARI_ALERT_SOURCES.grafana;
    expect(source).toMatchObject({ type: 'grafana', auth: 'hmac' });
    // The source's default signature header, and its timestamp header, are the contact point's.
    expect(point?.settings.hmacConfig.header.toLowerCase()).toBe('x-grafana-alerting-signature');
    expect(point?.settings.hmacConfig.timestampHeader.toLowerCase()).toBe(source?.timestampHeader);
  });

  it("has a CloudWatch alarm that rolls the spec's rollout back when it goes to ALARM", () => {
    const name = /--alarm-name (\S+)/.exec(block('cloudwatch-alarm'))?.[1] ?? '';
    const alarm = {
      source: 'cloudwatch',
      id: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`,
      name,
      status: 'firing' as const,
      labels: {},
      alarm: { arn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}` },
    };
    expect(matchAlert(spec, alarm)).toMatchObject({ action: 'rollback' });
    expect(matchAlert(spec, { ...alarm, name: 'another-alarm' })).toBeUndefined();
  });

  describe('the rollback by hand', () => {
    let emulator: KubeEmulator;
    beforeAll(async () => {
      emulator = await startKubeEmulator();
    });
    afterAll(() => emulator?.stop());

    it('puts all traffic on the primary with the real kubectl, as written', async () => {
      const canaryAt20 = seedVirtualService(spec.target.namespace) as VirtualService;
      const routes = canaryAt20.spec.http?.[0]?.route ?? [];
      (routes[0] as { weight: number }).weight = 80;
      (routes[1] as { weight: number }).weight = 20;
      emulator.seed(canaryAt20);
      const command = block('manual-rollback').replace(/\\\n\s*/g, '');
      await run('bash', ['-c', command], {
        env: { ...process.env, KUBECONFIG: emulator.kubeconfigPath },
        timeout: 20_000,
      });
      const stored = emulator.read(
        'networking.istio.io/v1',
        'VirtualService',
        spec.target.namespace,
        spec.target.virtualService,
      ) as VirtualService;
      expect(currentWeights(stored, spec.target)).toEqual({ primary: 100, canary: 0 });
    });
  });
});
