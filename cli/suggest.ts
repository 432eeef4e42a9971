/**
 * "Did you mean": the optimal-string-alignment distance (Levenshtein plus swapping two
 * neighbouring letters), and the candidates closest to a mistyped word.
 */
export const editDistance = (a: string, b: string): number => {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => d[i]?.[j] ?? 0;
  for (let i = 1; i < rows; i++)
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  return at(a.length, b.length);
};

/**
 * The candidates within reach of `word` (at most 40% of its length changed, and at least one
 * edit allowed), closest first, at most `limit`. A candidate that contains the word, or that
 * the word contains, counts as close too.
 */
export const closest = (word: string, candidates: readonly string[], limit = 3): string[] => {
  const reach = Math.max(1, Math.floor(word.length * 0.4));
  return [...new Set(candidates)]
    .filter((candidate) => candidate !== word)
    .map((candidate) => {
      const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
      const partial = word.length >= 3 && (candidate.includes(word) || word.includes(candidate));
      return { candidate, distance, ok: distance <= reach || partial };
    })
    .filter((scored) => scored.ok)
    .sort((x, y) => x.distance - y.distance || x.candidate.localeCompare(y.candidate))
    .slice(0, limit)
    .map((scored) => scored.candidate);
};

/** ` (did you mean a or b?)`, or nothing. */
export const didYouMean = (suggestions: readonly string[]): string => {
  if (suggestions.length === 0) return '';
  const last = suggestions.at(-1);
  const rest = suggestions.slice(0, -1);
  return `; did you mean ${rest.length > 0 ? `${rest.join(', ')} or ${last}` : last}?`;
};
