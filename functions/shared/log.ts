import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

// Observability in one place: Powertools' Logger (structured JSON, one line per record) and
// Metrics (CloudWatch embedded metric format, flushed at the end of each invocation). Locally
// POWERTOOLS_DEV=true indents the JSON so that a person can read it. Never pass secrets.

export const logger = new Logger({ serviceName: 'kanari' });
export const metrics = new Metrics({ namespace: 'kanari', serviceName: 'kanari' });

/**
 * One record. A record about one decision (a `decisionId` field) carries that id as its
 * `correlation_id`: the id that follows the decision from analyze, an alert or an operator
 * through shift-traffic and notify, which take it from the event for every record.
 */
export const log = (message: string, fields: Record<string, unknown> = {}): void => {
  logger.info(
    message,
    typeof fields.decisionId === 'string'
      ? { ...fields, correlation_id: fields.decisionId }
      : fields,
  );
};

/** A failure someone should look at: ERROR, so that an alarm on the level finds it. */
export const logError = (message: string, fields: Record<string, unknown> = {}): void => {
  logger.error(message, fields);
};

/** A count with one dimension, e.g. decisions by type or rollbacks by cause. */
export const count = (name: string, dimension: string, value: string): void => {
  const one = metrics.singleMetric();
  one.addDimension(dimension, value);
  one.addMetric(name, MetricUnit.Count, 1);
};

/** A duration in milliseconds, e.g. how long a tick's analysis or a patch took. */
export const latency = (name: string, ms: number): void => {
  metrics.addMetric(name, MetricUnit.Milliseconds, ms);
};
