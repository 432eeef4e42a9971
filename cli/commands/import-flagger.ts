import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseAllDocuments, stringify } from 'yaml';
import {
  type FlaggerCanary,
  type FlaggerMetricTemplate,
  importFlaggerCanary,
} from '../../lib/domain/flagger-import.ts';
import { parseFlaggerDocuments } from '../../lib/schemas/flagger-canary.ts';
import { parseRolloutSpec } from '../../lib/schemas/rollout-spec.ts';
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

/**
 * `kanari import-flagger canary.yaml`: prints a kanari rollout spec (YAML unless -o says
 * otherwise) and lists on stderr, and in YAML as comments, what was not translated.
 */
export const importFlaggerCommand = (program: Command, ctx: CliContext): void => {
  withOutput(
    program
      .command('import-flagger')
      .description(
        "translate a Flagger Canary's service and analysis into a kanari rollout spec, listing what cannot be translated",
      )
      .argument('<canary>', 'Flagger Canary YAML (it may also hold MetricTemplates)')
      .option(
        '--template <file>',
        'MetricTemplate YAML for templated metrics (repeatable)',
        collect,
      )
      .option('--cluster <name>', 'kanari cluster name (a kubeconfig context)', 'default'),
    'yaml',
  ).action(
    async (file: string, options: { template?: string[]; cluster: string; output: Format }) => {
      const documents = await readDocuments(file);
      for (const template of options.template ?? [])
        documents.push(...(await readDocuments(template)));
      const found = parseFlaggerDocuments(documents);
      if (found.problems.length > 0)
        throw new CliError(`not a Flagger Canary:\n  ${found.problems.join('\n  ')}`);
      if (found.canaries.length !== 1) {
        throw new CliError(
          `${file} holds ${found.canaries.length} Canaries; import-flagger translates exactly one`,
        );
      }
      const templates: FlaggerMetricTemplate[] = found.templates;
      const { spec, untranslated } = importFlaggerCanary(found.canaries[0] as FlaggerCanary, {
        cluster: options.cluster,
        templates,
      });
      const notes = untranslated.map((item) => `  - ${item}`).join('\n');
      ctx.out(
        options.output === 'yaml'
          ? `${untranslated.length > 0 ? `# Not translated from ${file}:\n${untranslated.map((item) => `# - ${item}`).join('\n')}\n` : ''}${stringify(spec)}`
          : render(options.output, spec, () =>
              table([
                ['ROLLOUT', `${spec.target.cluster}/${spec.target.namespace}/${spec.name}`],
                ['VIRTUALSERVICE', spec.target.virtualService],
                ['PRIMARY', spec.target.primary.host],
                ['CANARY', spec.target.canary.host],
                ['METRICS', spec.analysis.metrics.map((m) => m.name).join(', ') || '(none)'],
              ]),
            ),
      );
      if (untranslated.length > 0) ctx.err(`Not translated:\n${notes}\n`);
      const checked = parseRolloutSpec(spec);
      if (!checked.ok) {
        throw new CliError(
          `the translated spec is not valid yet; fix these before applying:\n${checked.problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
        );
      }
    },
  );
};
