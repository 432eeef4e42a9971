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
 * substring the query contains wins. A query nothing matches has no data (null).
 */
export type FakeAnswers = ((query: string) => FakeAnswer) | Record<string, FakeAnswer>;

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

  private answerFor(query: string): FakeAnswer {
    if (typeof this.answers === 'function') return this.answers(query);
    for (const [substring, answer] of Object.entries(this.answers)) {
      if (query.includes(substring)) return answer;
    }
    return null;
  }
}
