/**
 * The compare judge's defaults, in one place: what a `judge: compare` metric uses for an option
 * it leaves out. `minRequests` is the canary requests a step must serve before a non-inferior
 * verdict may promote it.
 */
export const DEFAULT_COMPARE: Readonly<{ tolerance: number; k: number; minRequests: number }> = {
  tolerance: 1.5,
  k: 100,
  minRequests: 1000,
};
