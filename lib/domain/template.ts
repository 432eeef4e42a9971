/** Variables a metric query template may use. */
export interface TemplateVariables {
  namespace: string;
  target: string;
  interval: string;
}

export const TEMPLATE_VARIABLES: readonly (keyof TemplateVariables)[] = [
  'namespace',
  'target',
  'interval',
];
const PLACEHOLDER = /\{\{\s*([\w.]+)\s*\}\}/g;

/** Placeholder names in a template that kanari does not know, e.g. `["workload"]`. */
export const unknownPlaceholders = (template: string): string[] =>
  [...template.matchAll(PLACEHOLDER)]
    .map((match) => match[1] as string)
    .filter((name) => !(TEMPLATE_VARIABLES as readonly string[]).includes(name));

/** Renders `{{ namespace }}`, `{{ target }}` and `{{ interval }}` into a query. */
export const renderTemplate = (template: string, variables: TemplateVariables): string =>
  template.replace(PLACEHOLDER, (whole, name: string) =>
    name in variables ? variables[name as keyof TemplateVariables] : whole,
  );
