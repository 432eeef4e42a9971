import * as z from 'zod';
import { DEFAULT_ANALYZE_BATCH_SIZE } from '../domain/shards.ts';
import { alertSourcesSchema } from './alert-sources.ts';

/** Tokens as `name=token,name=token`: the name is the actor recorded in the ledger. */
const tokenList = z.string().transform((text, ctx) => {
  const tokens: Record<string, string> = {};
  for (const pair of text.split(',').filter(Boolean)) {
    const [name, token] = pair.split('=');
    if (!name || !token) {
      ctx.addIssue({ code: 'custom', message: 'expected name=token pairs separated by commas' });
      return z.NEVER;
    }
    tokens[name.trim()] = token.trim();
  }
  return tokens;
});

const jsonText = z.string().transform((text, ctx): unknown => {
  try {
    return JSON.parse(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not JSON: ${(error as Error).message}` });
    return z.NEVER;
  }
});

/** One EKS cluster shift-traffic reaches with an IAM token; server and CA are given, not looked up. */
const eksClusterSchema = z
  .object({
    /** The cluster's name in EKS, signed into the token. */
    eksClusterName: z.string().min(1),
    region: z.string().min(1),
    server: z.url({ protocol: /^https$/, message: 'expected an https:// URL' }),
    /** base64 of the CA PEM, as `aws eks describe-cluster` reports certificateAuthority.data. */
    caData: z.base64(),
  })
  .strict();

/** Configuration the functions read from their environment. */
export const configSchema = z.object({
  KANARI_TABLE: z.string().min(1).default('kanari'),
  KANARI_EVENT_BUS: z.string().min(1).default('kanari'),
  PROMETHEUS_URL: z.url().optional(),
  /** Set for Amazon Managed Prometheus: requests are SigV4-signed for this region. */
  PROMETHEUS_SIGV4_REGION: z.string().min(1).optional(),
  /** A kubeconfig whose context names are kanari's cluster names. */
  KUBECONFIG: z.string().min(1).optional(),
  /**
   * EKS clusters as JSON: `{ "<kanari cluster name>": { "eksClusterName", "region", "server",
   * "caData" } }`, reached with IAM tokens; merged with the contexts of KUBECONFIG.
   */
  KANARI_EKS_CLUSTERS: jsonText.pipe(z.record(z.string().min(1), eksClusterSchema)).default({}),
  /** Local bearer tokens for the HTTP API; in AWS the IAM authorizer is used instead. */
  KANARI_API_TOKENS: tokenList.optional(),
  /**
   * Alert webhook sources as JSON: `{ "<name>": { "type", "auth", "secretEnv" | "ssmParameter",
   * ... } }` (see lib/schemas/alert-sources.ts). `POST /alerts/<name>` receives each one.
   */
  KANARI_ALERT_SOURCES: jsonText.pipe(alertSourcesSchema).default({}),
  /** A pending decision older than this is published again. */
  KANARI_RESEND_AFTER_MS: z.coerce.number().int().min(0).default(30_000),
  /**
   * How often analyze runs, in seconds: serverless.yml schedules it every minute (keep the two
   * equal); the sandbox ticks every second. An `analysis.interval` shorter than this is refused.
   */
  KANARI_SCHEDULE_SECONDS: z.coerce.number().int().min(1).default(60),
  /** Past this many due rollouts, a tick fans out into shards of this many (analyze-tick.ts). */
  KANARI_ANALYZE_BATCH_SIZE: z.coerce.number().int().min(1).default(DEFAULT_ANALYZE_BATCH_SIZE),
  AWS_REGION: z.string().default('us-east-1'),
});

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
