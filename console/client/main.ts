/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import './app.css';
import { PHASES } from '../../lib/domain/phase.ts';
import type { RevisionSummary } from '../../lib/domain/revisions.ts';
import type { RolloutState } from '../../lib/domain/state.ts';
import {
  ApiError,
  api,
  hasToken,
  rolloutPath,
  setToken,
  takeTokenFromFragment,
  whenUnauthorized,
} from './api.ts';
import { clearCharts, renderCharts } from './charts.ts';
import { $, el, timeEl } from './dom.ts';
import {
  describeCause,
  driftText,
  formatAge,
  formatCountdown,
  formatDuration,
  formatInstant,
} from './format.ts';
import { type DescribedEntry, markerOf, metricNames, stepViews } from './model.ts';

/*
 * The console's browser code, bundled by esbuild (scripts/build-console.ts). Updates are made
 * in place, so that polling never takes the keyboard focus away.
 */

type Action = 'rollback' | 'pause' | 'resume' | 'promote' | 'abort' | 'finalize';

interface RolloutPage {
  rollout: RolloutState;
  plan: number[];
  ledger: { entries: DescribedEntry[]; cursor?: string };
}

const POLL_MS = 2000;
const ACTIVE = ['Pending', 'Progressing', 'Paused', 'WaitingPromotion'];
const ALLOWED: Record<Action, string[]> = {
  rollback: ACTIVE,
  abort: ACTIVE,
  pause: ['Progressing', 'WaitingPromotion'],
  resume: ['Paused'],
  promote: ['Progressing', 'Paused', 'WaitingPromotion'],
  finalize: ['Succeeded'],
};
const ACTIONS: Record<
  Action,
  { title: string; text: string; confirm: string; done: string; danger?: boolean }
> = {
  rollback: {
    title: 'Roll back ',
    text: 'All canary traffic goes back to the primary, on every route.',
    confirm: 'Confirm rollback',
    done: 'Rollback requested',
    danger: true,
  },
  pause: {
    title: 'Pause ',
    text: 'Analysis stops and the weights stay where they are until you resume.',
    confirm: 'Confirm pause',
    done: 'Paused',
  },
  resume: {
    title: 'Resume ',
    text: 'Analysis starts again from the current weight.',
    confirm: 'Confirm resume',
    done: 'Resumed',
  },
  promote: {
    title: 'Promote ',
    text: 'The canary moves to the next step without waiting for a check.',
    confirm: 'Confirm promotion',
    done: 'Promotion requested',
  },
  abort: {
    title: 'Abort ',
    text: 'All canary traffic goes back to the primary and the rollout ends as Aborted.',
    confirm: 'Confirm abort',
    done: 'Abort requested',
    danger: true,
  },
  finalize: {
    title: 'Finalize ',
    text: 'Once your CD runs the new version on the primary: all traffic moves back to the primary, on the managed route. The rollout stays Succeeded.',
    confirm: 'Confirm finalize',
    done: 'Finalize requested',
  },
};
const isAction = (value: string | undefined): value is Action =>
  value !== undefined && value in ACTIONS;

// Finalize fits a Succeeded rollout only while its canary still holds the traffic.
const allowed = (action: Action, r: RolloutState): boolean => {
  if (!ALLOWED[action].includes(r.phase)) return false;
  return action !== 'finalize' || (r.canaryWeight > 0 && !r.finalizedAt && !r.pending);
};

interface Current {
  id: string | null;
  rollout: RolloutState | null;
  plan: number[];
  entries: DescribedEntry[];
  /** The revision whose ledger and charts are shown; the rollout's own unless picked in History. */
  view: number | null;
  /** What was last drawn, to redraw only on change. */
  drawn: string;
  drawnRevisions: string;
  revisions: RevisionSummary[];
}
const fresh = (id: string | null): Current => ({
  id,
  rollout: null,
  plan: [],
  entries: [],
  view: null,
  drawn: '',
  drawnRevisions: '',
  revisions: [],
});

let current = fresh(null);
const rows = new Map<
  string,
  { tr: HTMLTableRowElement; link: HTMLAnchorElement; cells: HTMLTableCellElement[] }
>();
let busy = false;
let again = false;
let opener: HTMLElement | null = null;
let pendingAction: Action | null = null;
let toastTimer: number | undefined;

/** A visible confirmation that is also read out (role=status). */
const toast = (text: string, tone: 'ok' | 'error' = 'ok'): void => {
  const node = $('toast');
  node.textContent = text;
  node.className = `toast ${tone}`;
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => {
    node.textContent = '';
  }, 8000);
};

const weightBlock = (container: HTMLElement, canary: number): void => {
  container.textContent = '';
  const bar = el('div', 'bar');
  bar.setAttribute('role', 'img');
  bar.setAttribute('aria-label', `canary ${canary}%, primary ${100 - canary}%`);
  const fill = el('div', 'canary');
  fill.style.width = `${canary}%`;
  bar.append(fill);
  container.append(bar, el('span', 'weight-text', `canary ${canary}% · primary ${100 - canary}%`));
};

const badge = (node: HTMLElement, phase: string): void => {
  node.className = `badge ${phase}`;
  node.textContent = phase;
};

const show = (section: 'login' | 'list' | 'detail'): void => {
  for (const name of ['login', 'list', 'detail']) $(name).hidden = name !== section;
  $('sign-out').hidden = section === 'login';
};

const stamp = (): void => {
  $('updated').textContent = `Updated ${formatInstant(new Date().toISOString())}`;
};

const signOut = (message: string): void => {
  setToken('');
  $('login-error').textContent = message;
  route();
};

/* ---------- the list ---------- */

const fillOptions = (datalist: HTMLElement, values: string[]): void => {
  const known = [...datalist.children].map((o) => (o as HTMLOptionElement).value);
  if (known.join('\n') === values.join('\n')) return;
  datalist.textContent = '';
  for (const value of values) {
    const option = el('option');
    option.value = value;
    datalist.append(option);
  }
};

const refreshList = async (): Promise<void> => {
  const params = new URLSearchParams();
  const phase = $<HTMLSelectElement>('phase-filter').value;
  const cluster = $<HTMLInputElement>('cluster-filter').value.trim();
  const namespace = $<HTMLInputElement>('namespace-filter').value.trim();
  if (phase) params.set('phase', phase);
  if (cluster) params.set('cluster', cluster);
  if (namespace) params.set('namespace', namespace);
  const query = params.toString();
  const data = await api<{ rollouts: RolloutState[] }>(
    'GET',
    `rollouts${query ? `?${query}` : ''}`,
  );
  $('list-error').textContent = '';
  const search = $<HTMLInputElement>('search').value.trim().toLowerCase();
  const shown = data.rollouts.filter(
    (r) =>
      !search || r.spec.name.toLowerCase().includes(search) || r.id.toLowerCase().includes(search),
  );
  fillOptions($('clusters'), [...new Set(data.rollouts.map((r) => r.spec.target.cluster))].sort());
  fillOptions(
    $('namespaces'),
    [...new Set(data.rollouts.map((r) => r.spec.target.namespace))].sort(),
  );
  const seen = new Set<string>();
  const body = $('rollouts');
  const now = Date.now();
  shown.forEach((rollout, index) => {
    seen.add(rollout.id);
    let row = rows.get(rollout.id);
    if (!row) {
      const tr = el('tr');
      const link = el('a', 'name', rollout.spec.name);
      link.href = `#/${rolloutPath(rollout.id)}`;
      const nameCell = el('td');
      nameCell.append(link);
      const cells = [1, 2, 3, 4, 5, 6].map(() => el('td'));
      const labels = ['Cluster', 'Namespace', 'Phase', 'Canary', 'Revision', 'Age'];
      cells.forEach((cell, i) => {
        cell.dataset.label = labels[i] ?? '';
      });
      tr.append(nameCell, ...cells);
      row = { tr, link, cells };
      rows.set(rollout.id, row);
    }
    // Move a row only when it is out of place: moving a node drops the keyboard focus.
    if (body.children[index] !== row.tr) body.insertBefore(row.tr, body.children[index] ?? null);
    const [clusterCell, namespaceCell, phaseCell, weightCell, revisionCell, ageCell] = row.cells;
    if (clusterCell) clusterCell.textContent = rollout.spec.target.cluster;
    if (namespaceCell) namespaceCell.textContent = rollout.spec.target.namespace;
    if (phaseCell) {
      phaseCell.textContent = '';
      const span = el('span');
      badge(span, rollout.phase);
      phaseCell.append(span);
      if (rollout.drift) phaseCell.append(el('span', 'marker tone-drift', ' ⚠ Drift'));
    }
    if (weightCell) weightBlock(weightCell, rollout.canaryWeight);
    if (revisionCell)
      revisionCell.textContent =
        rollout.revision > 1 ? `${rollout.revision} (${rollout.revision - 1} earlier)` : '1';
    if (ageCell) {
      ageCell.textContent = '';
      ageCell.append(timeEl(rollout.createdAt, formatAge(rollout.createdAt, now)));
    }
  });
  for (const [id, row] of rows) {
    if (!seen.has(id)) {
      row.tr.remove();
      rows.delete(id);
    }
  }
  $('empty').hidden = shown.length > 0;
  stamp();
};

/* ---------- one rollout ---------- */

const fetchDetail = async (id: string) => {
  let entries: DescribedEntry[] = [];
  let cursor = '';
  let page: RolloutPage;
  do {
    page = await api<RolloutPage>(
      'GET',
      `${rolloutPath(id)}?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    entries = entries.concat(page.ledger.entries);
    cursor = page.ledger.cursor ?? '';
  } while (cursor);
  const { revisions } = await api<{ revisions: RevisionSummary[] }>(
    'GET',
    `${rolloutPath(id)}/revisions`,
  );
  return { rollout: page.rollout, plan: page.plan, entries, revisions };
};

const renderFacts = (r: RolloutState, plan: number[]): void => {
  const facts = $('detail-facts');
  facts.textContent = '';
  const ended = ['RolledBack', 'Aborted', 'Failed'].includes(r.phase);
  const step = ended
    ? `none (ended ${r.phase})`
    : r.stepIndex < 0
      ? 'not started'
      : r.stepIndex >= plan.length
        ? 'promoted'
        : `${r.stepIndex + 1} of ${plan.length}`;
  const started = el('span', null, 'Started ');
  started.append(timeEl(r.createdAt, formatInstant(r.createdAt)));
  facts.append(
    el('span', null, `Cluster ${r.spec.target.cluster}`),
    el('span', null, `Namespace ${r.spec.target.namespace}`),
    el('span', null, `Revision ${r.revision}`),
    el('span', null, `Step ${step}`),
    el('span', null, `Checks ${r.checks}, failed ${r.failedChecks}`),
    el('span', null, `Every ${r.spec.analysis.interval}`),
    started,
  );
};

const SCHEDULED = ['Pending', 'Progressing', 'WaitingPromotion'];

const countdownText = (r: RolloutState | null): string =>
  r && r.phase === 'Progressing' && !r.pending && SCHEDULED.includes(r.phase)
    ? formatCountdown(r.nextCheckAt, Date.now())
    : '';

const tickCountdown = (): void => {
  const text = countdownText(current.rollout);
  const node = $('countdown');
  node.hidden = !text;
  node.textContent = text ? `${text[0]?.toUpperCase()}${text.slice(1)}` : '';
  for (const cell of document.querySelectorAll<HTMLElement>('#revisions td.running')) {
    const since = Date.parse(cell.dataset.since ?? '');
    if (!Number.isNaN(since)) cell.textContent = `${formatDuration(Date.now() - since)} (running)`;
  }
  const inStep = document.querySelector<HTMLElement>('#steps .current .step-countdown');
  if (inStep) inStep.textContent = text ? ` · ${text}` : '';
};

/** Prometheus' increase() extrapolates: a request count is shown whole. */
const count = (n: number): string => Math.round(n).toLocaleString('en-US');

const renderSteps = (r: RolloutState, plan: number[], entries: DescribedEntry[]): void => {
  const list = $('steps');
  list.textContent = '';
  for (const step of stepViews(r, plan, entries)) {
    const li = el('li', `step ${step.state}`);
    if (step.state === 'current') li.setAttribute('aria-current', 'step');
    const head = el('div', 'step-head');
    const name =
      step.index === plan.length ? `Promote · 100%` : `Step ${step.index + 1} · ${step.weight}%`;
    head.append(
      el('span', 'step-name', name),
      el(
        'span',
        'step-state',
        step.state === 'current'
          ? '◀ current'
          : step.state === 'done' && step.index === r.stepIndex
            ? '■ stopped here'
            : step.state === 'done'
              ? '✔ done'
              : '',
      ),
    );
    const counts = el(
      'div',
      `step-counts${step.failed > 0 ? ' has-failed' : ''}`,
      step.checks === 0
        ? 'no checks yet'
        : `passed ${step.passed} / failed ${step.failed} of ${step.checks} checks`,
    );
    if (step.failed > 0) counts.prepend(el('span', 'marker tone-fail', '✖ '));
    if (step.state === 'current') counts.append(el('span', 'step-countdown'));
    li.append(head, counts);
    if (step.requests.length > 0) {
      const requests = el(
        'div',
        'step-requests',
        `requests per check: ${step.requests
          .map((q) => (q ? `${count(q.canary)} canary / ${count(q.primary)} primary` : 'unknown'))
          .join(' · ')}`,
      );
      li.append(requests);
    }
    list.append(li);
  }
};

const renderRevisions = (revisions: RevisionSummary[], viewing: number): void => {
  const body = $('revisions');
  body.textContent = '';
  for (const rev of revisions) {
    const tr = el('tr', rev.revision === viewing ? 'viewing' : null);
    const outcome = el('td');
    const span = el('span');
    badge(span, rev.phase);
    outcome.append(span);
    const started = el('td');
    started.append(timeEl(rev.startedAt, formatInstant(rev.startedAt)));
    const cause = rev.endedBy
      ? `${describeCause(rev.endedBy)}${rev.endMessage ? `: ${rev.endMessage}` : ''}`
      : `started by ${describeCause(rev.startedBy)}`;
    const button = el('button', 'small', rev.revision === viewing ? 'Shown' : 'Show');
    button.type = 'button';
    button.disabled = rev.revision === viewing;
    button.setAttribute('aria-label', `Show revision ${rev.revision}`);
    button.addEventListener('click', () => {
      current.view = rev.revision;
      current.drawn = '';
      draw();
      // The clicked button is now "Shown" and disabled: keep the focus in the table.
      document.querySelector<HTMLElement>('#revisions tr.viewing td')?.focus();
    });
    const actions = el('td');
    actions.append(button);
    const duration = el(
      'td',
      null,
      `${formatDuration(rev.durationMs)}${rev.endedAt ? '' : ' (running)'}`,
    );
    if (!rev.endedAt) {
      duration.className = 'running';
      duration.dataset.since = rev.startedAt;
    }
    tr.append(
      el('td', null, `Revision ${rev.revision}`),
      outcome,
      started,
      duration,
      el('td', null, `${rev.checks} (${rev.failedChecks} failed)`),
      el('td', 'cause', cause),
      actions,
    );
    const cells = tr.querySelectorAll('td');
    ['Revision', 'Outcome', 'Started', 'Duration', 'Checks', 'Cause', ''].forEach((label, i) => {
      const cell = cells[i];
      if (cell) cell.dataset.label = label;
    });
    if (rev.revision === viewing)
      (cells[0] as HTMLElement | undefined)?.setAttribute('tabindex', '-1');
    body.append(tr);
  }
};

const renderLedger = (entries: DescribedEntry[]): void => {
  const ledger = $('ledger');
  ledger.textContent = '';
  for (const entry of [...entries].reverse()) {
    const marker = markerOf(entry);
    const li = el('li', `entry tone-${marker.tone}`);
    const text = el('div', 'entry-text');
    text.append(
      el('span', `marker tone-${marker.tone}`, marker.label),
      el('span', 'entry-line', entry.description ?? entry.message),
    );
    if (entry.drift) text.append(el('div', 'drift-line', driftText(entry.drift)));
    li.append(timeEl(entry.at, formatInstant(entry.at)), text);
    ledger.append(li);
  }
};

/** Redraws what changed: the step plan, the charts and the ledger of the revision in view. */
const draw = (): void => {
  const r = current.rollout;
  if (!r) return;
  const view = current.view ?? r.revision;
  const entries = current.entries.filter((e) => e.revision === view);
  const key = `${view}:${entries.length}:${r.version}`;
  // Redrawn only on change: a poll must not take the focus off a History button.
  const revisionsKey = `${view}:${JSON.stringify(current.revisions.map((rev) => [rev.revision, rev.phase, rev.checks, rev.endedAt]))}`;
  if (revisionsKey !== current.drawnRevisions) {
    current.drawnRevisions = revisionsKey;
    renderRevisions(current.revisions, view);
  }
  if (key === current.drawn) return;
  current.drawn = key;
  renderSteps(
    r,
    current.plan,
    current.entries.filter((e) => e.revision === r.revision),
  );
  tickCountdown();
  const viewed = current.revisions.find((rev) => rev.revision === view);
  const shape =
    view === r.revision
      ? r
      : {
          createdAt: viewed?.startedAt ?? r.createdAt,
          canaryWeight: 0,
          ...(viewed?.endedAt ? { finishedAt: viewed.endedAt } : {}),
        };
  renderCharts($('charts'), shape, current.plan, entries, metricNames(entries), Date.now());
  $('charts-revision').textContent = `(revision ${view})`;
  $('ledger-revision').textContent = `(revision ${view}, newest first)`;
  renderLedger(entries);
};

const refreshDetail = async (): Promise<void> => {
  const id = current.id;
  if (!id) return;
  const data = await fetchDetail(id);
  if (id !== current.id) return;
  const r = data.rollout;
  if (current.rollout && current.rollout.revision !== r.revision) current.view = null;
  current.rollout = r;
  current.plan = data.plan;
  current.entries = data.entries;
  current.revisions = data.revisions;
  $('detail-title').textContent = r.id;
  badge($('detail-phase'), r.phase);
  renderFacts(r, data.plan);
  const drift = $('drift');
  drift.hidden = !r.drift;
  drift.textContent = r.drift ? `⚠ Drift: ${driftText(r.drift)}` : '';
  weightBlock($('detail-weight'), r.canaryWeight);
  $('detail-message').textContent =
    `${r.message}${r.pending ? ' (waiting for shift-traffic)' : ''}`;
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-action]')) {
    const action = button.dataset.action;
    button.disabled = !isAction(action) || !allowed(action, r);
  }
  $('detail-error').textContent = '';
  draw();
  stamp();
};

const refresh = async (): Promise<void> => {
  if (!hasToken()) return;
  // A filter typed while a poll is in flight must not be lost: run once more after it.
  if (busy) {
    again = true;
    return;
  }
  busy = true;
  again = false;
  try {
    if (current.id) await refreshDetail();
    else await refreshList();
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return;
    const message =
      error instanceof ApiError
        ? error.message
        : `cannot reach the API (${error instanceof Error ? error.message : String(error)})`;
    $(current.id ? 'detail-error' : 'list-error').textContent = message;
  } finally {
    busy = false;
    if (again) void refresh();
  }
};

const route = (): void => {
  if (!hasToken()) {
    show('login');
    $('token').focus();
    return;
  }
  const match = /^#\/rollouts\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(location.hash);
  if (match) {
    const id = [match[1], match[2], match[3]]
      .map((part) => decodeURIComponent(part ?? ''))
      .join('/');
    if (id !== current.id) {
      current = fresh(id);
      $('ledger').textContent = '';
      $('steps').textContent = '';
      $('revisions').textContent = '';
      clearCharts($('charts'));
      $('detail-error').textContent = '';
      $('detail-title').textContent = id;
    }
    show('detail');
    void refresh().then(() => $('detail-title').focus());
  } else {
    const wasDetail = current.id;
    current = fresh(null);
    clearCharts($('charts'));
    show('list');
    void refresh().then(() => {
      const back = wasDetail ? rows.get(wasDetail) : undefined;
      back?.link.focus();
    });
  }
};

/* ---------- actions ---------- */

const openDialog = (action: Action, button: HTMLElement): void => {
  const r = current.rollout;
  if (!r) return;
  const spec = ACTIONS[action];
  pendingAction = action;
  opener = button;
  $('confirm-title').textContent = `${spec.title}${r.spec.name}?`;
  $('confirm-text').textContent = `${spec.text} Canary now at ${r.canaryWeight}%.`;
  $('confirm-submit').textContent = spec.confirm;
  $('confirm-submit').className = spec.danger ? 'danger' : 'primary';
  $('full-row').hidden = action !== 'promote';
  $<HTMLInputElement>('full').checked = false;
  $<HTMLTextAreaElement>('reason').value = '';
  $('confirm-error').textContent = '';
  $<HTMLDialogElement>('confirm').showModal();
  $('reason').focus();
};

const submitDialog = async (event: Event): Promise<void> => {
  event.preventDefault();
  const action = pendingAction;
  const id = current.id;
  if (!action || !id) return;
  const reason = $<HTMLTextAreaElement>('reason').value.trim();
  if (!reason) {
    $('confirm-error').textContent = 'Say why: a reason is required.';
    $('reason').focus();
    return;
  }
  const body: { reason: string; full?: boolean } = { reason };
  if (action === 'promote' && $<HTMLInputElement>('full').checked) body.full = true;
  const submit = $<HTMLButtonElement>('confirm-submit');
  submit.disabled = true;
  try {
    const result = await api<{ entry?: DescribedEntry }>(
      'POST',
      `${rolloutPath(id)}/actions/${action}`,
      body,
    );
    $<HTMLDialogElement>('confirm').close();
    toast(`✔ ${ACTIONS[action].done}: ${result.entry?.description ?? id}`);
    await refresh();
  } catch (error) {
    const phase =
      error instanceof ApiError && typeof error.body.phase === 'string'
        ? ` (the rollout is ${error.body.phase})`
        : '';
    $('confirm-error').textContent =
      `${error instanceof Error ? error.message : String(error)}${phase}`;
  } finally {
    submit.disabled = false;
  }
};

/* ---------- wiring ---------- */

const start = (): void => {
  whenUnauthorized(signOut);
  const fromLink = takeTokenFromFragment();
  for (const phase of PHASES) {
    const option = el('option', null, phase);
    option.value = phase;
    $('phase-filter').append(option);
  }
  let typing: number | undefined;
  const later = () => {
    window.clearTimeout(typing);
    typing = window.setTimeout(() => void refresh(), 250);
  };
  $('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    void refresh();
  });
  $('phase-filter').addEventListener('change', () => void refresh());
  for (const id of ['search', 'cluster-filter', 'namespace-filter'])
    $(id).addEventListener('input', later);
  $('login-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $<HTMLInputElement>('token');
    const value = input.value.trim();
    input.value = '';
    if (!value) return;
    setToken(value);
    $('login-error').textContent = '';
    route();
  });
  $('sign-out').addEventListener('click', () => signOut('Token forgotten.'));
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-action]')) {
    button.addEventListener('click', () => {
      const action = button.dataset.action;
      if (isAction(action)) openDialog(action, button);
    });
  }
  $('confirm-form').addEventListener('submit', (event) => void submitDialog(event));
  $('confirm-cancel').addEventListener('click', () => $<HTMLDialogElement>('confirm').close());
  $('confirm').addEventListener('close', () => {
    if (opener) {
      const target = (opener as HTMLButtonElement).disabled ? $('detail-title') : opener;
      target.focus();
      opener = null;
    }
  });
  window.addEventListener('hashchange', route);
  window.setInterval(() => void refresh(), POLL_MS);
  window.setInterval(tickCountdown, 1000);
  route();
  if (fromLink) toast('✔ Signed in from the link; the token stays in this tab only.');
};

start();
