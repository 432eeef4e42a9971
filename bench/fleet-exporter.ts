import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A `/metrics` endpoint for a whole fleet: Istio's standard telemetry, as destination proxies
 * report it, for many workloads at once. Counters grow at a fixed rate from the moment the
 * exporter starts, so every scrape is cheap to render and the figures are the same on every
 * run: each primary serves `primaryRps`, each canary `canaryRps`, 0.1% answered 500, and
 * durations fall in a few fixed buckets (enough for histogram_quantile).
 *
 * The mesh simulator in sandbox/ draws every request; this one computes the totals, because a
 * benchmark of 10,000 rollouts needs 20,000 workloads and no per-request work.
 */
export interface FleetExporter {
  /** `host:port`, for a Prometheus scrape target. */
  target: string;
  /** Series it serves (for a readiness check: Prometheus has them all). */
  seriesPerWorkload: number;
  stop(): Promise<void>;
}

const BUCKETS: [le: string, share: number][] = [
  ['50', 0.5],
  ['100', 0.8],
  ['250', 0.95],
  ['500', 0.99],
  ['1000', 1],
  ['+Inf', 1],
];
const ERROR_SHARE = 0.001;

export const startFleetExporter = async (options: {
  namespace: string;
  workloads: { name: string; rps: number }[];
}): Promise<FleetExporter> => {
  const started = Date.now();
  const render = (): string => {
    const seconds = (Date.now() - started) / 1000;
    const lines = [
      '# TYPE istio_requests_total counter',
      '# TYPE istio_request_duration_milliseconds histogram',
    ];
    for (const { name, rps } of options.workloads) {
      const labels = `reporter="destination",destination_workload_namespace="${options.namespace}",destination_workload="${name}"`;
      const total = Math.floor(rps * seconds);
      const errors = Math.floor(total * ERROR_SHARE);
      lines.push(`istio_requests_total{${labels},response_code="200"} ${total - errors}`);
      lines.push(`istio_requests_total{${labels},response_code="500"} ${errors}`);
      for (const [le, share] of BUCKETS) {
        lines.push(
          `istio_request_duration_milliseconds_bucket{${labels},le="${le}"} ${Math.floor(total * share)}`,
        );
      }
    }
    return `${lines.join('\n')}\n`;
  };
  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(render());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    seriesPerWorkload: 2 + BUCKETS.length,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
};
