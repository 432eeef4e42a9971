/** What the next `count` matching resource requests do instead of (or before) being served. */
export interface FaultSpec {
  count: number;
  /** Answer with this status, as the apiserver words it (401, 403, 404, 409, 429, 500, 503). */
  status?: 401 | 403 | 404 | 409 | 429 | 500 | 503;
  /** Close the connection without an answer (a reset, as a crashing proxy would). */
  reset?: boolean;
  /** Never answer; the client has to give up. stop() still closes the connection. */
  timeout?: boolean;
  /** Wait this long, then serve normally (or fail as above). */
  delayMs?: number;
  /** HTTP methods the fault applies to, e.g. `['PATCH']`; all when absent. */
  methods?: string[];
}

/**
 * Faults queued by injectFaults(), consumed in order. They apply to requests for custom
 * resources only, never to discovery, so that kubectl's discovery calls do not eat them.
 */
export class FaultQueue {
  #pending: FaultSpec[] = [];

  inject(fault: FaultSpec): void {
    if (!Number.isInteger(fault.count) || fault.count < 1) {
      throw new Error(`injectFaults: count must be a positive integer, got ${fault.count}`);
    }
    if (
      fault.status === undefined &&
      !fault.timeout &&
      !fault.reset &&
      fault.delayMs === undefined
    ) {
      throw new Error('injectFaults: give status, timeout, reset or delayMs');
    }
    this.#pending.push({ ...fault, methods: fault.methods?.map((m) => m.toUpperCase()) });
  }

  clear(): void {
    this.#pending = [];
  }

  /** The fault for this request, if any, counting it against its budget. */
  take(method: string): FaultSpec | undefined {
    const index = this.#pending.findIndex(
      (f) => f.methods === undefined || f.methods.includes(method.toUpperCase()),
    );
    const fault = this.#pending[index];
    if (!fault) return undefined;
    fault.count -= 1;
    if (fault.count === 0) this.#pending.splice(index, 1);
    return fault;
  }
}
