/**
 * The part of EventBridge's pattern matching that kanari's rules use: every field of the
 * pattern must match; a list matches when the event's value is one of its exact values, and
 * an object descends into the event. Operators (prefix, anything-but, numeric ...) are not
 * supported and throw, so a rule that starts using one cannot pass here by accident.
 */
export const matchesPattern = (pattern: Record<string, unknown>, event: unknown): boolean =>
  Object.entries(pattern).every(([field, expected]) => {
    const value =
      event !== null && typeof event === 'object'
        ? (event as Record<string, unknown>)[field]
        : undefined;
    if (Array.isArray(expected)) {
      if (expected.some((option) => option !== null && typeof option === 'object'))
        throw new Error(`content filters are not supported by this check (field ${field})`);
      return Array.isArray(value)
        ? value.some((v) => expected.includes(v))
        : expected.includes(value);
    }
    if (expected !== null && typeof expected === 'object')
      return matchesPattern(expected as Record<string, unknown>, value);
    throw new Error(`pattern field ${field} must be a list or an object`);
  });
