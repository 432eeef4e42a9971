/** The element with this id; the page is ours, so a missing one is a bug worth a loud error. */
export const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`console page has no #${id}`);
  return node as T;
};

/** A new element with text set as text: data is never parsed as HTML. */
export const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string | null,
  text?: string | number | null,
): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
};

export const timeEl = (iso: string, text: string): HTMLTimeElement => {
  const node = el('time', null, text);
  node.dateTime = iso;
  node.title = iso;
  return node;
};
