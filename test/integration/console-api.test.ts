import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SEED_VIRTUAL_SERVICE } from '../../sandbox/seed.ts';
import { serviceNamed, specNamed } from '../support/cli-runner.ts';
import { type ConsoleHarness, startConsoleHarness } from '../support/console-harness.ts';

let harness: ConsoleHarness;

const call = async (
  method: string,
  path: string,
  options: { body?: unknown; raw?: string; token?: string | null } = {},
) => {
  const token = options.token === undefined ? harness.token : options.token;
  const response = await fetch(`${harness.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      'content-type': 'application/json',
    },
    ...(options.raw !== undefined
      ? { body: options.raw }
      : options.body !== undefined
        ? { body: JSON.stringify(options.body) }
        : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    text,
    json: () => JSON.parse(text),
  };
};

const start = async (name: string, cluster = 'sandbox') => {
  await harness.seedService(serviceNamed(name));
  const created = await call('POST', '/rollouts', { body: specNamed(name, '10m', cluster) });
  expect(created.status).toBe(201);
  await harness.settled();
  return `/rollouts/${cluster}/default/${name}`;
};

beforeAll(async () => {
  harness = await startConsoleHarness(inject('dynamoEndpoint'));
  harness.emulator.seed(SEED_VIRTUAL_SERVICE);
});

afterAll(async () => {
  await harness?.stop();
});

describe('the console API', () => {
  it('serves the web console at / without credentials: the page holds no data', async () => {
    const page = await call('GET', '/', { token: null });
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<title>kanari console</title>');
    const script = await call('GET', '/app.js', { token: null });
    expect([script.status, script.type]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(script.text.length).toBeGreaterThan(10_000);
    const style = await call('GET', '/app.css', { token: null });
    expect([style.status, style.type]).toEqual([200, 'text/css; charset=utf-8']);
    expect(style.text).toContain('.uplot');
  });

  it('lists every revision of a rollout with its outcome, duration and cause', async () => {
    const path = await start('revisited');
    const rollback = await call('POST', `${path}/actions/rollback`, {
      body: { reason: 'first try is bad' },
    });
    expect(rollback.status).toBe(200);
    await harness.settled();
    const again = await call('POST', '/rollouts', { body: specNamed('revisited', '5m') });
    expect(again.status).toBe(201);
    await harness.settled();
    const answer = await call('GET', `${path}/revisions`);
    expect(answer.status).toBe(200);
    const { revisions } = answer.json();
    expect(
      revisions.map((r: { revision: number; phase: string }) => [r.revision, r.phase]),
    ).toEqual([
      [2, 'Progressing'],
      [1, 'RolledBack'],
    ]);
    expect(revisions[1]).toMatchObject({
      endedBy: { type: 'operator', reason: 'first try is bad' },
      maxWeight: 10,
    });
    expect(revisions[1].durationMs).toBeGreaterThanOrEqual(0);
    expect(revisions[1].endedAt).toEqual(expect.any(String));
    expect(revisions[0].endedAt).toBeUndefined();
    expect((await call('GET', '/rollouts/sandbox/default/nobody/revisions')).status).toBe(404);
    expect((await call('GET', `${path}/revisions`, { token: null })).status).toBe(401);
  });

  it('gives one VirtualService one active rollout: a second create gets 409 naming the owner', async () => {
    const path = await start('owned');
    const second = { ...specNamed('owned'), name: 'owned-again' };
    const refused = await call('POST', '/rollouts', { body: second });
    expect(refused.status).toBe(409);
    expect(refused.json()).toEqual({
      error: expect.stringMatching(
        /^VirtualService default\/owned in cluster "sandbox" is owned by rollout sandbox\/default\/owned, which is not finished/,
      ),
      owner: 'sandbox/default/owned',
    });
    expect((await call('GET', '/rollouts/sandbox/default/owned-again')).status).toBe(404);
    // Once the owner is rolled back, the route is free for the next one.
    await call('POST', `${path}/actions/rollback`, { body: { reason: 'make way' } });
    await harness.settled();
    expect((await call('POST', '/rollouts', { body: second })).status).toBe(201);
  });

  it('answers 401 without valid credentials, and the action changes nothing', async () => {
    const path = await start('guarded');
    const before = (await call('GET', path)).json();
    for (const token of [null, 'wrong']) {
      const refused = await call('POST', `${path}/actions/rollback`, {
        body: { reason: 'x' },
        token,
      });
      expect(refused.status).toBe(401);
    }
    expect((await call('GET', '/rollouts', { token: null })).status).toBe(401);
    expect((await call('GET', path)).json()).toEqual(before);
    // The scheme is case-insensitive (RFC 7235), as the webhooks already take it.
    const lower = await fetch(`${harness.url}/rollouts`, {
      headers: { authorization: `bearer ${harness.token}` },
    });
    expect(lower.status).toBe(200);
  });

  it('answers 400 naming the field for a bad action body, and changes nothing', async () => {
    const path = await start('picky');
    const before = (await call('GET', path)).json();
    const cases: [unknown, string][] = [
      [{}, 'reason: required: say why you act'],
      [{ reason: '   ' }, 'reason: required: say why you act'],
      [{ reason: 'x', full: 'yes' }, 'full: must be true or false'],
      [
        { reason: 'x', force: true },
        '(body): unknown field force; expected reason and, for promote, full',
      ],
    ];
    for (const [body, error] of cases) {
      const answer = await call('POST', `${path}/actions/promote`, { body });
      expect([answer.status, answer.json().error]).toEqual([400, error]);
    }
    const full = await call('POST', `${path}/actions/rollback`, {
      body: { reason: 'x', full: true },
    });
    expect(full.json().error).toBe('full: only promote takes full');
    const notJson = await call('POST', `${path}/actions/pause`, { raw: '{reason' });
    expect(notJson.status).toBe(400);
    expect(notJson.json().error).toMatch(/^request body is not valid JSON/);
    const unknown = await call('POST', `${path}/actions/explode`, { body: { reason: 'x' } });
    expect(unknown.json().error).toBe(
      'action: must be one of rollback, pause, resume, promote, abort, finalize',
    );
    expect((await call('GET', path)).json()).toEqual(before);
  });

  it('records an action with the actor and reason, and answers 409 with the phase when it does not fit', async () => {
    const path = await start('acted');
    const paused = await call('POST', `${path}/actions/pause`, { body: { reason: 'hold on' } });
    expect(paused.status).toBe(200);
    expect(paused.json()).toMatchObject({
      rollout: { phase: 'Paused' },
      entry: {
        cause: { type: 'operator', actor: 'alice', reason: 'hold on' },
        description: 'Paused at 10% by alice ("hold on")',
      },
    });
    const again = await call('POST', `${path}/actions/pause`, { body: { reason: 'again' } });
    expect([again.status, again.json()]).toEqual([
      409,
      { error: 'cannot pause a rollout that is Paused', phase: 'Paused', action: 'pause' },
    ]);
    const missing = await call('POST', '/rollouts/sandbox/default/absent/actions/pause', {
      body: { reason: 'x' },
    });
    expect([missing.status, missing.json().error]).toEqual([
      404,
      'rollout sandbox/default/absent not found',
    ]);
  });

  it('answers apply with its outcome: 201 started, 200 unchanged or updated, 409 unsafe', async () => {
    await harness.seedService(serviceNamed('reapplied'));
    const spec = specNamed('reapplied');
    const first = await call('POST', '/rollouts', { body: spec });
    // The seed puts `prefix: /` before `/v2`, so preflight warns that /v2 is never reached.
    expect([first.status, first.json().outcome, first.json().warnings]).toEqual([
      201,
      'started',
      [
        expect.stringContaining(
          'http route 1 (prefix /v2) of VirtualService reapplied is never reached',
        ),
      ],
    ]);
    await harness.settled();
    const same = await call('POST', '/rollouts', { body: spec });
    expect([same.status, same.json().outcome]).toEqual([200, 'unchanged']);
    const safe = { ...spec, analysis: { ...spec.analysis, minSampleSize: 50 } };
    const updated = await call('POST', '/rollouts', { body: safe });
    expect([updated.status, updated.json().outcome]).toEqual([200, 'updated']);
    expect(updated.json().rollout.spec.analysis.minSampleSize).toBe(50);
    const unsafe = { ...safe, target: { ...safe.target, canary: { host: 'reapplied-v3' } } };
    const refused = await call('POST', '/rollouts', { body: unsafe });
    expect(refused.status).toBe(409);
    expect(refused.json()).toMatchObject({
      phase: 'Progressing',
      unsafeFields: ['target.canary.host'],
    });
    const path = '/rollouts/sandbox/default/reapplied';
    const { ledger, rollout } = (await call('GET', path)).json();
    expect(rollout.spec.analysis.minSampleSize).toBe(50);
    expect(ledger.entries.at(-1)).toMatchObject({
      kind: 'update',
      revision: 1,
      changedFields: ['analysis.minSampleSize'],
      description: 'Spec updated in flight: analysis.minSampleSize 10 → 50 by alice',
    });
  });

  it('after Succeeded refuses the same spec with 409, and finalize moves traffic to the primary', async () => {
    const path = await start('released');
    const promoted = await call('POST', `${path}/actions/promote`, {
      body: { reason: 'looks good', full: true },
    });
    expect(promoted.status).toBe(200);
    await harness.settled();
    expect((await call('GET', path)).json().rollout).toMatchObject({
      phase: 'Succeeded',
      canaryWeight: 100,
    });
    const again = await call('POST', '/rollouts', { body: specNamed('released') });
    expect(again.status).toBe(409);
    expect(again.json().error).toContain('kanari apply --swap -f <file>');
    expect(again.json().error).toContain('kanari finalize sandbox/default/released --reason');
    const finalized = await call('POST', `${path}/actions/finalize`, {
      body: { reason: 'CD runs v2 on released' },
    });
    expect(finalized.status).toBe(200);
    await harness.settled();
    const after = (await call('GET', path)).json();
    expect(after.rollout).toMatchObject({ phase: 'Succeeded', canaryWeight: 0, revision: 1 });
    expect(after.ledger.entries.at(-1).description).toMatch(/^Finalized: primary 100% · canary 0%/);
    const twice = await call('POST', `${path}/actions/finalize`, { body: { reason: 'again' } });
    expect([twice.status, twice.json().phase]).toEqual([409, 'Succeeded']);
    // Now the same spec starts revision 2, and each entry says which revision it belongs to.
    const next = await call('POST', '/rollouts', { body: specNamed('released') });
    expect([next.status, next.json().rollout.revision]).toEqual([201, 2]);
    await harness.settled();
    const entries = (await call('GET', path)).json().ledger.entries as { revision: number }[];
    expect([...new Set(entries.map((e) => e.revision))]).toEqual([1, 2]);
  });

  it('pages the ledger with a line in plain language on each entry', async () => {
    const path = await start('paged');
    const first = (await call('GET', `${path}?limit=1`)).json();
    expect(first.plan).toEqual([10, 20, 30, 40, 50]);
    expect(first.ledger.entries.map((e: { description: string }) => e.description)).toEqual([
      'Started by alice ("rollout created") → first step at 10%',
    ]);
    const next = (
      await call('GET', `${path}?limit=1&cursor=${encodeURIComponent(first.ledger.cursor)}`)
    ).json();
    expect(next.ledger.entries.map((e: { description: string }) => e.description)).toEqual([
      'Applied: primary 90% · canary 10% → Progressing',
    ]);
    expect(next.ledger.cursor).toBeUndefined();
    expect((await call('GET', `${path}?limit=0`)).json().error).toBe(
      'limit: must be an integer from 1 to 1000',
    );
    // A cursor this API did not hand out, or another rollout's: 400, naming the cursor.
    const other = await start('paged-other');
    const otherCursor = (await call('GET', `${other}?limit=1`)).json().ledger.cursor;
    for (const cursor of ['abc', otherCursor]) {
      const refused = await call('GET', `${path}?cursor=${encodeURIComponent(cursor)}`);
      expect(refused.status).toBe(400);
      expect(refused.json().error).toBe(
        'invalid cursor: not a ledger page of sandbox/default/paged',
      );
    }
  });

  it('answers 400 naming the field for an oversized or hostile id, filter or spec, and stores nothing', async () => {
    const before = (await call('GET', '/rollouts')).json().rollouts.length;
    const cases: [string, () => ReturnType<typeof call>, RegExp][] = [
      [
        'an id over 2 KB',
        () => call('GET', `/rollouts/sandbox/default/${'a'.repeat(2100)}`),
        /^name: /,
      ],
      ['a cluster with a NUL', () => call('GET', '/rollouts/a%00b/default/x'), /^cluster: /],
      [
        'a 3,000-character ?cluster=',
        () => call('GET', `/rollouts?cluster=${'c'.repeat(3000)}`),
        /^cluster: /,
      ],
      ['a namespace with ../', () => call('GET', '/rollouts?namespace=..%2Fetc'), /^namespace: /],
      [
        'a 5,000-character cluster in a spec',
        () => call('POST', '/rollouts', { body: specNamed('huge', '10m', 'c'.repeat(5000)) }),
        /^invalid rollout spec$/,
      ],
    ];
    for (const [what, request, message] of cases) {
      const answer = await request();
      expect(answer.status, what).toBe(400);
      expect(answer.json().error, what).toMatch(message);
    }
    expect((await call('GET', '/rollouts')).json().rollouts).toHaveLength(before);
  });

  it('lists rollouts filtered by phase, cluster and namespace', async () => {
    await start('filtered');
    const ids = async (query: string) =>
      (await call('GET', `/rollouts${query}`)).json().rollouts.map((r: { id: string }) => r.id);
    expect(await ids('?phase=Progressing')).toContain('sandbox/default/filtered');
    expect(await ids('?phase=Succeeded')).not.toContain('sandbox/default/filtered');
    expect(await ids('?cluster=elsewhere')).toEqual([]);
    expect(await ids('?cluster=sandbox&namespace=default')).toContain('sandbox/default/filtered');
    const bad = await call('GET', '/rollouts?phase=Sleeping');
    expect([bad.status, bad.json().error]).toEqual([
      400,
      expect.stringMatching(/^phase: must be one of/),
    ]);
  });
});
