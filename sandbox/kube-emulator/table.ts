import type { PrinterColumn, ServedVersion } from './crds.ts';
import type { KubeObject } from './store.ts';

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

/** True when the client (kubectl without -o) asks for a server-side meta.k8s.io Table. */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '')
    .split(',')
    .some((part) => /;\s*as=Table/.test(part) && /;\s*g=meta\.k8s\.io/.test(part));
}

/**
 * A meta.k8s.io/v1 Table built as the apiextensions table convertor builds one: a Name
 * column, then the version's additionalPrinterColumns (or Age when it declares none).
 * Approximation: jsonPath supports plain `.a.b[0].c` paths only, not filters or wildcards.
 */
export function toTable(
  version: ServedVersion,
  objects: KubeObject[],
  resourceVersion: string,
  includeObject: string | null,
  now: Date,
): object {
  const columns: PrinterColumn[] =
    version.printerColumns.length > 0
      ? version.printerColumns
      : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: [
      {
        name: 'Name',
        type: 'string',
        format: 'name',
        description: 'Name must be unique within a namespace.',
        priority: 0,
      },
      ...columns.map((c) => ({
        name: c.name,
        type: c.type,
        format: c.format ?? '',
        description: c.description ?? '',
        priority: c.priority ?? 0,
      })),
    ],
    rows: objects.map((o) => ({
      cells: [o.metadata.name, ...columns.map((c) => cell(c, o, now))],
      object: rowObject(o, includeObject ?? 'Metadata'),
    })),
  };
}

function rowObject(object: KubeObject, include: string): object | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return object;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: object.metadata };
}

function cell(column: PrinterColumn, object: KubeObject, now: Date): unknown {
  const value = lookup(object, column.jsonPath);
  if (value === undefined || value === null) return null;
  if (column.type === 'date' && typeof value === 'string') {
    return humanDuration(now.getTime() - Date.parse(value));
  }
  if (column.type === 'string') return typeof value === 'string' ? value : JSON.stringify(value);
  return value;
}

function lookup(object: unknown, jsonPath: string): unknown {
  const steps = jsonPath
    .replace(/^\{?\./, '')
    .replace(/\}$/, '')
    .split(/\.|\[(\d+)\]/)
    .filter(Boolean);
  let value = object;
  for (const step of steps) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration, to the precision kubectl shows. */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (seconds < 120) return `${seconds}s`;
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  return years < 8 && days % 365 !== 0 ? `${years}y${days % 365}d` : `${years}y`;
}
