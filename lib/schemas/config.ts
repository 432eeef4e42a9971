import { DEFAULT_ANALYZE_BATCH_SIZE } from '../domain/shards.ts';
import { alertSourcesSchema } from './alert-sources.ts';
import * as z from './mini.ts';
import { checkOneSecret, secretRefFields } from './secret-ref.ts';

/** Tokens as `name=token,name=token`: the name is the actor recorded in the ledger. */
const tokenList = z.pipe(
  z.string(),
  z.transform((text: string, ctx) => {
    const tokens: Record<string, string> = {};
    for (const pair of text.split(',').filter(Boolean)) {
      const [name, token] = pair.split('=');
      if (!name || !token)
        return z.transformProblem(ctx, 'expected name=token pairs separated by commas');
      tokens[name.trim()] = token.trim();
    }
    return tokens;
  }),
);

const jsonText = z.pipe(
  z.string(),
  z.transform((text: string, ctx): unknown => {
    try {
      return JSON.parse(text);
    } catch (error) {
      return z.transformProblem(ctx, `not JSON: ${(error as Error).message}`);
    }
  }),
);

const name = z.string().check(z.minLength(1));
const whole = (min: number, fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.gte(min)), fallback);

/**
 * One EKS cluster shift-traffic reaches with an IAM token. Its server and CA are given, or
 * both left out, and then looked up with eks:DescribeCluster at the first request.
 */
const eksClusterSchema = z
  .strictObject({
    /** The cluster's name in EKS, signed into the token. */
    eksClusterName: name,
    region: name,
    server: z.optional(z.url({ protocol: /^https$/, message: 'expected an https:// URL' })),
    /** base64 of the CA PEM, as `aws eks describe-cluster` reports certificateAuthority.data. */
    caData: z.optional(z.base64()),
  })
  .check(
    z.superRefine((cluster, ctx) => {
      if ((cluster.server === undefined) !== (cluster.caData === undefined))
        ctx.addIssue({
          code: 'custom',
          path: [cluster.server === undefined ? 'server' : 'caData'],
          message:
            'give server and caData together, or neither to look both up (eks:DescribeCluster)',
        });
    }),
  );

/**
 * How analyze and the console authenticate to a Prometheus behind auth: a bearer token or basic
 * auth, the secret in SSM (`ssmParameter`) or, locally, an environment variable (`secretEnv`).
 */
const prometheusAuthSchema = z
  .strictObject({
    type: z.enum(['bearer', 'basic']),
    username: z.optional(name),
    ...secretRefFields,
  })
  .check(
    z.superRefine((auth, ctx) => {
      checkOneSecret(auth, ctx);
      if (auth.type === 'basic' && auth.username === undefined)
        ctx.addIssue({ code: 'custom', path: ['username'], message: 'required for type basic' });
      if (auth.type === 'bearer' && auth.username !== undefined)
        ctx.addIssue({ code: 'custom', path: ['username'], message: 'only for type basic' });
    }),
  );

export type PrometheusAuth = z.infer<typeof prometheusAuthSchema>;

/**
 * A metric provider custom queries may name (`provider` in a spec), besides the deployment's
 * Prometheus: CloudWatch (GetMetricData, metric math) in a region, or another Prometheus.
 */
const metricProviderSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('cloudwatch'), region: name }),
  z.strictObject({
    type: z.literal('prometheus'),
    url: z.url(),
    /** Amazon Managed Prometheus: SigV4-signed for this region. */
    sigv4Region: z.optional(name),
    auth: z.optional(prometheusAuthSchema),
  }),
]);

export type MetricProviderConfig = z.infer<typeof metricProviderSchema>;

/** Where the notify function posts: a Slack incoming webhook or a generic one, its URL a secret. */
const notifyTargetSchema = z
  .strictObject({
    type: z.enum(['slack', 'webhook']),
    ...secretRefFields,
  })
  .check(z.superRefine(checkOneSecret));

/** Configuration the functions read from their environment. */
export const configSchema = z
  .object({
    KANARI_TABLE: z._default(name, 'kanari'),
    KANARI_EVENT_BUS: z._default(name, 'kanari'),
    PROMETHEUS_URL: z.optional(z.url()),
    /** Set for Amazon Managed Prometheus: requests are SigV4-signed for this region. */
    PROMETHEUS_SIGV4_REGION: z.optional(name),
    /** JSON, for a Prometheus behind auth: `{ "type": "bearer" | "basic", "username"?, "secretEnv" | "ssmParameter" }`. */
    PROMETHEUS_AUTH: z.optional(z.pipe(jsonText, prometheusAuthSchema)),
    /**
     * JSON: `{ "<name>": { "type": "slack" | "webhook", "secretEnv" | "ssmParameter" } }`, the
     * secret being the URL to post to. The notify function tells each of rollout events.
     */
    KANARI_NOTIFY_TARGETS: z._default(z.pipe(jsonText, z.record(name, notifyTargetSchema)), {}),
    /** JSON: `{ "<name>": { "type": "cloudwatch", "region" } | { "type": "prometheus", "url", ... } }`. */
    KANARI_METRIC_PROVIDERS: z._default(z.pipe(jsonText, z.record(name, metricProviderSchema)), {}),
    /** The console's address (the HTTP API's URL), for links in notifications. */
    KANARI_CONSOLE_URL: z.optional(z.url()),
    /** A kubeconfig whose context names are kanari's cluster names. */
    KUBECONFIG: z.optional(name),
    /**
     * EKS clusters as JSON: `{ "<kanari cluster name>": { "eksClusterName", "region", "server",
     * "caData" } }`, reached with IAM tokens; merged with the contexts of KUBECONFIG.
     */
    KANARI_EKS_CLUSTERS: z._default(z.pipe(jsonText, z.record(name, eksClusterSchema)), {}),
    /** Local bearer tokens for the HTTP API; in AWS the IAM authorizer is used instead. */
    KANARI_API_TOKENS: z.optional(tokenList),
    /**
     * Alert webhook sources as JSON: `{ "<name>": { "type", "auth", "secretEnv" | "ssmParameter",
     * ... } }` (see lib/schemas/alert-sources.ts). `POST /alerts/<name>` receives each one.
     */
    KANARI_ALERT_SOURCES: z._default(z.pipe(jsonText, alertSourcesSchema), {}),
    /** A pending decision older than this is published again. */
    KANARI_RESEND_AFTER_MS: whole(0, 30_000),
    /**
     * How often analyze runs, in seconds: serverless.yml schedules it every minute (keep the two
     * equal); the sandbox ticks every second. An `analysis.interval` shorter than this is refused.
     */
    KANARI_SCHEDULE_SECONDS: whole(1, 60),
    /** Past this many due rollouts, a tick fans out into shards of this many (analyze-tick.ts). */
    KANARI_ANALYZE_BATCH_SIZE: whole(1, DEFAULT_ANALYZE_BATCH_SIZE),
    /** Ledger entries expire this many days after they happened (DynamoDB TTL); unset: never. */
    KANARI_LEDGER_RETENTION_DAYS: z.optional(z.coerce.number().check(z.int(), z.gte(1))),
    /**
     * The SSM path this function may read (serverless.yml sets one per function, and its role
     * reads only that): an `ssmParameter` outside it is refused at start, not at first use.
     */
    KANARI_SSM_PREFIX: z.optional(z.string().check(z.startsWith('/'))),
    AWS_REGION: z._default(z.string(), 'us-east-1'),
  })
  .check(
    z.superRefine((config, ctx) => {
      const prefix = config.KANARI_SSM_PREFIX;
      if (prefix === undefined) return;
      const refs: [string[], { ssmParameter?: string } | undefined][] = [
        ...Object.entries(config.KANARI_ALERT_SOURCES).map(
          ([name, source]): [string[], { ssmParameter?: string }] => [
            ['KANARI_ALERT_SOURCES', name],
            source,
          ],
        ),
        [['PROMETHEUS_AUTH'], config.PROMETHEUS_AUTH],
        ...Object.entries(config.KANARI_METRIC_PROVIDERS).map(
          ([name, provider]): [string[], { ssmParameter?: string } | undefined] => [
            ['KANARI_METRIC_PROVIDERS', name, 'auth'],
            provider.type === 'prometheus' ? provider.auth : undefined,
          ],
        ),
        ...Object.entries(config.KANARI_NOTIFY_TARGETS).map(
          ([name, target]): [string[], { ssmParameter?: string }] => [
            ['KANARI_NOTIFY_TARGETS', name],
            target,
          ],
        ),
      ];
      for (const [path, ref] of refs)
        if (ref?.ssmParameter !== undefined && !ref.ssmParameter.startsWith(prefix))
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'ssmParameter'],
            message: `must start with ${prefix} (the only path this function may read)`,
          });
    }),
  );

export type Config = z.infer<typeof configSchema>;

/** Reads config, failing with every bad variable named. */
export const loadConfig = (env: Record<string, string | undefined>): Config => {
  // serverless.yml passes unset optional variables as empty strings.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = configSchema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`invalid configuration: ${problems.join('; ')}`);
};
