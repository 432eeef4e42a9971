import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** ../shared beside the checkout, when there is one: an extra cross-check, never a need. */
export const SHARED = fileURLToPath(new URL('../../../shared', import.meta.url));

/** ../shared/<sub> when present (an extra cross-check only); otherwise says so in one line. */
export const optionalShared = (sub: string, what: string): string | undefined => {
  const path = `${SHARED}/${sub}`;
  if (existsSync(path)) return path;
  console.info(`${what}: ../shared/${sub} is absent; the cross-check against it did not run`);
  return undefined;
};
