/**
 * Answers metric queries with one number. Each backend (Prometheus, Amazon Managed
 * Prometheus, CloudWatch) has one adapter.
 *
 * Errors: `MetricsQueryError` when the backend cannot answer.
 */
export interface MetricsProvider {
  /** The query's single value, or null for no data (an empty result or NaN). */
  runQuery(query: string): Promise<number | null>;
  /** True when the backend answers at all. */
  isOnline(): Promise<boolean>;
}
