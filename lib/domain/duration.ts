const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PATTERN = /^(\d+)(ms|s|m|h)$/;

/** True for durations in Prometheus' simple form: `30s`, `1m`, `2h`, `500ms`. */
export const isDuration = (text: string): boolean => PATTERN.test(text);

/** Milliseconds in a duration such as `1m`. Callers validate first with `isDuration`. */
export const durationMs = (text: string): number => {
  const match = PATTERN.exec(text);
  if (!match) throw new RangeError(`not a duration: ${text}`);
  return Number(match[1]) * (UNITS[match[2] as string] as number);
};
