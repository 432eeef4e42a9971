import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Histogram, Registry } from 'prom-client';

/**
 * Istio's destination telemetry for any number of workloads, as a real Prometheus scrapes it.
 * The sandbox's mesh simulator serves one primary/canary pair; the console tests each seed a
 * VirtualService of their own, so this serves every workload it is told of, each answering
 * 100 requests a second (all 200, 10 ms), as a steady primary would.
 */
export interface WorkloadTraffic {
  /** `host:port` for Prometheus' scrape config. */
  target: string;
  /** Starts counting requests for `workload` in `namespace`; counting twice is harmless. */
  serve(namespace: string, workload: string): void;
  stop(): Promise<void>;
}

const TICK_MS = 250;
const PER_TICK = 25;

export const startWorkloadTraffic = async (): Promise<WorkloadTraffic> => {
  const registry = new Registry();
  const labelNames = [
    'reporter',
    'destination_workload',
    'destination_workload_namespace',
    'response_code',
  ];
  const requests = new Counter({
    name: 'istio_requests_total',
    help: 'Requests served, as reported by the destination proxy.',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'istio_request_duration_milliseconds',
    help: 'Request duration in milliseconds, as reported by the destination proxy.',
    labelNames,
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000],
    registers: [registry],
  });
  const served = new Map<string, Record<string, string>>();
  const ticker = setInterval(() => {
    for (const labels of served.values()) {
      requests.inc(labels, PER_TICK);
      for (let i = 0; i < PER_TICK; i++) duration.observe(labels, 10);
    }
  }, TICK_MS);
  const server = createServer(async (_request, response) => {
    response.setHeader('content-type', registry.contentType);
    response.end(await registry.metrics());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    target: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    serve(namespace, workload) {
      const labels = {
        reporter: 'destination',
        destination_workload: workload,
        destination_workload_namespace: namespace,
        response_code: '200',
      };
      // Created at 0, so that rate() sees the first requests.
      requests.inc(labels, 0);
      duration.zero(labels);
      served.set(`${namespace}/${workload}`, labels);
    },
    stop: async () => {
      clearInterval(ticker);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
};
