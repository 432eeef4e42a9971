import type { WorkloadRef } from '../../lib/domain/count-queries.ts';
import { MetricsQueryError } from '../../lib/ports/errors.ts';
import type {
  MetricsProvider,
  QueryRange,
  Sample,
  Series,
} from '../../lib/ports/metrics-provider.ts';

/** A value, no data (null), or an error the query throws (e.g. a MetricsQueryError). */
export type FakeAnswer = number | null | Error;

/**
 * Answers from a function of the query, or from a map of substring → answer where the first
 * substring the query contains wins. A query nothing matches has no data (null). With
 * `perWorkload`, a grouped query is answered once per workload, which the function is given.
 */
export type FakeAnswers =
  | ((query: string, workload?: WorkloadRef) => FakeAnswer)
  | Record<string, FakeAnswer>;

/**
 * What an instant query returns at one time (epoch seconds): its samples, or an error to
 * throw. Range queries are answered from it too, one call per step, as Prometheus defines them.
 */
export type FakeVectors = (query: string, t: number) => Sample[] | Error;

/** An in-memory MetricsProvider that records every query it is asked. */
export class FakeMetricsProvider implements MetricsProvider {
  readonly queries: string[] = [];
  online = true;
  /** The evaluation time of a `queryVector` without `at`. */
  now: () => Date = () => new Date();

  constructor(
    private answers: FakeAnswers = {},
    private vectors: FakeVectors = () => [],
  ) {}

  /**
   * A fake whose answers serve both `runQuery` (custom queries) and the tick's queries grouped
   * by workload (`byWorkload` over `workloads`); `answerWith` replaces them for both.
   */
  static perWorkload(
    answers: FakeAnswers,
    workloads: readonly WorkloadRef[] = SEED_WORKLOADS,
  ): FakeMetricsProvider {
    const fake = new FakeMetricsProvider(answers);
    fake.answerVectorsWith(byWorkload((query, w) => fake.answerFor(query, w), workloads));
    return fake;
  }

  /** Replace the answers, e.g. between ticks of a test. */
  answerWith(answers: FakeAnswers): void {
    this.answers = answers;
  }

  /** Replace the instant-query samples (and so the range-query series). */
  answerVectorsWith(vectors: FakeVectors): void {
    this.vectors = vectors;
  }

  async runQuery(query: string): Promise<number | null> {
    this.queries.push(query);
    const answer = this.answerFor(query);
    if (answer instanceof Error) throw answer;
    return answer;
  }

  async queryVector(query: string, at?: Date): Promise<Sample[]> {
    this.queries.push(query);
    return this.vectorAt(query, (at ?? this.now()).getTime() / 1000);
  }

  /**
   * Evaluates the instant query at start, start + step, … ≤ end and groups the samples by
   * their labels: a series absent at a step has no point there, as in Prometheus.
   */
  async queryRange(query: string, range: QueryRange): Promise<Series[]> {
    this.queries.push(query);
    const start = range.start.getTime() / 1000;
    const end = range.end.getTime() / 1000;
    if (!(range.stepSeconds > 0) || end < start) {
      throw new MetricsQueryError(`range needs start <= end and stepSeconds > 0; query: ${query}`);
    }
    const byLabels = new Map<string, Series>();
    for (let i = 0; start + i * range.stepSeconds <= end; i++) {
      const t = start + i * range.stepSeconds;
      for (const sample of this.vectorAt(query, t)) {
        const key = JSON.stringify(Object.entries(sample.labels).sort());
        const series = byLabels.get(key) ?? { labels: sample.labels, points: [] };
        series.points.push({ t, value: sample.value });
        byLabels.set(key, series);
      }
    }
    return [...byLabels.values()];
  }

  async isOnline(): Promise<boolean> {
    return this.online;
  }

  private vectorAt(query: string, t: number): Sample[] {
    const answer = this.vectors(query, t);
    if (answer instanceof Error) throw answer;
    return answer;
  }

  private answerFor(query: string, workload?: WorkloadRef): FakeAnswer {
    if (typeof this.answers === 'function') return this.answers(query, workload);
    for (const [substring, answer] of Object.entries(this.answers)) {
      if (query.includes(substring)) return answer;
    }
    return null;
  }
}

/** The seed's destinations (test/support/fixtures.ts): primary and canary in `default`. */
export const SEED_WORKLOADS: readonly WorkloadRef[] = [
  { namespace: 'default', workload: 'my-service' },
  { namespace: 'default', workload: 'my-service-v2' },
];

/**
 * Vectors for the tick's queries grouped by workload (`by (destination_workload_namespace,
 * destination_workload …)`): one row per workload, valued as `answer(query, workload)` says
 * (null: no row, an Error: the query fails). Other queries have no rows. The answer function
 * of a per-query fake (`(query) => …`) fits as it is: it then answers every workload alike.
 */
export const byWorkload =
  (
    answer: (query: string, workload: WorkloadRef) => FakeAnswer,
    workloads: readonly WorkloadRef[] = SEED_WORKLOADS,
  ): FakeVectors =>
  (query) => {
    if (!query.includes('by (destination_workload_namespace, destination_workload')) return [];
    const rows: Sample[] = [];
    for (const workload of workloads) {
      const value = answer(query, workload);
      if (value instanceof Error) return value;
      if (value === null) continue;
      rows.push({
        labels: {
          destination_workload_namespace: workload.namespace,
          destination_workload: workload.workload,
        },
        value,
      });
    }
    return rows;
  };
