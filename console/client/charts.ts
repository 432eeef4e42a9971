import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { LedgerEntry } from '../../lib/domain/state.ts';
import { el } from './dom.ts';
import { formatInstant } from './format.ts';
import { metricSeries, weightTimeline } from './model.ts';

const COLOUR = {
  canary: '#d9730d',
  primary: '#57606a',
  fail: '#b42318',
  nodata: '#6e7781',
  plan: '#0b5cad',
  threshold: '#b42318',
};

const LABELS: Record<string, { label: string; unit: string }> = {
  'request-success-rate': { label: 'Success rate', unit: '%' },
  'request-duration': { label: 'p99 latency', unit: ' ms' },
};
const COMPARE_LABELS: Record<string, { label: string; unit: string }> = {
  'request-success-rate': { label: 'Errors (compare)', unit: '%' },
  'request-duration': { label: 'Slow requests (compare)', unit: '%' },
};

const round = (v: number): number => Math.round(v * 100) / 100;
const HEIGHT = 200;
/** The weight chart is taller: its plan lines are 10% apart and each has a label. */
const WEIGHT_HEIGHT = 260;

/** uPlot draws in the browser's zone; the axis says which. */
const zone = (): string => formatInstant(new Date().toISOString()).split(' ').at(-1) ?? '';

const timeAxis = (): uPlot.Axis => ({
  label: `time (${zone()})`,
  labelSize: 18,
  stroke: '#57606a',
  grid: { stroke: '#eaeef2' },
});

/** A dashed horizontal line across the plot at `value`, with `label` above its left end. */
const rule = (u: uPlot, value: number, label: string, colour: string, align: 'left' | 'right') => {
  const y = Math.round(u.valToPos(value, 'y', true));
  const { left, width } = u.bbox;
  const ctx = u.ctx;
  const px = devicePixelRatio || 1;
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.lineWidth = px;
  ctx.setLineDash([4 * px, 4 * px]);
  ctx.beginPath();
  ctx.moveTo(left, y);
  ctx.lineTo(left + width, y);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = colour;
  ctx.font = `${11 * px}px system-ui, sans-serif`;
  ctx.textAlign = align;
  ctx.fillText(label, align === 'left' ? left + 4 * px : left + width - 4 * px, y - 3 * px);
  ctx.restore();
};

const pointsOnly = (label: string, colour: string, fill: string, size: number): uPlot.Series => ({
  label,
  stroke: colour,
  fill,
  width: 0,
  paths: () => null,
  points: { show: true, size, stroke: colour, fill, width: 2 },
});

/** At least a minute across, so that two checks seconds apart get readable ticks. */
const timeRange: uPlot.Range.Function = (_u, min, max) => {
  const missing = Math.max(0, 60 - (max - min));
  return [min - missing / 2, max + missing / 2];
};

const widthOf = (container: HTMLElement): number =>
  Math.max(260, Math.floor(container.getBoundingClientRect().width || 320) - 2);

const charts: uPlot[] = [];
const observer =
  typeof ResizeObserver === 'undefined'
    ? undefined
    : new ResizeObserver(() => {
        for (const chart of charts) {
          const parent = chart.root.parentElement;
          if (parent) chart.setSize({ width: widthOf(parent), height: chart.height });
        }
      });

export const clearCharts = (container: HTMLElement): void => {
  for (const chart of charts.splice(0)) chart.destroy();
  observer?.disconnect();
  container.textContent = '';
};

const figure = (container: HTMLElement, caption: string, summary: string) => {
  const node = el('figure', 'chart');
  const plot = el('div', 'plot');
  const text = el('p', 'chart-summary', summary);
  const head = el('figcaption', null, caption);
  head.append(el('span', 'muted axis-zone', ` · time in ${zone()}`));
  node.append(head, plot, text);
  plot.setAttribute('role', 'img');
  plot.setAttribute('aria-label', summary);
  container.append(node);
  return plot;
};

const mount = (
  plot: HTMLElement,
  opts: Omit<uPlot.Options, 'width' | 'height'>,
  data: uPlot.AlignedData,
  height = HEIGHT,
) => {
  const chart = new uPlot({ ...opts, width: widthOf(plot), height }, data, plot);
  charts.push(chart);
  observer?.observe(plot);
};

/** Canary weight over time, stepped, with the plan's weights drawn as lines and each check as a point. */
const weightChart = (
  container: HTMLElement,
  rollout: { createdAt: string; canaryWeight: number; finishedAt?: string },
  plan: readonly number[],
  entries: readonly LedgerEntry[],
  now: number,
) => {
  const until = rollout.finishedAt ? Date.parse(rollout.finishedAt) : now;
  const line = weightTimeline(rollout, entries, until);
  const checks = entries.filter((e) => e.kind === 'check' && e.check);
  const xs = [...new Set([...line.t, ...checks.map((e) => Date.parse(e.at) / 1000)])].sort(
    (a, b) => a - b,
  );
  const weightAt = (t: number) => {
    let w = 0;
    line.t.forEach((at, i) => {
      if (at <= t) w = line.weight[i] ?? w;
    });
    return w;
  };
  const verdictAt = (t: number) =>
    checks.find((e) => Date.parse(e.at) / 1000 === t)?.check?.verdict;
  const weights = xs.map(weightAt);
  const on = (verdict: string) =>
    xs.map((t, i) => (verdictAt(t) === verdict ? (weights[i] ?? null) : null));
  const failed = checks.filter((e) => e.check?.verdict === 'fail').length;
  const summary = `Canary weight over time, now ${rollout.canaryWeight}%; plan ${plan.join(', ')} → 100; ${checks.length} checks, ${failed} failed.`;
  const plot = figure(container, 'Canary weight (%) and the step plan', summary);
  mount(
    plot,
    {
      scales: { x: { time: true, range: timeRange }, y: { range: [0, 105] } },
      axes: [
        timeAxis(),
        { label: 'canary %', labelSize: 18, stroke: '#57606a', grid: { stroke: '#eaeef2' } },
      ],
      series: [
        {},
        {
          label: 'canary weight',
          stroke: COLOUR.canary,
          width: 2,
          fill: 'rgba(217, 115, 13, 0.12)',
          paths: uPlot.paths.stepped?.({ align: 1 }),
          points: { show: false },
          value: (_u, v) => (v === null ? '–' : `${v}%`),
        },
        pointsOnly('passed check', COLOUR.canary, '#ffffff', 8),
        pointsOnly('failed check', COLOUR.fail, COLOUR.fail, 11),
        pointsOnly('no data / hold', COLOUR.nodata, '#eaeef2', 9),
      ],
      hooks: {
        draw: [
          (u) => {
            plan.forEach((w, i) => {
              rule(u, w, `step ${i + 1} · ${w}%`, COLOUR.plan, 'right');
            });
          },
        ],
      },
    },
    [xs, weights, on('pass'), on('fail'), on('inconclusive')],
    WEIGHT_HEIGHT,
  );
};

/** One metric across the checks: canary against primary over time, the threshold labelled. */
const metricChart = (container: HTMLElement, name: string, entries: readonly LedgerEntry[]) => {
  const series = metricSeries(entries, name);
  const info = (series.compare ? COMPARE_LABELS[name] : LABELS[name]) ?? {
    label: name,
    unit: series.compare ? '%' : '',
  };
  const values: number[] = [];
  for (const p of series.points) {
    if (p.canary !== null) values.push(p.canary);
    if (p.primary !== null) values.push(p.primary);
  }
  if (series.min !== undefined) values.push(series.min);
  if (series.max !== undefined) values.push(series.max);
  let lo = values.length ? Math.min(...values) : 0;
  let hi = values.length ? Math.max(...values) : 1;
  const pad = (hi - lo) * 0.15 || Math.abs(hi) * 0.05 || 1;
  lo -= pad;
  hi += pad;
  const floor = lo + pad * 0.3;
  const xs = series.points.map((p) => p.t);
  const failed = series.points.filter((p) => p.verdict === 'fail');
  const noData = series.points.filter((p) => p.noData);
  const last = series.points.at(-1);
  const threshold = [
    series.min !== undefined ? `at least ${series.min}${info.unit}` : '',
    series.max !== undefined ? `at most ${series.max}${info.unit}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  const summary =
    `${info.label} across ${series.points.length} checks: ${failed.length} failed, ${noData.length} no data.` +
    (last
      ? ` Latest: canary ${last.canary === null ? 'no data' : `${round(last.canary)}${info.unit}`}${
          last.primary !== null ? `, primary ${round(last.primary)}${info.unit}` : ''
        }.`
      : '') +
    (threshold ? ` Threshold ${threshold}.` : '');
  const plot = figure(
    container,
    `${info.label}${info.unit ? ` (${info.unit.trim()})` : ''}`,
    summary,
  );
  const fmt = (_u: uPlot, v: number | null) => (v === null ? '–' : `${round(v)}${info.unit}`);
  mount(
    plot,
    {
      scales: { x: { time: true, range: timeRange }, y: { range: [lo, hi] } },
      axes: [timeAxis(), { stroke: '#57606a', grid: { stroke: '#eaeef2' }, size: 56 }],
      series: [
        {},
        {
          label: 'canary',
          stroke: COLOUR.canary,
          width: 2.5,
          value: fmt,
          points: { show: true, size: 6 },
        },
        { label: 'primary', stroke: COLOUR.primary, width: 2, dash: [6, 4], value: fmt },
        { ...pointsOnly('failed check', COLOUR.fail, COLOUR.fail, 12), value: fmt },
        {
          ...pointsOnly('no data', COLOUR.nodata, '#ffffff', 10),
          value: (_u, v) => (v === null ? '–' : 'no data'),
        },
      ],
      hooks: {
        draw: [
          (u) => {
            if (series.min !== undefined)
              rule(
                u,
                series.min,
                `threshold ≥ ${series.min}${info.unit}`,
                COLOUR.threshold,
                'left',
              );
            if (series.max !== undefined)
              rule(
                u,
                series.max,
                `threshold ≤ ${series.max}${info.unit}`,
                COLOUR.threshold,
                'left',
              );
          },
        ],
      },
    },
    [
      xs,
      series.points.map((p) => p.canary),
      series.points.map((p) => p.primary),
      series.points.map((p) => (p.verdict === 'fail' ? p.canary : null)),
      series.points.map((p) => (p.noData ? floor : null)),
    ],
  );
};

export const renderCharts = (
  container: HTMLElement,
  rollout: { createdAt: string; canaryWeight: number; finishedAt?: string },
  plan: readonly number[],
  entries: readonly LedgerEntry[],
  names: readonly string[],
  now: number,
): void => {
  clearCharts(container);
  weightChart(container, rollout, plan, entries, now);
  if (names.length === 0) {
    container.append(el('p', 'muted', 'No checks yet.'));
    return;
  }
  for (const name of names) metricChart(container, name, entries);
};
