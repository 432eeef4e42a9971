/**
 * The slice of Istio's VirtualService that kanari reads and writes. Everything else in the
 * object is carried through untouched, which is why these types are open (`[key: string]`).
 */
export interface Destination {
  host: string;
  subset?: string;
  port?: { number?: number; [key: string]: unknown };
  [key: string]: unknown;
}

export interface RouteDestination {
  destination: Destination;
  weight?: number;
  [key: string]: unknown;
}

export interface HttpRoute {
  name?: string;
  route?: RouteDestination[];
  [key: string]: unknown;
}

export interface VirtualService {
  apiVersion: string;
  kind: 'VirtualService';
  metadata: { name: string; namespace?: string; resourceVersion?: string; [key: string]: unknown };
  spec: { hosts?: string[]; http?: HttpRoute[]; [key: string]: unknown };
}

/** RFC 6902 operation, the subset kanari emits. */
export type JsonPatchOperation =
  | { op: 'test'; path: string; value: unknown }
  | { op: 'replace'; path: string; value: unknown }
  | { op: 'add'; path: string; value: unknown };
