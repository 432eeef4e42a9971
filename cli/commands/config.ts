import type { Command } from 'commander';
import {
  type ConfigContext,
  checkUrl,
  configPath,
  findContext,
  readConfigFile,
  writeConfigFile,
} from '../config.ts';
import type { CliContext } from '../context.ts';
import { CliError, EXIT, UsageError } from '../errors.ts';
import { type Format, withOutput } from '../options.ts';
import { render, table } from '../render.ts';
import { readStdin } from './specs.ts';

type FileOption = { config?: string };

const withFile = (command: Command): Command =>
  command.option(
    '--config <file>',
    'config file (env KANARI_CONFIG; default ~/.config/kanari/config.yaml)',
  );

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]*$/;

/** A context as printed: never its token, only whether it has one. */
const shown = (context: ConfigContext, current: string | undefined) => ({
  name: context.name,
  current: context.name === current,
  ...(context.url ? { url: context.url } : {}),
  ...(context.cluster ? { cluster: context.cluster } : {}),
  ...(context.namespace ? { namespace: context.namespace } : {}),
  token: context.token ? 'set' : 'none',
});

/**
 * `kanari config set-context|use-context|get-contexts|current-context`: named defaults (API
 * endpoint, cluster, namespace) in the config file, like kubectl's.
 */
export const configCommands = (program: Command, ctx: CliContext): void => {
  const config = program
    .command('config')
    .description('contexts: the API endpoint, cluster and namespace a bare rollout name uses');

  // A config file that does not exist yet is empty here, even when named: set-context makes it.
  const load = async (options: FileOption) => {
    const path = configPath(options, ctx.env);
    return { path, file: await readConfigFile(path, false) };
  };

  withFile(
    config
      .command('set-context')
      .description('create or change a context; only the options given change')
      .argument('<name>', 'the context name')
      .option('--url <url>', 'API endpoint')
      .option('--cluster <cluster>', 'the cluster a bare rollout name is in')
      .option('--namespace <namespace>', "the namespace a bare rollout name is in (else 'default')")
      .option(
        '--token-stdin',
        'read the bearer token from stdin (it is stored in the file, readable by you only, and never printed)',
      )
      .option('--current', 'also make it the current context'),
  ).action(
    async (
      name: string,
      options: FileOption & {
        url?: string;
        cluster?: string;
        namespace?: string;
        tokenStdin?: boolean;
        current?: boolean;
      },
    ) => {
      if (!NAME.test(name))
        throw new UsageError(`context name "${name}": letters, digits and . _ @ - only`);
      if (options.url) checkUrl(options.url, '--url');
      const token = options.tokenStdin ? (await readStdin()).trim() : undefined;
      if (options.tokenStdin && !token) throw new UsageError('--token-stdin: stdin was empty');
      const { path, file } = await load(options);
      const contexts = [...(file.contexts ?? [])];
      const at = contexts.findIndex((c) => c.name === name);
      const before: ConfigContext = contexts[at] ?? { name };
      const after: ConfigContext = {
        ...before,
        ...(options.url ? { url: options.url } : {}),
        ...(options.cluster ? { cluster: options.cluster } : {}),
        ...(options.namespace ? { namespace: options.namespace } : {}),
        ...(token ? { token } : {}),
      };
      if (at >= 0) contexts[at] = after;
      else contexts.push(after);
      const current = options.current || !file['current-context'] ? name : file['current-context'];
      await writeConfigFile(path, { ...file, 'current-context': current, contexts });
      ctx.out(
        `Context "${name}" ${at >= 0 ? 'modified' : 'created'}${current === name ? ' (current)' : ''}.\n`,
      );
    },
  );

  withFile(
    config
      .command('use-context')
      .description('make a context the current one')
      .argument('<name>', 'the context name'),
  ).action(async (name: string, options: FileOption) => {
    const { path, file } = await load(options);
    findContext(file, name, path);
    await writeConfigFile(path, { ...file, 'current-context': name });
    ctx.out(`Switched to context "${name}".\n`);
  });

  withFile(
    withOutput(
      config.command('get-contexts').description('list the contexts; * marks the current one'),
    ),
  ).action(async (options: FileOption & { output: Format }) => {
    const { file } = await load(options);
    const current = file['current-context'];
    const contexts = (file.contexts ?? []).map((c) => shown(c, current));
    ctx.out(
      render(options.output, contexts, () =>
        contexts.length === 0
          ? 'No contexts; create one with kanari config set-context NAME --url URL --cluster CLUSTER\n'
          : table([
              ['CURRENT', 'NAME', 'URL', 'CLUSTER', 'NAMESPACE', 'TOKEN'],
              ...contexts.map((c) => [
                c.current ? '*' : '',
                c.name,
                c.url ?? '-',
                c.cluster ?? '-',
                c.namespace ?? 'default',
                c.token,
              ]),
            ]),
      ),
    );
  });

  withFile(config.command('current-context').description('print the current context')).action(
    async (options: FileOption) => {
      const { path, file } = await load(options);
      const current = file['current-context'];
      if (!current) throw new CliError(`no current context in ${path}`, EXIT.notFound);
      ctx.out(`${current}\n`);
    },
  );
};
