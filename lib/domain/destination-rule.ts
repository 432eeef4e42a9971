/** The slice of Istio's DestinationRule that preflight reads: its host and subset names. */
export interface DestinationRule {
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  spec: {
    host?: string;
    subsets?: { name: string; [key: string]: unknown }[];
    [key: string]: unknown;
  };
}
