import middy from '@middy/core';
import { intakeAlerts } from '../lib/app/intake-alert.ts';
import { recordAlertDecisions } from './shared/alert-outcomes.ts';
import { alertSecrets } from './shared/alert-secrets.ts';
import { readAlerts } from './shared/alert-webhook.ts';
import { HttpError, type HttpEvent, type HttpResult, httpErrors, json } from './shared/http.ts';
import { logging } from './shared/middleware.ts';
import { tracing } from './shared/tracing.ts';
import { alertDeps, config } from './shared/wiring.ts';

const deps = alertDeps();
const sources = config.KANARI_ALERT_SOURCES;
const secrets = alertSecrets(sources, process.env, config.AWS_REGION);

/** `POST /alerts/{source}`: Alertmanager, Grafana and generic webhooks; they authenticate themselves. */
const receive = async (event: HttpEvent): Promise<HttpResult> => {
  const name = event.pathParameters?.source ?? '';
  // Own properties only: `constructor` or `__proto__` is no source.
  const source = Object.hasOwn(sources, name) ? sources[name] : undefined;
  if (!source) throw new HttpError(404, `unknown alert source "${name}"`);
  const secret = await secrets.secretOf(name);
  if (!secret) {
    deps.log?.('alert source has no secret configured', { source: name });
    throw new HttpError(500, `alert source "${name}" is not configured with a secret`);
  }
  const alerts = readAlerts(name, source, secret, event, deps.now());
  const outcomes = await intakeAlerts(deps, alerts);
  recordAlertDecisions(outcomes);
  deps.log?.('alerts received', {
    source: name,
    outcomes: outcomes.map((o) => ({ id: o.alert.id, name: o.alert.name, outcome: o.outcome })),
  });
  return json(200, { outcomes });
};

export const handler = middy<HttpEvent, HttpResult>()
  .use(logging('alerts'))
  .use(tracing())
  .use(httpErrors())
  .handler(receive);
