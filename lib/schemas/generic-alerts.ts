import type { Alert } from '../domain/alert-matching.ts';
import type { Parsed, PayloadProblem } from './alerts.ts';
import * as z from './mini.ts';

/** A dot path into the JSON body, e.g. event.data.id; numbers index arrays. */
const path = z
  .string()
  .check(z.minLength(1), z.regex(/^[^.]+(\.[^.]+)*$/, 'must be a dot path such as event.data.id'));

/** Status values: at least one; `fallback` when absent. */
const statuses = (fallback: string) =>
  z._default(z.array(z.string()).check(z.minLength(1)), [fallback]);

/**
 * Where a generic webhook (Datadog, PagerDuty, a custom sender) keeps what kanari needs.
 * Example for PagerDuty v3 webhooks:
 * `{ "id": "event.data.id", "name": "event.data.title", "status": "event.event_type",
 *    "labels": { "service": "event.data.service.summary" },
 *    "firing": ["incident.triggered"], "resolved": ["incident.resolved"] }`
 */
export const genericMappingSchema = z.strictObject({
  /** Where the array of alerts is; absent: the body is one alert (or an array of them). */
  alerts: z.optional(path),
  /** The alert's identity; repeats of one alert carry the same id. */
  id: path,
  /** The alert's name. */
  name: path,
  /** The alert's status; see firing and resolved. */
  status: path,
  /** A path to an object of labels, or a map of label name to path. */
  labels: z.optional(z.union([path, z.record(z.string().check(z.minLength(1)), path)])),
  startsAt: z.optional(path),
  /** Status values meaning firing. */
  firing: statuses('firing'),
  /** Status values meaning resolved; any other status is refused. */
  resolved: statuses('resolved'),
});

export type GenericMapping = z.infer<typeof genericMappingSchema>;

/** The value at a dot path; own properties only, so `constructor` or `__proto__` find nothing. */
const at = (value: unknown, dotPath: string): unknown =>
  dotPath
    .split('.')
    .reduce<unknown>(
      (current, key) =>
        current !== null && typeof current === 'object' && Object.hasOwn(current, key)
          ? (current as Record<string, unknown>)[key]
          : undefined,
      value,
    );

const isScalar = (value: unknown): value is string | number | boolean =>
  ['string', 'number', 'boolean'].includes(typeof value);

class ProblemError extends Error {
  constructor(readonly problem: PayloadProblem) {
    super(problem.message);
    this.name = 'ProblemError';
  }
}

const fail = (where: string, message: string): never => {
  throw new ProblemError({ path: where || '(root)', message });
};

const join = (base: string, dotPath: string): string => (base ? `${base}.${dotPath}` : dotPath);

const text = (item: unknown, base: string, dotPath: string): string => {
  const value = at(item, dotPath);
  if (!isScalar(value) || value === '')
    return fail(join(base, dotPath), 'expected a non-empty string or number');
  return String(value);
};

const labelsOf = (
  item: unknown,
  base: string,
  mapping: GenericMapping['labels'],
): Record<string, string> => {
  if (mapping === undefined) return {};
  const labels: Record<string, string> = {};
  if (typeof mapping === 'string') {
    const value = at(item, mapping);
    if (value === undefined) return {};
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      return fail(join(base, mapping), 'expected an object of labels');
    for (const [name, label] of Object.entries(value)) {
      if (!isScalar(label)) return fail(join(base, `${mapping}.${name}`), 'expected a string');
      labels[name] = String(label);
    }
    return labels;
  }
  for (const [name, dotPath] of Object.entries(mapping)) {
    const value = at(item, dotPath);
    if (value === undefined || value === null) continue; // an absent label
    if (!isScalar(value)) return fail(join(base, dotPath), 'expected a string');
    labels[name] = String(value);
  }
  return labels;
};

const alertOf = (source: string, mapping: GenericMapping, item: unknown, base: string): Alert => {
  const status = text(item, base, mapping.status);
  const known = mapping.firing.includes(status)
    ? 'firing'
    : mapping.resolved.includes(status)
      ? 'resolved'
      : fail(
          join(base, mapping.status),
          `"${status}" is neither firing (${mapping.firing.join(', ')}) nor resolved (${mapping.resolved.join(', ')})`,
        );
  const startsAt = mapping.startsAt ? at(item, mapping.startsAt) : undefined;
  return {
    source,
    id: text(item, base, mapping.id),
    name: text(item, base, mapping.name),
    status: known,
    labels: labelsOf(item, base, mapping.labels),
    ...(typeof startsAt === 'string' ? { startsAt } : {}),
  };
};

/** A generic webhook body, normalized with its source's mapping; the first problem names its path. */
export const normalizeGeneric = (
  source: string,
  mapping: GenericMapping,
  body: unknown,
): Parsed<Alert[]> => {
  try {
    const list = mapping.alerts === undefined ? body : at(body, mapping.alerts);
    if (mapping.alerts !== undefined && !Array.isArray(list))
      fail(mapping.alerts, 'expected an array of alerts');
    const items = Array.isArray(list) ? list : [list];
    const base = (index: number) =>
      mapping.alerts !== undefined
        ? `${mapping.alerts}.${index}`
        : Array.isArray(list)
          ? String(index)
          : '';
    return { ok: true, value: items.map((item, i) => alertOf(source, mapping, item, base(i))) };
  } catch (error) {
    if (error instanceof ProblemError) return { ok: false, problem: error.problem };
    throw error;
  }
};
