import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type KubeEmulator, startKubeEmulator } from '../../sandbox/kube-emulator/index.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));

/** Every Istio networking object in examples/, with the file it came from. */
const istioObjects = (): { file: string; object: Record<string, unknown> }[] =>
  readdirSync(EXAMPLES, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(EXAMPLES, file), 'utf8')).map((doc) => ({
        file,
        object: doc.toJS() as Record<string, unknown>,
      })),
    )
    .filter(({ object }) => String(object?.apiVersion ?? '').startsWith('networking.istio.io/'));

describe("examples/ against Istio's schemas", () => {
  let emulator: KubeEmulator;
  beforeAll(async () => {
    emulator = await startKubeEmulator();
  });
  afterAll(async () => {
    await emulator?.stop();
  });

  it('ships Istio objects for the host-level and subset-level examples', () => {
    const kinds = istioObjects().map(({ file, object }) => `${file.split('/')[0]}:${object.kind}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'host-level:VirtualService',
        'subset-level:VirtualService',
        'subset-level:DestinationRule',
      ]),
    );
  });

  it('every VirtualService and DestinationRule is accepted with unknown fields refused', () => {
    // seed() validates like a create with fieldValidation=Strict: a field Istio does not know fails.
    for (const { file, object } of istioObjects()) {
      expect(() => emulator.seed(object), file).not.toThrow();
    }
  });

  it('the same check refuses an example spoiled with a field Istio does not know', () => {
    const [first] = istioObjects();
    const spoiled = structuredClone(first?.object ?? {});
    (spoiled.spec as Record<string, unknown>).weightz = 1;
    expect(() => emulator.seed(spoiled)).toThrow(/weightz/);
  });
});
