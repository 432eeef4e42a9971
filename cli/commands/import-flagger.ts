import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseAllDocuments, stringify } from 'yaml';
import type { FlaggerImport } from '../../lib/domain/flagger-import.ts';
import type { FlaggerDocuments } from '../../lib/schemas/flagger-canary.ts';
import type { CliContext } from '../context.ts';
import { CliError } from '../errors.ts';
import { type Format, withOutput } from '../options.ts';
import { render, table } from '../render.ts';

const readDocuments = async (file: string): Promise<unknown[]> => {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const documents = parseAllDocuments(text);
  const docs = Array.isArray(documents) ? documents : [documents];
  const broken = docs.flatMap((doc) => doc.errors);
  if (broken.length > 0) throw new CliError(`${file} is not valid YAML: ${broken[0]?.message}`);
  return docs.map((doc) => doc.toJS());
};

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The objects the import read past: other kinds, and MetricTemplates no Canary uses. */
const skippedOf = (found: FlaggerDocuments, imports: readonly FlaggerImport[]): string[] => [
  ...found.skipped.map(({ kind, name }) => `${kind} ${name}`),
  ...found.templates
    .filter((template) => !imports.some((done) => done.templatesUsed.includes(template)))
    .map((template) => `MetricTemplate ${template.metadata.name} (no Canary uses it)`),
];

/** The YAML a user saves: what was skipped and not translated as comments, then the spec(s). */
const yamlOf = (file: string, skipped: string[], imports: readonly FlaggerImport[]): string => {
  const head = skipped.length > 0 ? `# Skipped in ${file}: ${skipped.join(', ')}\n` : '';
  return (
    head +
    imports
      .map(({ spec, untranslated }) => {
        const from = imports.length > 1 ? `${file} (canary ${spec.name})` : file;
        const notes =
          untranslated.length > 0
            ? `# Not translated from ${from}:\n${untranslated.map((item) => `# - ${item}`).join('\n')}\n`
            : '';
        return `${notes}${stringify(spec, { lineWidth: 0 })}`;
      })
      .join('---\n')
  );
};

const tableOf = (imports: readonly FlaggerImport[]): string =>
  imports
    .map(({ spec }) =>
      table([
        ['ROLLOUT', `${spec.target.cluster}/${spec.target.namespace}/${spec.name}`],
        ['VIRTUALSERVICE', spec.target.virtualService],
        ['PRIMARY', spec.target.primary.host],
        ['CANARY', spec.target.canary.host],
        ['METRICS', spec.analysis.metrics.map((m) => m.name).join(', ')],
      ]),
    )
    .join('\n');

/**
 * `kanari import-flagger canary.yaml`: prints a kanari rollout spec per Flagger Canary (YAML
 * unless -o says otherwise) and lists on stderr, and in YAML as comments, what was skipped and
 * what was not translated.
 */
export const importFlaggerCommand = (program: Command, ctx: CliContext): void => {
  withOutput(
    program
      .command('import-flagger')
      .description(
        "translate a Flagger Canary's service and analysis into a kanari rollout spec, listing what cannot be translated",
      )
      .argument(
        '<canary>',
        'YAML holding Flagger Canaries (and MetricTemplates; other kinds are skipped)',
      )
      .option(
        '--template <file>',
        'MetricTemplate YAML for templated metrics (repeatable)',
        collect,
      )
      .option('--cluster <name>', 'kanari cluster name (a kubeconfig context)', 'default'),
    'yaml',
  ).action(
    async (file: string, options: { template?: string[]; cluster: string; output: Format }) => {
      // Loaded when the command runs, so that other commands start without them.
      const [{ importFlaggerCanary }, { parseFlaggerDocuments }, { parseRolloutSpec }] =
        await Promise.all([
          import('../../lib/domain/flagger-import.ts'),
          import('../../lib/schemas/flagger-canary.ts'),
          import('../../lib/schemas/rollout-spec.ts'),
        ]);
      const documents = await readDocuments(file);
      for (const template of options.template ?? [])
        documents.push(...(await readDocuments(template)));
      const found = parseFlaggerDocuments(documents);
      if (found.problems.length > 0)
        throw new CliError(`not a valid Flagger Canary:\n  ${found.problems.join('\n  ')}`);
      if (found.canaries.length === 0) {
        const skipped = found.skipped.map(({ kind, name }) => `${kind} ${name}`).join(', ');
        throw new CliError(
          `${file} holds no Flagger Canary${skipped ? ` (skipped: ${skipped})` : ''}`,
        );
      }
      const imports = found.canaries.map((canary) =>
        importFlaggerCanary(canary, { cluster: options.cluster, templates: found.templates }),
      );
      const problems = imports.flatMap((done) => done.problems);
      if (problems.length > 0) throw new CliError(problems.join('\n'));

      const skipped = skippedOf(found, imports);
      const specs = imports.map((done) => done.spec);
      ctx.out(
        options.output === 'yaml'
          ? yamlOf(file, skipped, imports)
          : render(options.output, specs.length === 1 ? specs[0] : specs, () => tableOf(imports)),
      );
      if (skipped.length > 0)
        ctx.err(
          `Skipped (import-flagger reads Canaries and MetricTemplates): ${skipped.join(', ')}\n`,
        );
      for (const { spec, untranslated } of imports) {
        if (untranslated.length === 0) continue;
        const title =
          imports.length > 1 ? `Not translated from canary ${spec.name}:` : 'Not translated:';
        ctx.err(`${title}\n${untranslated.map((item) => `  - ${item}`).join('\n')}\n`);
      }
      for (const spec of specs) {
        const checked = parseRolloutSpec(spec);
        if (!checked.ok) {
          throw new CliError(
            `the spec translated from canary ${spec.name} is not valid yet; fix these before applying:\n${checked.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
          );
        }
      }
    },
  );
};
