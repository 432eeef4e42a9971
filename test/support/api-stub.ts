import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LedgerEntry, RolloutState } from '../../lib/domain/state.ts';
import { weightPlan } from '../../lib/domain/weight-plan.ts';

/**
 * A small stand-in for kanari's HTTP API on 127.0.0.1, for CLI tests and bench:cli: it answers
 * list, get (with a ledger) and actions from the states it is given, checks the bearer token,
 * and refuses actions on ended rollouts with 409 like the real API.
 */
export interface ApiStub {
  url: string;
  token: string;
  rollouts: RolloutState[];
  ledgers: Map<string, LedgerEntry[]>;
  /** Every request's method and path (with query), in order. */
  requests: string[];
  stop: () => Promise<void>;
}

const send = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

export const startApiStub = async (
  rollouts: RolloutState[],
  token = 'stub-token',
): Promise<ApiStub> => {
  const ledgers = new Map<string, LedgerEntry[]>();
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    if (req.headers.authorization !== `Bearer ${token}`)
      return send(res, 401, { error: 'invalid credentials' });
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method === 'GET' && url.pathname === '/rollouts') {
      const { cluster, namespace, phase } = Object.fromEntries(url.searchParams);
      const found = rollouts.filter((r) => {
        const [c, n] = r.id.split('/');
        return (
          (!cluster || c === cluster) &&
          (!namespace || n === namespace) &&
          (!phase || r.phase === phase)
        );
      });
      return send(res, 200, { rollouts: found });
    }
    if (parts[0] === 'rollouts' && parts.length >= 4) {
      const id = parts.slice(1, 4).join('/');
      const rollout = rollouts.find((r) => r.id === id);
      if (!rollout) return send(res, 404, { error: `rollout ${id} not found` });
      if (req.method === 'GET' && parts.length === 4)
        return send(res, 200, {
          rollout,
          plan: weightPlan(rollout.spec.analysis),
          ledger: { entries: ledgers.get(id) ?? [] },
        });
      if (req.method === 'POST' && parts[4] === 'actions') {
        const action = parts[5] ?? '';
        if (['Succeeded', 'RolledBack', 'Failed', 'Aborted'].includes(rollout.phase))
          return send(res, 409, {
            error: `cannot ${action} a rollout that is ${rollout.phase}`,
            phase: rollout.phase,
          });
        return send(res, 200, {
          rollout,
          entry: { ...rollout, at: rollout.updatedAt, message: `${action} requested` },
        });
      }
    }
    send(res, 404, { error: 'no such route' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    rollouts,
    ledgers,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
};
