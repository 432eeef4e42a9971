/** A field's path as users read it: `spec.analysis.metrics[0].threshold`. */
export const child = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Said of a field that no rule of the import knows. */
export const UNKNOWN_FIELD = 'not known to the import; check whether the rollout needs it';

/**
 * What a translation did with each field of one document: used it, or left it with a reason.
 * `report` then walks the document and names every field that is neither, so that a field the
 * import does not know is listed, never dropped in silence.
 */
export class FieldUse {
  private readonly used = new Set<string>();
  private readonly left = new Map<string, string>();
  private readonly grouped = new Map<string, string>();

  /** `known` gives the reason for a field the import knows it does not translate. */
  constructor(private readonly known: (path: string) => string | undefined = () => undefined) {}

  /** The field (and everything under it) was carried over. */
  use(...paths: string[]): void {
    for (const path of paths) this.used.add(path);
  }

  /** The field was not carried over, and why; a path absent from the document is still listed. */
  leave(path: string, why: string, label?: string): void {
    this.left.set(path, `${path}${label ? ` ${label}` : ''}: ${why}`);
  }

  /** The unused fields directly under `path` are listed on one line, `path.{a, b}: why`. */
  group(path: string, why: string): void {
    this.grouped.set(path, why);
  }

  /** One line per field that was not used, in document order; then notes on absent fields. */
  report(document: unknown): string[] {
    const lines: string[] = [];
    const shown = new Set<string>();
    const walk = (node: unknown, path: string): void => {
      if (this.used.has(path)) return;
      const left = this.left.get(path);
      if (left !== undefined) {
        shown.add(path);
        lines.push(left);
        return;
      }
      const group = this.grouped.get(path);
      if (group !== undefined && isRecord(node)) {
        const keys = Object.keys(node).filter((key) => !this.used.has(child(path, key)));
        if (keys.length > 0) lines.push(`${path}.{${keys.join(', ')}}: ${group}`);
        return;
      }
      if (path === '' || this.decidedBelow(path)) {
        if (Array.isArray(node))
          node.forEach((item, index) => {
            walk(item, child(path, index));
          });
        else if (isRecord(node))
          for (const [key, value] of Object.entries(node)) walk(value, child(path, key));
        return;
      }
      lines.push(`${path}: ${this.known(path) ?? UNKNOWN_FIELD}`);
    };
    walk(document, '');
    for (const [path, line] of this.left) if (!shown.has(path)) lines.push(line);
    return lines;
  }

  private decidedBelow(path: string): boolean {
    const below = (other: string) => other.startsWith(`${path}.`) || other.startsWith(`${path}[`);
    return (
      [...this.used].some(below) ||
      [...this.left.keys()].some(below) ||
      [...this.grouped.keys()].some(below)
    );
  }
}
