import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { VirtualService } from '../../lib/domain/virtual-service.ts';

const run = promisify(execFile);

/**
 * Reads a VirtualService with the real kubectl, through the emulator's kubeconfig. Async on
 * purpose: the emulator may be serving from this very process.
 */
export const kubectlGetVirtualService = async (
  kubeconfig: string,
  name = 'my-service',
  namespace = 'default',
): Promise<VirtualService> => {
  const { stdout } = await run(
    'kubectl',
    ['--kubeconfig', kubeconfig, '-n', namespace, 'get', 'virtualservice', name, '-o', 'json'],
    { timeout: 20_000 },
  );
  return JSON.parse(stdout) as VirtualService;
};

/** `kubectl patch virtualservice --type=json`, as an operator would edit the weights by hand. */
export const kubectlPatchVirtualService = async (
  kubeconfig: string,
  ops: unknown[],
  name = 'my-service',
  namespace = 'default',
): Promise<string> => {
  const { stdout } = await run(
    'kubectl',
    [
      '--kubeconfig',
      kubeconfig,
      '-n',
      namespace,
      'patch',
      'virtualservice',
      name,
      '--type=json',
      '-p',
      JSON.stringify(ops),
    ],
    { timeout: 20_000 },
  );
  return stdout.trim();
};
