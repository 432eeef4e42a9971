import { CONSOLE_CHARTS } from './charts.ts';

/*
 * The console's browser code: plain JavaScript, no framework, no build step. It is kept as a
 * string (see page.ts); it uses no template literals so that it can live in one here.
 * Updates are made in place, so that polling never takes the keyboard focus away.
 */
export const CONSOLE_SCRIPT = String.raw`
(function () {
  'use strict';
  var TOKEN_KEY = 'kanari.token';
  var POLL_MS = 2000;
  var PHASES = JSON.parse(document.getElementById('phases').textContent);
  var ACTIVE = ['Pending', 'Progressing', 'Paused', 'WaitingPromotion'];
  var ALLOWED = {
    rollback: ACTIVE,
    abort: ACTIVE,
    pause: ['Progressing', 'WaitingPromotion'],
    resume: ['Paused'],
    promote: ['Progressing', 'Paused', 'WaitingPromotion'],
    finalize: ['Succeeded']
  };
  // Finalize fits a Succeeded rollout only while its canary still holds the traffic.
  function allowed(action, r) {
    if (ALLOWED[action].indexOf(r.phase) < 0) return false;
    return action !== 'finalize' || (r.canaryWeight > 0 && !r.finalizedAt && !r.pending);
  }
  var ACTIONS = {
    rollback: { title: 'Roll back ', text: 'All canary traffic goes back to the primary, on every route.', confirm: 'Confirm rollback', danger: true },
    pause: { title: 'Pause ', text: 'Analysis stops and the weights stay where they are until you resume.', confirm: 'Confirm pause' },
    resume: { title: 'Resume ', text: 'Analysis starts again from the current weight.', confirm: 'Confirm resume' },
    promote: { title: 'Promote ', text: 'The canary moves to the next step without waiting for a check.', confirm: 'Confirm promotion' },
    abort: { title: 'Abort ', text: 'All canary traffic goes back to the primary and the rollout ends as Aborted.', confirm: 'Confirm abort', danger: true },
    finalize: { title: 'Finalize ', text: 'Once your CD runs the new version on the primary: all traffic moves back to the primary, on the managed route. The rollout stays Succeeded.', confirm: 'Confirm finalize' }
  };
  var charts = ${CONSOLE_CHARTS};

  var $ = function (id) { return document.getElementById(id); };
  var token = sessionStorage.getItem(TOKEN_KEY) || '';
  var current = { id: null, rollout: null, revision: 0, shown: 0, checks: -1 };
  var rows = new Map();
  var busy = false;
  var opener = null;
  var pendingAction = null;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function rolloutPath(id) {
    return 'rollouts/' + id.split('/').map(encodeURIComponent).join('/');
  }

  function ApiError(status, body) {
    this.status = status;
    this.body = body;
    this.message = body.error || ('HTTP ' + status);
  }

  async function api(method, path, body) {
    var headers = { accept: 'application/json', authorization: 'Bearer ' + token };
    if (body) headers['content-type'] = 'application/json';
    var response = await fetch(path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined });
    var text = await response.text();
    var data = {};
    try { data = text ? JSON.parse(text) : {}; } catch (e) { data = { error: text.slice(0, 200) }; }
    if (response.status === 401 || response.status === 403) {
      signOut(response.status === 403
        ? 'This API refused the token (403). A browser cannot sign for the IAM authorizer: use the JWT authorizer, or the kanari CLI.'
        : 'The token was not accepted: ' + (data.error || 'unauthorized'));
      throw new ApiError(response.status, data);
    }
    if (!response.ok || typeof data.errorMessage === 'string') throw new ApiError(response.status, data.error ? data : { error: data.errorMessage || response.statusText });
    return data;
  }

  function announce(text) { $('announce').textContent = text; }

  function signOut(message) {
    token = '';
    sessionStorage.removeItem(TOKEN_KEY);
    $('login-error').textContent = message || '';
    route();
  }

  function weightBlock(container, canary) {
    container.textContent = '';
    var bar = el('div', 'bar');
    bar.setAttribute('role', 'img');
    bar.setAttribute('aria-label', 'canary ' + canary + '%, primary ' + (100 - canary) + '%');
    var fill = el('div', 'canary');
    fill.style.width = canary + '%';
    bar.append(fill);
    container.append(bar, el('span', 'weight-text', 'canary ' + canary + '% · primary ' + (100 - canary) + '%'));
  }

  function badge(node, phase) {
    node.className = 'badge ' + phase;
    node.textContent = phase;
  }

  function show(section) {
    ['login', 'list', 'detail'].forEach(function (name) { $(name).hidden = name !== section; });
    $('sign-out').hidden = section === 'login';
  }

  function stamp() { $('updated').textContent = 'Updated ' + new Date().toLocaleTimeString([], { hour12: false }); }

  async function refreshList() {
    var phase = $('phase-filter').value;
    var data = await api('GET', 'rollouts' + (phase ? '?phase=' + encodeURIComponent(phase) : ''));
    $('list-error').textContent = '';
    var seen = new Set();
    var list = $('rollouts');
    data.rollouts.forEach(function (rollout, index) {
      seen.add(rollout.id);
      var row = rows.get(rollout.id);
      if (!row) {
        row = { li: el('li'), link: el('a', 'name', rollout.id), badge: el('span'), weight: el('div', 'weight'), message: el('span', 'message') };
        row.link.href = '#/' + rolloutPath(rollout.id);
        row.li.append(row.link, row.badge, row.weight, row.message);
        rows.set(rollout.id, row);
      }
      // Move a row only when it is out of place: moving a node drops the keyboard focus.
      if (list.children[index] !== row.li) list.insertBefore(row.li, list.children[index] || null);
      badge(row.badge, rollout.phase);
      weightBlock(row.weight, rollout.canaryWeight);
      row.message.textContent = rollout.message;
    });
    rows.forEach(function (row, id) {
      if (!seen.has(id)) { row.li.remove(); rows.delete(id); }
    });
    $('empty').hidden = data.rollouts.length > 0;
    stamp();
  }

  async function fetchDetail(id) {
    var entries = [];
    var cursor = '';
    var page;
    do {
      page = await api('GET', rolloutPath(id) + '?limit=1000' + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
      entries = entries.concat(page.ledger.entries);
      cursor = page.ledger.cursor || '';
    } while (cursor);
    return { rollout: page.rollout, plan: page.plan, entries: entries };
  }

  async function refreshDetail() {
    var id = current.id;
    var data = await fetchDetail(id);
    if (id !== current.id) return;
    var r = data.rollout;
    current.rollout = r;
    if (r.revision !== current.revision) {
      current.revision = r.revision;
      current.shown = 0;
      current.checks = -1;
      $('ledger').textContent = '';
    }
    $('detail-title').textContent = r.id;
    badge($('detail-phase'), r.phase);
    var facts = $('detail-facts');
    facts.textContent = '';
    var ended = ['RolledBack', 'Aborted', 'Failed'].indexOf(r.phase) >= 0;
    var step = ended ? 'none (ended ' + r.phase + ')' : r.stepIndex < 0 ? 'not started' : r.stepIndex >= data.plan.length ? 'promoted' : (r.stepIndex + 1) + ' of ' + data.plan.length;
    facts.append(
      el('span', null, 'Revision ' + r.revision),
      el('span', null, 'Step ' + step + ' (plan ' + data.plan.join(', ') + ' → 100)'),
      el('span', null, 'Checks ' + r.checks + ', failed ' + r.failedChecks),
      el('span', null, 'Every ' + r.spec.analysis.interval)
    );
    weightBlock($('detail-weight'), r.canaryWeight);
    $('detail-message').textContent = r.message + (r.pending ? ' (waiting for shift-traffic)' : '');
    document.querySelectorAll('[data-action]').forEach(function (button) {
      button.disabled = !allowed(button.dataset.action, r);
    });
    // An id that was rolled out before keeps its older revisions in the ledger; show this one.
    var entries = data.entries.filter(function (e) { return e.revision === r.revision; });
    $('ledger-revision').textContent = '(revision ' + r.revision + ', newest first)';
    var ledger = $('ledger');
    entries.slice(current.shown).forEach(function (entry) {
      var li = el('li');
      var time = el('time', null, new Date(entry.at).toLocaleTimeString([], { hour12: false }));
      time.title = entry.at;
      time.dateTime = entry.at;
      li.append(time, el('span', null, entry.description || entry.message));
      ledger.prepend(li);
    });
    current.shown = entries.length;
    var checks = entries.filter(function (e) { return e.kind === 'check' && e.check; });
    if (checks.length !== current.checks) {
      current.checks = checks.length;
      charts.render($('charts'), checks.map(function (e) { return e.check; }));
    }
    stamp();
  }

  async function refresh() {
    if (busy || !token) return;
    busy = true;
    try {
      if (current.id) await refreshDetail(); else await refreshList();
    } catch (error) {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return;
      var message = error instanceof ApiError ? error.message : 'cannot reach the API (' + error.message + ')';
      $(current.id ? 'detail-error' : 'list-error').textContent = message;
    } finally {
      busy = false;
    }
  }

  function route() {
    if (!token) {
      show('login');
      $('token').focus();
      return;
    }
    var match = /^#\/rollouts\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(location.hash);
    if (match) {
      var id = [match[1], match[2], match[3]].map(decodeURIComponent).join('/');
      if (id !== current.id) {
        current = { id: id, rollout: null, revision: 0, shown: 0, checks: -1 };
        $('ledger').textContent = '';
        $('charts').textContent = '';
        $('detail-error').textContent = '';
        $('detail-title').textContent = id;
      }
      show('detail');
      refresh().then(function () { $('detail-title').focus(); });
    } else {
      var wasDetail = current.id;
      current = { id: null, rollout: null, revision: 0, shown: 0, checks: -1 };
      show('list');
      refresh().then(function () {
        var back = wasDetail && rows.get(wasDetail);
        if (back) back.link.focus();
      });
    }
  }

  function openDialog(action, button) {
    var r = current.rollout;
    if (!r) return;
    var spec = ACTIONS[action];
    pendingAction = action;
    opener = button;
    $('confirm-title').textContent = spec.title + r.spec.name + '?';
    $('confirm-text').textContent = spec.text + ' Canary now at ' + r.canaryWeight + '%.';
    $('confirm-submit').textContent = spec.confirm;
    $('confirm-submit').className = spec.danger ? 'danger' : 'primary';
    $('full-row').hidden = action !== 'promote';
    $('full').checked = false;
    $('reason').value = '';
    $('confirm-error').textContent = '';
    $('confirm').showModal();
    $('reason').focus();
  }

  async function submitDialog(event) {
    event.preventDefault();
    var reason = $('reason').value.trim();
    if (!reason) {
      $('confirm-error').textContent = 'Say why: a reason is required.';
      $('reason').focus();
      return;
    }
    var body = { reason: reason };
    if (pendingAction === 'promote' && $('full').checked) body.full = true;
    $('confirm-submit').disabled = true;
    try {
      var result = await api('POST', rolloutPath(current.id) + '/actions/' + pendingAction, body);
      $('confirm').close();
      announce((result.entry && result.entry.description) || (pendingAction + ' requested'));
      await refresh();
    } catch (error) {
      var phase = error.body && error.body.phase ? ' (the rollout is ' + error.body.phase + ')' : '';
      $('confirm-error').textContent = error.message + phase;
    } finally {
      $('confirm-submit').disabled = false;
    }
  }

  PHASES.forEach(function (phase) {
    var option = el('option', null, phase);
    option.value = phase;
    $('phase-filter').append(option);
  });
  $('phase-filter').addEventListener('change', function () { refresh(); });
  $('login-form').addEventListener('submit', function (event) {
    event.preventDefault();
    token = $('token').value.trim();
    $('token').value = '';
    if (!token) return;
    sessionStorage.setItem(TOKEN_KEY, token);
    $('login-error').textContent = '';
    route();
  });
  $('sign-out').addEventListener('click', function () { signOut('Token forgotten.'); });
  document.querySelectorAll('[data-action]').forEach(function (button) {
    button.addEventListener('click', function () { openDialog(button.dataset.action, button); });
  });
  $('confirm-form').addEventListener('submit', submitDialog);
  $('confirm-cancel').addEventListener('click', function () { $('confirm').close(); });
  $('confirm').addEventListener('close', function () {
    if (opener) {
      var target = opener.disabled ? $('detail-title') : opener;
      target.focus();
      opener = null;
    }
  });
  window.addEventListener('hashchange', route);
  setInterval(refresh, POLL_MS);
  route();
})();
`;
