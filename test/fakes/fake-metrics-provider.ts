import type { MetricsProvider } from '../../lib/ports/metrics-provider.ts';

/** A value, no data (null), or an error the query throws (e.g. a MetricsQueryError). */
export type FakeAnswer = number | null | Error;

/**
 * Answers from a function of the query, or from a map of substring → answer where the first
 * substring the query contains wins. A query nothing matches has no data (null).
 */
export type FakeAnswers = ((query: string) => FakeAnswer) | Record<string, FakeAnswer>;

/** An in-memory MetricsProvider that records every query it is asked. */
export class FakeMetricsProvider implements MetricsProvider {
  readonly queries: string[] = [];
  online = true;

  constructor(private answers: FakeAnswers = {}) {}

  /** Replace the answers, e.g. between ticks of a test. */
  answerWith(answers: FakeAnswers): void {
    this.answers = answers;
  }

  async runQuery(query: string): Promise<number | null> {
    this.queries.push(query);
    const answer = this.answerFor(query);
    if (answer instanceof Error) throw answer;
    return answer;
  }

  async isOnline(): Promise<boolean> {
    return this.online;
  }

  private answerFor(query: string): FakeAnswer {
    if (typeof this.answers === 'function') return this.answers(query);
    for (const [substring, answer] of Object.entries(this.answers)) {
      if (query.includes(substring)) return answer;
    }
    return null;
  }
}
