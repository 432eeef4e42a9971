import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readZip } from '../support/zip.ts';

const OSLS = createRequire(import.meta.url).resolve('osls/bin/serverless.js');
const ROOT = new URL('../..', import.meta.url).pathname;

/** The repository files `file` imports statically, transitively (`import()` and types left out). */
const staticImports = (file: string, seen = new Set<string>()): string[] => {
  const source = readFileSync(join(ROOT, file), 'utf8');
  for (const [, specifier] of source.matchAll(
    /^(?:import|export) (?!type )[^;]*? from '(\.[^']+)'/gm,
  )) {
    const target = normalize(join(dirname(file), specifier as string));
    if (!seen.has(target)) {
      seen.add(target);
      staticImports(target, seen);
    }
  }
  return [...seen];
};

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

/**
 * A CloudFormation value as text: `GetAtt X.Arn` as X, a "/" join of the table's ARN as
 * `RolloutTable/index/due`, and a "" join with its Refs as `${AWS::Region}`.
 */
const show = (value: unknown): string => {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (v['Fn::GetAtt']) return (v['Fn::GetAtt'] as string[]).join('.').replace(/\.Arn$/, '');
  if (v.Ref) return `\${${String(v.Ref)}}`;
  if (v['Fn::Join']) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(show).join(separator);
  }
  return JSON.stringify(value);
};
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

describe('packaging with osls (offline, no account)', () => {
  let out: string;
  let bundles: Record<string, Map<string, Buffer>>;
  let template: { Resources: Record<string, Resource>; Conditions?: Record<string, unknown> };
  const functions = Object.keys(
    (parse(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as { functions: object }).functions,
  );

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'kanari-package-'));
    await promisify(execFile)(
      process.execPath,
      [OSLS, 'package', '--stage', 'ci', '--package', out],
      {
        cwd: ROOT,
        env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
        timeout: 180_000,
      },
    );
    bundles = Object.fromEntries(
      functions.map((fn) => [fn, readZip(readFileSync(join(out, `${fn}.zip`)))]),
    );
    template = JSON.parse(
      readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
    );
  }, 200_000);
  afterAll(() => rm(out, { recursive: true, force: true }));

  it('bundles every function of serverless.yml into its own zip', () => {
    expect(functions).toEqual(expect.arrayContaining(['analyze', 'shift-traffic', 'console']));
    for (const fn of functions) {
      const zip = join(out, `${fn}.zip`);
      expect(existsSync(zip), `${fn}.zip`).toBe(true);
      expect(statSync(zip).size).toBeGreaterThan(10_000);
    }
  });

  /** The files a function's bundle was built from, as its source map lists them. */
  const sourcesOf = (fn: string): string[] => {
    const map = bundles[fn]?.get(`functions/${fn}.mjs.map`);
    if (!map) throw new Error(`${fn}.zip holds no source map`);
    return (JSON.parse(map.toString('utf8')) as { sources: string[] }).sources;
  };
  const KUBERNETES = /lib\/adapters\/kubernetes\/|@kubernetes\/client-node/;
  const PROMETHEUS = /lib\/adapters\/prometheus\//;

  it('minifies each bundle, keeps its source map (without sources) and the require banner', () => {
    for (const fn of functions) {
      const code = bundles[fn]?.get(`functions/${fn}.mjs`)?.toString('utf8') ?? '';
      expect(code.length, fn).toBeGreaterThan(10_000);
      // Minified: dense code, a few percent whitespace (strings and keywords); esbuild's
      // unminified bundle, one indented statement a line, is about a quarter whitespace.
      expect((code.match(/\s/g)?.length ?? 0) / code.length, fn).toBeLessThan(0.1);
      expect(code.startsWith("import { createRequire } from 'node:module';"), fn).toBe(true);
      expect(code.trimEnd().endsWith(`//# sourceMappingURL=${fn}.mjs.map`), fn).toBe(true);
      const map = JSON.parse(bundles[fn]?.get(`functions/${fn}.mjs.map`)?.toString('utf8') ?? '{}');
      expect(map.sources, fn).toContain(`../../../functions/${fn}.ts`);
      expect(map.sourcesContent, fn).toBeUndefined();
    }
  });

  it('leaves the Kubernetes client out of analyze and Prometheus out of shift-traffic', () => {
    expect(sourcesOf('analyze').some((s) => PROMETHEUS.test(s))).toBe(true);
    expect(sourcesOf('analyze').filter((s) => KUBERNETES.test(s))).toEqual([]);
    expect(sourcesOf('shift-traffic').some((s) => KUBERNETES.test(s))).toBe(true);
    expect(sourcesOf('shift-traffic').filter((s) => PROMETHEUS.test(s))).toEqual([]);
    for (const fn of ['alerts', 'cloudwatch-alarm', 'notify'])
      expect(sourcesOf(fn).filter((s) => KUBERNETES.test(s) || PROMETHEUS.test(s))).toEqual([]);
  });

  it('builds every schema a function parses with zod/mini, and no function bundles classic zod', () => {
    // Classic zod is three times zod/mini's code and import time (docs/scale.md). Each zod
    // class is made by name, and the name survives minification: "ZodObject" or "ZodMiniObject".
    const code = (fn: string) => bundles[fn]?.get(`functions/${fn}.mjs`)?.toString('utf8') ?? '';
    for (const fn of functions) {
      expect(code(fn), fn).toContain('"ZodMiniObject"');
      expect(code(fn).includes('"ZodObject"'), fn).toBe(false);
    }
    // Only the console validates specs; the alert functions parse alerts, not specs.
    expect(sourcesOf('console')).toContain('../../../lib/schemas/rollout-spec.ts');
    for (const fn of ['analyze', 'shift-traffic', 'alerts', 'cloudwatch-alarm'])
      expect(sourcesOf(fn), fn).not.toContain('../../../lib/schemas/rollout-spec.ts');
  });

  it('bundles the console’s preflight clients but loads them only when a create or preflight asks', () => {
    // Without code splitting (one file per function) the lazily imported preflight wiring is in
    // the bundle, behind esbuild's lazy module init: nothing the console imports statically
    // reaches either client, so a cold start evaluates neither.
    const console = sourcesOf('console');
    expect(console.some((s) => KUBERNETES.test(s)) && console.some((s) => PROMETHEUS.test(s))).toBe(
      true,
    );
    const eager = staticImports('functions/console.ts');
    expect(eager).toContain('functions/shared/wiring.ts');
    expect(eager.filter((f) => KUBERNETES.test(f) || PROMETHEUS.test(f))).toEqual([]);
  });

  it('loads the spec schema and RE2 only when a create or preflight asks, without the JSON Schema generator', () => {
    // The console's dynamic import of the spec schema keeps every export of that module, so the
    // editors' JSON Schema (zod's generator) lives in a module no function imports.
    const eager = staticImports('functions/console.ts');
    expect(eager).not.toContain('lib/schemas/rollout-spec.ts');
    expect(eager).not.toContain('lib/domain/alert-matching.ts');
    for (const fn of functions) {
      const code = bundles[fn]?.get(`functions/${fn}.mjs`)?.toString('utf8') ?? '';
      expect(code.includes('json-schema.org/draft'), fn).toBe(false);
    }
  });

  it('reads kubeconfigs with js-yaml: no function bundles the yaml package', () => {
    expect(sourcesOf('shift-traffic')).toContain('../../../lib/adapters/kubernetes/kube-config.ts');
    for (const fn of functions)
      expect(
        sourcesOf(fn).filter((s) => s.includes('/node_modules/yaml/')),
        fn,
      ).toEqual([]);
  });

  it('traces every function with X-Ray, and bundles the Tracer in every one', () => {
    for (const [, fn] of resourcesOf('AWS::Lambda::Function'))
      expect(fn.Properties.TracingConfig, String(fn.Properties.FunctionName)).toEqual({
        Mode: 'Active',
      });
    for (const fn of functions) {
      expect(sourcesOf(fn), fn).toContain('../../../functions/shared/tracing.ts');
      expect(
        sourcesOf(fn).some((s) => s.includes('/node_modules/aws-xray-sdk-core/')),
        fn,
      ).toBe(true);
    }
    // The console's statically: its read routes are traced as well as its creates.
    expect(staticImports('functions/console.ts')).toContain('functions/shared/tracing.ts');
  });

  it('keeps every zip under a generous ceiling (sizes are the benchmark’s business)', () => {
    for (const fn of functions)
      expect(statSync(join(out, `${fn}.zip`)).size, fn).toBeLessThan(1_500_000);
  });

  it("puts the console's browser bundle in the console function's zip", () => {
    // Entry names are stored uncompressed in a zip, so the bytes name the files it holds.
    const zip = readFileSync(join(out, 'console.zip'));
    expect(zip.includes('dist/console/app.js')).toBe(true);
    expect(zip.includes('dist/console/app.css')).toBe(true);
    expect(readFileSync(join(out, 'analyze.zip')).includes('dist/console/app.js')).toBe(false);
  });

  it('deploys the functions on nodejs22.x with the table, the bus and the traffic rule', () => {
    const lambdas = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function',
    );
    expect(lambdas.length).toBe(functions.length);
    expect(new Set(lambdas.map((l) => l.Properties.Runtime))).toEqual(new Set(['nodejs22.x']));
    const table = Object.values(template.Resources).find((r) => r.Type === 'AWS::DynamoDB::Table');
    expect(table?.Properties.TableName).toBe('kanari-ci');
    expect(
      ((table?.Properties.GlobalSecondaryIndexes ?? []) as { IndexName: string }[]).map(
        (i) => i.IndexName,
      ),
    ).toContain('due');
    const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
    const patterns = rules.map((r) =>
      JSON.stringify(r.Properties.EventPattern ?? r.Properties.ScheduleExpression),
    );
    expect(
      patterns.some(
        (p) => p.includes('Step Promotion Requested') && p.includes('Rollback Requested'),
      ),
    ).toBe(true);
    expect(patterns.some((p) => p.includes('rate(1 minute)'))).toBe(true);
  });

  const resourcesOf = (type: string): [string, Resource][] =>
    Object.entries(template.Resources).filter(([, r]) => r.Type === type);
  const resource = (id: string): Resource => {
    const found = template.Resources[id];
    if (!found) throw new Error(`the template has no ${id}`);
    return found;
  };
  /** The one resource of a type. */
  const only = (type: string): Resource => {
    const found = resourcesOf(type);
    if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
    return (found[0] as [string, Resource])[1];
  };
  const statementsOf = (role: string): Statement[] =>
    (
      resource(role).Properties.Policies as {
        PolicyDocument: { Statement: Statement[] };
      }[]
    ).flatMap((policy) => policy.PolicyDocument.Statement);
  const TABLE = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:PutItem'];
  // biome-ignore lint/suspicious/noTemplateCurlyInString: how show() renders CloudFormation Refs
  const REGION_ACCOUNT = '${AWS::Region}:${AWS::AccountId}';

  it('gives each function its own role, with exactly the statements it needs', () => {
    expect(resourcesOf('AWS::IAM::Role').map(([id]) => id)).toEqual([
      'AnalyzeRole',
      'ShiftTrafficRole',
      'ConsoleRole',
      'AlertsRole',
      'CloudWatchAlarmRole',
      'NotifyRole',
    ]);
    const roleOf = Object.fromEntries(
      resourcesOf('AWS::Lambda::Function').map(([, fn]) => [
        String(fn.Properties.FunctionName).replace('kanari-ci-', ''),
        show(fn.Properties.Role),
      ]),
    );
    expect(roleOf).toEqual({
      analyze: 'AnalyzeRole',
      'shift-traffic': 'ShiftTrafficRole',
      console: 'ConsoleRole',
      alerts: 'AlertsRole',
      'cloudwatch-alarm': 'CloudWatchAlarmRole',
      notify: 'NotifyRole',
    });
    const granted = (role: string) =>
      statementsOf(role).map((s) => ({
        effect: s.Effect,
        actions: list(s.Action),
        resources: list(s.Resource).map(show),
      }));
    const allow = (actions: string[], ...resources: string[]) => ({
      effect: 'Allow',
      actions,
      resources,
    });
    const logs = (group: string) => allow(['logs:CreateLogStream', 'logs:PutLogEvents'], group);
    const putEvents = allow(['events:PutEvents'], 'EventBus');
    const xray = allow(['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], '*');
    const prometheusSecret = allow(
      ['ssm:GetParameters'],
      `arn:aws:ssm:${REGION_ACCOUNT}:parameter/kanari/ci/prometheus/*`,
    );
    const queryMetrics = allow(
      ['aps:QueryMetrics'],
      `arn:aws:aps:${REGION_ACCOUNT}:workspace/none`,
    );
    expect(granted('AnalyzeRole')).toEqual([
      logs('AnalyzeLogGroup'),
      xray,
      allow(TABLE, 'RolloutTable', 'RolloutTable/index/due'),
      putEvents,
      queryMetrics,
      prometheusSecret,
      allow(['sqs:SendMessage'], 'AnalyzeDeadLetterQueue'),
    ]);
    expect(granted('ShiftTrafficRole')).toEqual([
      logs('ShiftDashtrafficLogGroup'),
      xray,
      allow(TABLE, 'RolloutTable', 'RolloutTable/index/due'),
      putEvents,
      allow(['sqs:SendMessage'], 'ShiftTrafficDeadLetterQueue'),
    ]);
    expect(granted('ConsoleRole')).toEqual([
      logs('ConsoleLogGroup'),
      xray,
      allow(TABLE, 'RolloutTable', 'RolloutTable/index/byTarget'),
      putEvents,
      queryMetrics,
      prometheusSecret,
    ]);
    expect(granted('AlertsRole')).toEqual([
      logs('AlertsLogGroup'),
      xray,
      allow(TABLE, 'RolloutTable', 'RolloutTable/index/byTarget'),
      putEvents,
      allow(['ssm:GetParameters'], `arn:aws:ssm:${REGION_ACCOUNT}:parameter/kanari/ci/alerts/*`),
    ]);
    expect(granted('CloudWatchAlarmRole')).toEqual([
      logs('CloudwatchDashalarmLogGroup'),
      xray,
      allow(TABLE, 'RolloutTable', 'RolloutTable/index/byTarget'),
      putEvents,
      allow(['sqs:SendMessage'], 'CloudWatchAlarmDeadLetterQueue'),
      allow(['cloudwatch:ListTagsForResource'], `arn:aws:cloudwatch:${REGION_ACCOUNT}:alarm:*`),
    ]);
    // notify reaches neither the table nor the bus: only its receivers.
    expect(granted('NotifyRole')).toEqual([
      logs('NotifyLogGroup'),
      xray,
      allow(['ssm:GetParameters'], `arn:aws:ssm:${REGION_ACCOUNT}:parameter/kanari/ci/notify/*`),
      allow(['sqs:SendMessage'], 'NotifyDeadLetterQueue'),
    ]);
    // Each role is assumed by Lambda only, and the alerts function reads the path it is told.
    for (const [, role] of resourcesOf('AWS::IAM::Role'))
      expect(role.Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'lambda.amazonaws.com' },
            Action: 'sts:AssumeRole',
          },
        ],
      });
    expect(
      (resource('AlertsLambdaFunction').Properties.Environment as { Variables: object }).Variables,
    ).toMatchObject({ KANARI_SSM_PREFIX: '/kanari/ci/alerts/' });
    for (const fn of ['AnalyzeLambdaFunction', 'ConsoleLambdaFunction'])
      expect(
        (resource(fn).Properties.Environment as { Variables: object }).Variables,
      ).toMatchObject({ KANARI_SSM_PREFIX: '/kanari/ci/prometheus/' });
  });

  it('lets shift-traffic and the console describe exactly the EKS clusters they look up', async () => {
    // Without KANARI_EKS_CLUSTERS, no cluster is looked up and the policy is not made.
    expect(template.Conditions?.LooksUpEksClusters).toEqual({ 'Fn::Equals': ['false', 'true'] });
    const policy = resource('EksDescribeClusterPolicy');
    expect(policy).toMatchObject({ Condition: 'LooksUpEksClusters' });
    expect(policy.Properties.Roles).toEqual([{ Ref: 'ShiftTrafficRole' }, { Ref: 'ConsoleRole' }]);
    // What the policy names is read from the setting at deploy time.
    const clusters = createRequire(import.meta.url)(
      join(ROOT, 'infra/settings.cjs'),
    ) as () => Promise<{
      looksUp: string;
      describedArns: unknown[];
      readsCloudWatch: string;
    }>;
    const withSetting = async (value: string | undefined) => {
      const before = process.env.KANARI_EKS_CLUSTERS;
      if (value === undefined) delete process.env.KANARI_EKS_CLUSTERS;
      else process.env.KANARI_EKS_CLUSTERS = value;
      try {
        return await clusters();
      } finally {
        if (before === undefined) delete process.env.KANARI_EKS_CLUSTERS;
        else process.env.KANARI_EKS_CLUSTERS = before;
      }
    };
    const found = await withSetting(
      JSON.stringify({
        eu: { eksClusterName: 'prod-eu-1', region: 'eu-west-1' },
        us: {
          eksClusterName: 'prod-us-1',
          region: 'us-east-1',
          server: 'https://x',
          caData: 'YQ==',
        },
      }),
    );
    expect(found.looksUp).toBe('true');
    expect(found.describedArns.map(show)).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: how show() renders a Ref
      'arn:aws:eks:eu-west-1:${AWS::AccountId}:cluster/prod-eu-1',
    ]);
    expect(await withSetting(undefined)).toEqual({
      looksUp: 'false',
      describedArns: [],
      readsCloudWatch: 'false',
    });
    await expect(withSetting('{prod')).rejects.toThrow(/^KANARI_EKS_CLUSTERS: not JSON: /);
    process.env.KANARI_METRIC_PROVIDERS = JSON.stringify({
      cw: { type: 'cloudwatch', region: 'eu-west-1' },
    });
    try {
      expect((await withSetting(undefined)).readsCloudWatch).toBe('true');
    } finally {
      delete process.env.KANARI_METRIC_PROVIDERS;
    }
  });

  it('has no policy anywhere with a wildcard action or an unbounded resource', () => {
    const documents = JSON.stringify(template.Resources).match(/"Statement":\[.*?\]\}/g) ?? [];
    expect(documents.length).toBeGreaterThanOrEqual(6);
    const statements = Object.values(template.Resources).flatMap((r) => {
      const found: Statement[] = [];
      const walk = (value: unknown) => {
        if (Array.isArray(value)) value.forEach(walk);
        else if (value && typeof value === 'object') {
          const v = value as Record<string, unknown>;
          if (Array.isArray(v.Statement)) found.push(...(v.Statement as Statement[]));
          else Object.values(v).forEach(walk);
        }
      };
      walk(r.Properties);
      return found;
    });
    expect(statements.length).toBeGreaterThan(20);
    // Deny statements may be broad (the deployment bucket refuses s3:* without TLS); the one
    // Allow of "*" is GetMetricData's, below.
    // AWS's service authorization reference lists no resource type for these actions.
    const UNBOUNDED = [
      'xray:PutTraceSegments,xray:PutTelemetryRecords',
      'cloudwatch:GetMetricData',
    ];
    const narrowable = (s: Statement) =>
      !(UNBOUNDED.includes(list(s.Action).join()) && s.Resource === '*');
    for (const statement of statements.filter((s) => s.Effect === 'Allow' && narrowable(s))) {
      for (const action of list(statement.Action)) expect(action).not.toMatch(/\*/);
      // A trust policy names a principal, not a resource.
      if (statement.Resource === undefined) expect(statement.Action).toBe('sts:AssumeRole');
      for (const resource of list(statement.Resource ?? [])) {
        expect(show(resource)).not.toBe('*');
        // No wildcard region or account: within them, a name prefix (alarm:*, /kanari/ci/*).
        expect(show(resource)).not.toMatch(/^arn:aws:[a-z0-9-]+:(\*|[^:]*:\*):/);
      }
    }
    // The unbounded resources: X-Ray's writes (every role, for active tracing) and GetMetricData,
    // granted only when a CloudWatch provider is configured (none here: the policy is not made).
    const unbounded = statements.filter((s) => s.Effect === 'Allow' && s.Resource === '*');
    expect(new Set(unbounded.map((s) => list(s.Action).join()))).toEqual(new Set(UNBOUNDED));
    expect(resource('CloudWatchMetricDataPolicy')).toMatchObject({
      Condition: 'ReadsCloudWatchMetrics',
    });
    expect(template.Conditions?.ReadsCloudWatchMetrics).toEqual({
      'Fn::Equals': ['false', 'true'],
    });
    expect(JSON.stringify(resource('CloudWatchMetricDataPolicy').Properties)).toContain(
      '"Action":["cloudwatch:GetMetricData"]',
    );
    // The serverless default role, shared by every function, is gone.
    expect(template.Resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('gives every rule target a retry policy and a dead-letter queue that only its rule may fill', () => {
    const rules = Object.fromEntries(
      resourcesOf('AWS::Events::Rule')
        .filter(([, rule]) => rule.Properties.EventPattern)
        .map(([, rule]) => [rule.Properties.Name, rule.Properties]),
    );
    const targetOf = (name: string) =>
      ((rules[name]?.Targets ?? []) as Record<string, unknown>[])[0] ?? {};
    const queues = {
      'kanari-ci-analyze-shards': 'AnalyzeDeadLetterQueue',
      'kanari-ci-shift-traffic-decisions': 'ShiftTrafficDeadLetterQueue',
      'kanari-ci-cloudwatch-alarm': 'CloudWatchAlarmDeadLetterQueue',
      'kanari-ci-notify': 'NotifyDeadLetterQueue',
    };
    expect(Object.keys(rules).sort()).toEqual(Object.keys(queues).sort());
    for (const [rule, queue] of Object.entries(queues)) {
      expect(targetOf(rule).DeadLetterConfig, rule).toEqual({
        Arn: { 'Fn::GetAtt': [queue, 'Arn'] },
      });
      expect(targetOf(rule).RetryPolicy, rule).toEqual({
        MaximumEventAgeInSeconds: expect.any(Number),
        MaximumRetryAttempts: 185,
      });
      expect(resource(queue).Properties).toMatchObject({
        MessageRetentionPeriod: 1_209_600,
        SqsManagedSseEnabled: true,
      });
    }
    // Notifications never stand in a decision's way: the decisions reach shift-traffic alone,
    // notify has its own rule, and shift-traffic bundles none of its code.
    const targetArn = (rule: string) => show(targetOf(rule).Arn);
    expect(targetArn('kanari-ci-shift-traffic-decisions')).toBe('ShiftDashtrafficLambdaFunction');
    expect(targetArn('kanari-ci-notify')).toBe('NotifyLambdaFunction');
    expect(sourcesOf('shift-traffic').filter((s) => /notif/.test(s))).toEqual([]);
    // The kanari bus's rules are on it, by reference: serverless makes no second bus.
    expect(resourcesOf('AWS::Events::EventBus').map(([id]) => id)).toEqual(['EventBus']);
    expect(show(rules['kanari-ci-shift-traffic-decisions']?.EventBusName)).toBe('EventBus.Name');
    // The queue policy lets each rule, by its ARN, send to its own queue and nothing else.
    const policy = only('AWS::SQS::QueuePolicy').Properties.PolicyDocument as {
      Statement: Statement[];
    };
    const sends = policy.Statement.map((s) => ({
      principal: s.Principal,
      action: s.Action,
      queue: show(s.Resource),
      rule: show(
        (s.Condition as { ArnEquals: Record<string, unknown> }).ArnEquals['aws:SourceArn'],
      ),
    }));
    expect(sends).toEqual([
      {
        principal: { Service: 'events.amazonaws.com' },
        action: 'sqs:SendMessage',
        queue: 'AnalyzeDeadLetterQueue',
        rule: `arn:aws:events:${REGION_ACCOUNT}:rule/kanari-ci/kanari-ci-analyze-shards`,
      },
      {
        principal: { Service: 'events.amazonaws.com' },
        action: 'sqs:SendMessage',
        queue: 'ShiftTrafficDeadLetterQueue',
        rule: `arn:aws:events:${REGION_ACCOUNT}:rule/kanari-ci/kanari-ci-shift-traffic-decisions`,
      },
      {
        principal: { Service: 'events.amazonaws.com' },
        action: 'sqs:SendMessage',
        queue: 'CloudWatchAlarmDeadLetterQueue',
        rule: `arn:aws:events:${REGION_ACCOUNT}:rule/kanari-ci-cloudwatch-alarm`,
      },
      {
        principal: { Service: 'events.amazonaws.com' },
        action: 'sqs:SendMessage',
        queue: 'NotifyDeadLetterQueue',
        rule: `arn:aws:events:${REGION_ACCOUNT}:rule/kanari-ci/kanari-ci-notify`,
      },
    ]);
    // An invocation that fails after Lambda's own retries lands in the same queue.
    const onFailure = Object.fromEntries(
      resourcesOf('AWS::Lambda::EventInvokeConfig').map(([, config]) => [
        (config.Properties.FunctionName as { Ref: string }).Ref,
        {
          queue: show(
            (config.Properties.DestinationConfig as { OnFailure: { Destination: unknown } })
              .OnFailure.Destination,
          ),
          retries: config.Properties.MaximumRetryAttempts,
        },
      ]),
    );
    expect(onFailure).toEqual({
      AnalyzeLambdaFunction: { queue: 'AnalyzeDeadLetterQueue', retries: 2 },
      ShiftDashtrafficLambdaFunction: { queue: 'ShiftTrafficDeadLetterQueue', retries: 2 },
      CloudwatchDashalarmLambdaFunction: { queue: 'CloudWatchAlarmDeadLetterQueue', retries: 2 },
      // Deliveries retry in the function; running it again would tell receivers twice.
      NotifyLambdaFunction: { queue: 'NotifyDeadLetterQueue', retries: 0 },
    });
  });

  it('archives the kanari bus for replay, and protects, encrypts and backs up the table', () => {
    const archive = only('AWS::Events::Archive').Properties;
    expect(show(archive.SourceArn)).toBe('EventBus');
    expect(Number(archive.RetentionDays)).toBe(30);
    expect(only('AWS::DynamoDB::Table').Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      // Stage ci is not dev.
      DeletionProtectionEnabled: true,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('has analyze refuse to start without PROMETHEUS_URL, naming it, as serverless.yml sets none', async () => {
    const declared = (
      parse(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as {
        provider: { environment: Record<string, string> };
      }
    ).provider.environment.PROMETHEUS_URL;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a serverless variable, as written
    expect(declared).toBe("${env:PROMETHEUS_URL, ''}");
    const dir = await mkdtemp(join(tmpdir(), 'kanari-analyze-'));
    try {
      await writeFile(
        join(dir, 'analyze.mjs'),
        bundles.analyze?.get('functions/analyze.mjs') ?? '',
      );
      const { PROMETHEUS_URL: _unset, ...env } = process.env;
      const started = await promisify(execFile)(
        process.execPath,
        ['--input-type=module', '-e', "await import('./analyze.mjs')"],
        { cwd: dir, env: { ...env, PROMETHEUS_URL: '', AWS_REGION: 'eu-west-1' } },
      ).then(
        () => 'started',
        (error: { stderr: string }) => error.stderr,
      );
      expect(started).toContain('invalid configuration: PROMETHEUS_URL is required by analyze');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
