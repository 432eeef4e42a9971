import type { Sample, Series } from '../../ports/metrics-provider.ts';
import * as z from '../../schemas/mini.ts';

/**
 * The Prometheus HTTP API's query envelope (instant and range), as far as kanari reads it.
 * https://prometheus.io/docs/prometheus/latest/querying/api/#expression-query-result-formats
 */
const sample = z.tuple([z.number(), z.string()]);
const labels = z.record(z.string(), z.string());

const successBody = z.object({
  status: z.literal('success'),
  data: z.discriminatedUnion('resultType', [
    z.object({
      resultType: z.literal('vector'),
      result: z.array(z.object({ metric: labels, value: sample })),
    }),
    z.object({ resultType: z.literal('scalar'), result: sample }),
    z.object({
      resultType: z.literal('matrix'),
      result: z.array(z.object({ metric: labels, values: z.array(sample) })),
    }),
    z.object({ resultType: z.literal('string'), result: sample }),
  ]),
});

const errorBody = z.object({
  status: z.literal('error'),
  errorType: z.optional(z.string()),
  error: z.optional(z.string()),
});

export const queryResponseBody = z.discriminatedUnion('status', [successBody, errorBody]);
export type QueryResponseBody = z.infer<typeof queryResponseBody>;
export type QuerySuccess = z.infer<typeof successBody>;

/** What an instant query's result means to kanari: a number, no data, or a caller mistake. */
export type Interpretation = { value: number | null } | { problem: string };

/**
 * - vector: the first sample. More than one series is the query author's mistake (kanari wants
 *   one number, so aggregate with `sum(...)`); the order Prometheus returns is not meaningful.
 * - scalar: its value.
 * - empty vector: no data.
 * - NaN, +Inf, -Inf: no data. NaN is 0/0 (no traffic in the window); ±Inf comes from
 *   histogram_quantile when the quantile falls in the +Inf bucket or from x/0. None of them is a
 *   number a judge can compare, and "no data" is never a pass.
 * - matrix or string: the query is not an instant numeric expression.
 */
export const interpret = (data: QuerySuccess['data']): Interpretation => {
  switch (data.resultType) {
    case 'vector': {
      const first = data.result[0];
      return { value: first ? toNumber(first.value[1]) : null };
    }
    case 'scalar':
      return { value: toNumber(data.result[1]) };
    case 'matrix':
      return { problem: 'the query returned a range vector (matrix); kanari needs one number' };
    case 'string':
      return { problem: 'the query returned a string; kanari needs one number' };
  }
};

/** Every sample of an instant query; a scalar is one sample without labels. */
export const interpretVector = (
  data: QuerySuccess['data'],
): { samples: Sample[] } | { problem: string } => {
  switch (data.resultType) {
    case 'vector':
      return {
        samples: data.result.map((s) => ({ labels: s.metric, value: toNumber(s.value[1]) })),
      };
    case 'scalar':
      return { samples: [{ labels: {}, value: toNumber(data.result[1]) }] };
    case 'matrix':
      return {
        problem: 'the query returned a range vector (matrix); an instant query needs a vector',
      };
    case 'string':
      return { problem: 'the query returned a string; kanari needs numbers' };
  }
};

/** Every series of a range query (Prometheus answers a range query with a matrix only). */
export const interpretMatrix = (
  data: QuerySuccess['data'],
): { series: Series[] } | { problem: string } => {
  if (data.resultType !== 'matrix') {
    return { problem: `a range query returned a ${data.resultType}, not a matrix` };
  }
  return {
    series: data.result.map((s) => ({
      labels: s.metric,
      points: s.values.map(([t, value]) => ({ t, value: toNumber(value) })),
    })),
  };
};

const toNumber = (text: string): number | null => {
  // Prometheus writes "NaN", "+Inf" and "-Inf"; Number("+Inf") is NaN, so all three land here.
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
};
