import fc from 'fast-check';

/**
 * fast-check arbitraries for hostile HTTP input: strings that break names and keys, values that
 * break schemas, and mutations of a valid JSON document. Shared by the HTTP fuzz tests.
 */

/** Strings that have broken parsers, routers, keys and logs before. */
export const hostileString = fc.constantFrom(
  '',
  ' ',
  '.',
  '..',
  '../..',
  '%00',
  '\u0000',
  '%2F',
  '%2e%2e',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  '\n',
  '\r\n',
  '\t',
  '\u007f',
  '\u202e',
  '\ud800',
  '\udfff',
  '\ufeff',
  'Ω',
  '😀',
  'a b',
  'A',
  '-a',
  'a-',
  'a/b',
  'a%2Fb',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log-injection probe, meant literally
  '${jndi:ldap://x}',
  "'; DROP TABLE x; --",
  '<script>alert(1)</script>',
  '*',
  '?',
  '#',
  '%',
  '%zz',
  'null',
  'undefined',
  'NaN',
);

/** One character repeated up to 5,000 times: over every length limit. */
export const hugeString = fc
  .record({
    char: fc.constantFrom('a', '-', '.', 'é', '😀', '\u0000', '%', ' '),
    length: fc.integer({ min: 64, max: 5000 }),
  })
  .map(({ char, length }) => char.repeat(length));

export const junkString = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: hugeString },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
);

/** A value that `withRaw` writes into the JSON text as is (numbers JSON cannot round-trip). */
const RAW = '\u0000raw:';
const raw = (text: string): string => `${RAW}${text}`;

/** JSON text of `value`, with every `raw(...)` string replaced by its text. */
export const withRaw = (value: unknown): string =>
  (JSON.stringify(value) ?? 'null').replace(/"\\u0000raw:([^"]*)"/g, '$1');

const nested = fc
  .record({ depth: fc.integer({ min: 100, max: 5000 }), object: fc.boolean() })
  .map(({ depth, object }) =>
    raw(
      object
        ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
        : `${'['.repeat(depth)}${']'.repeat(depth)}`,
    ),
  );

const longArray = fc
  .record({
    length: fc.integer({ min: 100, max: 2000 }),
    item: fc.constantFrom<unknown>(
      10,
      'x',
      null,
      { name: 'request-success-rate', thresholdRange: { min: 99 } },
      { labels: { service: 'my-service' }, action: 'rollback' },
    ),
  })
  .map(({ length, item }) => Array.from({ length }, () => item));

/** A duration of any size, `0ms` to 25 digits of hours: past what a Date can hold. */
export const anyDuration = fc
  .tuple(
    fc.oneof(fc.nat({ max: 1000 }), fc.bigInt({ min: 0n, max: 10n ** 25n })),
    fc.constantFrom('ms', 's', 'm', 'h'),
  )
  .map(([count, unit]) => `${count}${unit}`);

/** A JSON value that a schema should refuse, or accept only within its limits. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  junkString,
  fc.constantFrom<unknown>(
    2 ** 53,
    2 ** 53 + 2,
    -(2 ** 53) - 2,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    0,
    -1,
    0.5,
    1e21,
    100,
    101,
    null,
    true,
    false,
    {},
    [],
    'NaN',
    'Infinity',
    '-Infinity',
    '1e400',
    '0x10',
    '10%',
    '0s',
    '1m',
    '-1m',
    '10m',
    '999999999h',
    '1.5m',
    'P1D',
  ),
  fc
    .constantFrom(
      '1e400',
      '-1e400',
      '123456789012345678901234567890',
      '9007199254740993',
      '-0',
      '1E-400',
    )
    .map(raw),
  anyDuration,
  nested,
  longArray,
);

type Path = (string | number)[];

/** Every path to a value inside `value` (objects and arrays), the root excluded. */
export const pathsOf = (value: unknown, prefix: Path = []): Path[] => {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    return [path, ...pathsOf(child, path)];
  });
};

const valueAt = (document: unknown, path: Path): unknown =>
  path.reduce<unknown>(
    (value, key) => (value as Record<string | number, unknown>)?.[key],
    document,
  );

/**
 * A value of the same type as `value`, anywhere in that type's range: past the limits a
 * schema's type check lets through (huge durations and numbers, long arrays, odd strings).
 */
const neighbourOf = (value: unknown): fc.Arbitrary<unknown> => {
  if (typeof value === 'number')
    return fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constantFrom(0, -1, 1, 99, 100, 101, 2 ** 53 - 1, 2 ** 53 + 2, 1e308, -1e308),
    );
  if (typeof value === 'boolean') return fc.boolean();
  if (typeof value === 'string')
    return /^\d+(ms|s|m|h)$/.test(value) ? anyDuration : fc.oneof(junkString, fc.string());
  if (Array.isArray(value))
    return fc
      .integer({ min: 0, max: 2000 })
      .map((length) => Array.from({ length }, () => value[0] ?? null));
  return fc.constant({});
};

type Mutation =
  | { kind: 'set'; path: Path; value: unknown }
  | { kind: 'delete'; path: Path }
  | { kind: 'add'; path: Path; key: string; value: unknown };

const own = (target: object, key: string | number, value: unknown) =>
  // defineProperty, so that `__proto__` becomes an own key as JSON.parse would make it.
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });

const apply = (document: unknown, mutation: Mutation): void => {
  let parent = document as Record<string | number, unknown>;
  const keys = mutation.path.slice(0, -1);
  for (const key of keys) {
    const next = parent[key];
    if (typeof next !== 'object' || next === null) return;
    parent = next as Record<string | number, unknown>;
  }
  const last = mutation.path.at(-1) as string | number;
  if (!Object.hasOwn(parent, last)) return;
  // Copies, so that no later mutation reaches a value shared with `valid` or another run.
  if (mutation.kind === 'set') own(parent, last, structuredClone(mutation.value));
  else if (mutation.kind === 'delete') delete parent[last];
  else {
    const target = parent[last];
    if (typeof target === 'object' && target !== null)
      own(target, mutation.key, structuredClone(mutation.value));
  }
};

/**
 * JSON text of `valid` (or of one drawn from `variants`, documents of the same shape) with up
 * to three fields replaced by junk, deleted, or given an unknown sibling; sometimes unchanged,
 * so valid requests are fuzzed too.
 */
export const mutatedJson = (
  valid: unknown,
  variants: fc.Arbitrary<unknown> = fc.constant(valid),
): fc.Arbitrary<string> => {
  const paths = pathsOf(valid);
  const path = fc.constantFrom(...paths);
  const neighbour = path.chain((at) =>
    neighbourOf(valueAt(valid, at)).map((value) => ({ kind: 'set' as const, path: at, value })),
  );
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('set'), path, value: junkValue }) },
    { weight: 3, arbitrary: neighbour },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete'), path }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('add'),
        path,
        key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'extra'), junkString),
        value: junkValue,
      }),
    },
  );
  return fc.tuple(variants, fc.array(mutation, { maxLength: 3 })).map(([variant, mutations]) => {
    const document = structuredClone(variant);
    for (const m of mutations) apply(document, m);
    return withRaw(document);
  });
};

/** Text that is not JSON, or only nearly. */
export const invalidJson = (valid: string): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.integer({ min: 0, max: valid.length - 1 }).map((end) => valid.slice(0, end)),
    fc.constantFrom(
      '',
      '{',
      '[',
      '{"reason":',
      'NaN',
      'undefined',
      "{'reason':'x'}",
      '\ufeff{}',
      '{"a":1}garbage',
      '{"a":1,}',
      '{"a":"\\ud800"}',
      '{"a":"\\x00"}',
    ),
  );

/** How a body reaches the handler: as text, base64 of its text, or base64 of random bytes. */
export type BodyEncoding = 'text' | 'base64' | 'bytes' | 'not-base64';

/** The body as API Gateway hands it over, and the bytes a signature covers. */
export const encodeBody = (
  text: string,
  encoding: BodyEncoding,
  bytes: Uint8Array,
): { body: string; isBase64Encoded: boolean; raw: Buffer } => {
  if (encoding === 'text') return { body: text, isBase64Encoded: false, raw: Buffer.from(text) };
  if (encoding === 'base64') {
    const body = Buffer.from(text).toString('base64');
    return { body, isBase64Encoded: true, raw: Buffer.from(body, 'base64') };
  }
  if (encoding === 'bytes') {
    const body = Buffer.from(bytes).toString('base64');
    return { body, isBase64Encoded: true, raw: Buffer.from(bytes) };
  }
  return { body: text, isBase64Encoded: true, raw: Buffer.from(text, 'base64') };
};

export const bodyEncoding = fc.constantFrom<BodyEncoding>(
  'text',
  'text',
  'text',
  'base64',
  'bytes',
  'not-base64',
);
