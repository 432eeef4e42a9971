import { buildCli } from '../../scripts/build-cli.ts';

/** Tests run the built `kanari` (dist/cli), as users do: build it once per run. */
export default async function setup(): Promise<void> {
  await buildCli();
}
