import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';
import { seedVirtualService } from '../support/fixtures.ts';
import { optionalShared } from '../support/shared-files.ts';

/**
 * The built-in Istio types (schemas from @kubernetes-models/istio) on valid and invalid
 * objects, and, when ../shared/istio holds Istio's own CRDs, the same cases through an emulator
 * started with them: both must accept and refuse alike, naming the same fields.
 */

// biome-ignore lint/suspicious/noExplicitAny: objects are edited field by field.
type Json = any;

/** What seed() (a create under fieldValidation=Strict) did with an object. */
type Outcome =
  | { accepted: true; stored: Json }
  | { accepted: false; code: number; fields: string[] };

interface Case {
  name: string;
  object: Json;
  /** `accepted`, or the fields named by the refusal (422 causes or 400 unknown fields). */
  expected: 'accepted' | { code: 400 | 422; fields: string[] };
  /** For accepted cases: the stored spec, when pruning changed it. */
  storedSpec?: Json;
}

const vs = (version = 'v1', edit: (spec: Json) => void = () => {}): Json => {
  const object: Json = { ...seedVirtualService(), apiVersion: `networking.istio.io/${version}` };
  object.metadata = { name: 'checked', namespace: 'default' };
  edit(object.spec);
  return object;
};

const dr = (edit: (spec: Json) => void = () => {}): Json => {
  const spec: Json = {
    host: 'my-service',
    trafficPolicy: { connectionPool: { tcp: { maxConnections: 100 } } },
    subsets: [
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
    ],
  };
  edit(spec);
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'checked', namespace: 'default' },
    spec,
  };
};

const CASES: Case[] = [
  { name: 'the seed VirtualService, v1alpha3', object: vs('v1alpha3'), expected: 'accepted' },
  {
    name: 'header rewrites (string maps), retries and a timeout',
    object: vs('v1', (s) => {
      s.http[0].headers = { request: { set: { 'x-canary': 'yes' } } };
      s.http[0].retries = { attempts: 3, perTryTimeout: '2s' };
      s.http[0].timeout = '5s';
    }),
    expected: 'accepted',
  },
  {
    name: 'a status the CRD leaves free-form',
    object: { ...vs(), status: { observedGeneration: 1, anything: { goes: true } } },
    expected: 'accepted',
  },
  {
    name: 'null where the schema has no null (pruned, not refused)',
    object: vs('v1', (s) => {
      s.gateways = null;
    }),
    expected: 'accepted',
    storedSpec: vs().spec,
  },
  {
    name: 'a weight that is a string',
    object: vs('v1', (s) => {
      s.http[0].route[0].weight = '50';
    }),
    expected: { code: 422, fields: ['spec.http[0].route[0].weight'] },
  },
  {
    name: 'the same through v1beta1',
    object: vs('v1beta1', (s) => {
      s.http[1].route[1].weight = true;
    }),
    expected: { code: 422, fields: ['spec.http[1].route[1].weight'] },
  },
  {
    name: 'a destination without its host',
    object: vs('v1', (s) => {
      delete s.http[1].route[0].destination.host;
    }),
    expected: { code: 422, fields: ['spec.http[1].route[0].destination.host'] },
  },
  {
    name: 'hosts as a string, a port number as a string',
    object: vs('v1', (s) => {
      s.hosts = 'my-service';
      s.http[0].route[0].destination.port.number = 'eighty';
    }),
    expected: {
      code: 422,
      fields: ['spec.hosts', 'spec.http[0].route[0].destination.port.number'],
    },
  },
  {
    name: 'a uri match with both exact and prefix',
    object: vs('v1', (s) => {
      s.http[1].match[0].uri = { exact: '/v2', prefix: '/v2' };
    }),
    expected: { code: 422, fields: ['spec.http[1].match[0].uri'] },
  },
  {
    name: 'unknown fields, at the top of spec and deep in a route',
    object: vs('v1', (s) => {
      s.bogus = 1;
      s.http[0].route[1].destination.subsetName = 'v2';
    }),
    expected: { code: 400, fields: ['spec.http[0].route[1].destination.subsetName', 'spec.bogus'] },
  },
  {
    name: 'an unknown top-level field',
    object: { ...vs(), extra: {} },
    expected: { code: 400, fields: ['extra'] },
  },
  { name: 'a DestinationRule with subsets', object: dr(), expected: 'accepted' },
  {
    name: 'a subset without a name, a label that is a number',
    object: dr((s) => {
      delete s.subsets[0].name;
      s.subsets[1].labels.version = 2;
    }),
    expected: { code: 422, fields: ['spec.subsets[0].name', 'spec.subsets[1].labels.version'] },
  },
  {
    name: 'an unknown field in a traffic policy',
    object: dr((s) => {
      s.trafficPolicy.connectionPool.tcp.maxConnection = 1;
    }),
    expected: { code: 400, fields: ['spec.trafficPolicy.connectionPool.tcp.maxConnection'] },
  },
];

function outcome(emu: KubeEmulator, object: Json): Outcome {
  try {
    emu.seed(object);
  } catch (error) {
    const status = (error as { status?: Json }).status;
    if (!status) throw error;
    const fields =
      status.code === 400
        ? [...String(status.message).matchAll(/unknown field "([^"]+)"/g)].map((m) => m[1])
        : status.details.causes.map((c: Json) => c.field);
    return { accepted: false, code: status.code, fields };
  }
  return {
    accepted: true,
    stored: emu.read(object.apiVersion, object.kind, 'default', object.metadata.name),
  };
}

const istioCrds = optionalShared('istio', "Istio's CRDs");
let builtIn: KubeEmulator;
let fromCrds: KubeEmulator | undefined;

beforeAll(async () => {
  builtIn = await startKubeEmulator();
  if (istioCrds) fromCrds = await startKubeEmulator({ crdDir: istioCrds });
});

afterAll(async () => {
  await builtIn?.stop();
  await fromCrds?.stop();
});

describe("Istio's schemas, built in", () => {
  it.each(CASES)('$name', ({ object, expected, storedSpec }) => {
    const got = outcome(builtIn, object);
    if (expected === 'accepted') {
      expect(got).toMatchObject({ accepted: true });
      const stored = (got as { stored: Json }).stored;
      expect(stored.spec).toEqual(storedSpec ?? object.spec);
      if (object.status) expect(stored.status).toEqual(object.status);
    } else {
      expect(got).toEqual({ accepted: false, code: expected.code, fields: expected.fields });
    }
    if (fromCrds) {
      const crd = outcome(fromCrds, object);
      if (crd.accepted && got.accepted) {
        const { metadata: _a, ...a } = crd.stored;
        const { metadata: _b, ...b } = got.stored;
        expect(b, "the built-in types store what Istio's CRDs store").toEqual(a);
      } else {
        expect(got, "the built-in types refuse as Istio's CRDs do").toEqual(crd);
      }
    }
  });
});
