import { genericMappingSchema } from './generic-alerts.ts';
import * as z from './mini.ts';
import { checkOneSecret, secretRefFields } from './secret-ref.ts';

/** Header names as API Gateway and serverless-offline deliver them: lowercase. */
const text = z.string().check(z.minLength(1));
const header = z.pipe(
  text,
  z.transform((name: string) => name.toLowerCase()),
);

/**
 * One webhook source: `POST /alerts/<name>`. Its secret (bearer token or HMAC key) comes from
 * an SSM parameter in AWS (`ssmParameter`, a SecureString) or an environment variable locally
 * (`secretEnv`); it is never part of this config.
 */
export const alertSourceSchema = z
  .strictObject({
    type: z.enum(['alertmanager', 'grafana', 'generic']),
    /** `bearer`: `Authorization: Bearer <secret>`. `hmac`: HMAC-SHA256 of the raw body, hex. */
    auth: z.enum(['bearer', 'hmac']),
    ...secretRefFields,
    /** HMAC only. Default: `X-Grafana-Alerting-Signature` for grafana, else `X-Kanari-Signature`. */
    signatureHeader: z.optional(header),
    /** HMAC only. When set, the signed text is `<unix seconds>:<body>`, within ±5 minutes. */
    timestampHeader: z.optional(header),
    /** Generic only: where identity, name, status and labels are in the body. */
    mapping: z.optional(genericMappingSchema),
  })
  .check(
    z.superRefine((source, ctx) => {
      checkOneSecret(source, ctx);
      if (source.type === 'generic' && !source.mapping)
        ctx.addIssue({ code: 'custom', path: ['mapping'], message: 'required for type generic' });
      if (source.type !== 'generic' && source.mapping)
        ctx.addIssue({ code: 'custom', path: ['mapping'], message: 'only for type generic' });
      for (const field of ['signatureHeader', 'timestampHeader'] as const) {
        if (source.auth !== 'hmac' && source[field] !== undefined)
          ctx.addIssue({ code: 'custom', path: [field], message: 'only for auth hmac' });
      }
    }),
  );

export type AlertSource = z.infer<typeof alertSourceSchema>;

/** `{ "<name>": source }`; `cloudwatch` is taken by the CloudWatch alarm intake. */
export const alertSourcesSchema = z.record(z.string(), alertSourceSchema).check(
  z.superRefine((sources, ctx) => {
    // Checked here, not as the record's key schema, whose issues do not keep their message.
    for (const name of Object.keys(sources)) {
      if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name))
        ctx.addIssue({ code: 'custom', path: [name], message: 'use lowercase letters, digits, -' });
      if (name === 'cloudwatch')
        ctx.addIssue({ code: 'custom', path: [name], message: 'reserved for CloudWatch alarms' });
    }
  }),
);

export type AlertSources = z.infer<typeof alertSourcesSchema>;

/** The signature header a source's HMAC arrives in. */
export const signatureHeaderOf = (source: AlertSource): string =>
  source.signatureHeader ??
  (source.type === 'grafana' ? 'x-grafana-alerting-signature' : 'x-kanari-signature');
