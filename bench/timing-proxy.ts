import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through HTTP proxy in front of DynamoDB Local that notes when a transaction writing
 * a rollout's state in `phase` was acknowledged, i.e. when the ledger recorded it. It forwards
 * bytes unchanged (DynamoDB Local does not check SigV4) and costs one loopback hop per call.
 */
export const startTimingProxy = async (options: {
  upstream: string;
  phase: string;
  onCommitted: (rolloutId: string, at: number) => void;
}): Promise<{ endpoint: string; stop(): Promise<void> }> => {
  const upstream = new URL(options.upstream);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const committed = String(req.headers['x-amz-target'] ?? '').endsWith('TransactWriteItems')
        ? committedRollout(body, options.phase)
        : undefined;
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', () => {
            if (committed && answer.statusCode === 200)
              options.onCommitted(committed, performance.now());
          });
        },
      );
      forward.on('error', (error) => res.destroy(error));
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
};

type Attribute = { S?: string };
type Transaction = { TransactItems?: { Put?: { Item?: Record<string, Attribute> } }[] };

/** The rollout id of a transaction that puts a state item in `phase`, if it is one. */
const committedRollout = (body: Buffer, phase: string): string | undefined => {
  const { TransactItems = [] } = JSON.parse(body.toString('utf8')) as Transaction;
  const state = TransactItems.map((item) => item.Put?.Item).find(
    (item) => item?.SK?.S === 'STATE' && item.phase?.S === phase,
  );
  return state?.PK?.S?.replace(/^ROLLOUT#/, '');
};
