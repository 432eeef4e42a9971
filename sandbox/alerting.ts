import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { type RunningAlertmanager, startAlertmanager } from './alertmanager.ts';

/** The alert the sandbox's Prometheus raises on the canary's 5xx ratio. */
export const CANARY_ALERT = 'CanaryHighErrorRate';
const SOURCE = 'alertmanager';
const TOKEN_ENV = 'KANARI_SANDBOX_ALERTMANAGER_TOKEN';

const canary = 'destination_workload="my-service-v2"';
const RULES = stringify({
  groups: [
    {
      name: 'kanari-sandbox',
      rules: [
        {
          alert: CANARY_ALERT,
          // A short window and no `for`, so the alert fires within seconds of bad traffic.
          expr: `sum(rate(istio_requests_total{${canary},response_code=~"5.*"}[10s])) / sum(rate(istio_requests_total{${canary}}[10s])) > 0.02`,
          for: '0s',
          labels: { severity: 'critical', service: 'my-service', namespace: 'default' },
          annotations: { summary: 'my-service-v2 answers more than 2% of requests with 5xx' },
        },
      ],
    },
  ],
});

/** The rollout spec's matcher for the sandbox's alert. */
export const SANDBOX_ALERT_MATCHERS = [
  { labels: { alertname: CANARY_ALERT, service: 'my-service' }, action: 'rollback' as const },
];

export interface Alerting {
  alertmanager: RunningAlertmanager;
  /** Options for startPrometheus: the rule, and where to send what fires. */
  prometheus: { ruleFiles: string[]; alertmanagerUrl: string };
  /** Environment for the functions: the webhook source and its token. */
  env: Record<string, string>;
  /** Points Alertmanager at the functions' webhook once they listen. */
  connect(httpUrl: string): Promise<void>;
}

/**
 * Real Alertmanager for the sandbox, and a rule file for Prometheus. Alertmanager starts before
 * the functions (Prometheus needs its address), so its webhook is set once they are up.
 */
export const startAlerting = async (workDir: string): Promise<Alerting> => {
  const token = randomBytes(16).toString('hex');
  const rulesFile = join(workDir, 'alert-rules.yml');
  await writeFile(rulesFile, RULES);
  const alertmanager = await startAlertmanager();
  return {
    alertmanager,
    prometheus: { ruleFiles: [rulesFile], alertmanagerUrl: alertmanager.url },
    env: {
      KANARI_ALERT_SOURCES: JSON.stringify({
        [SOURCE]: { type: 'alertmanager', auth: 'bearer', secretEnv: TOKEN_ENV },
      }),
      [TOKEN_ENV]: token,
    },
    connect: (httpUrl) => alertmanager.setWebhook({ url: `${httpUrl}/alerts/${SOURCE}`, token }),
  };
};
