/*
 * The console is one HTML page; its script and stylesheet are the esbuild bundle of
 * console/client (dist/console/app.js and app.css), served from the same origin. The page has
 * no inline script or style, so the CSP can be strict: a script that found its way into a
 * rollout name or reason would not run. Data is rendered with textContent only.
 */
export const consolePage = (version: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kanari console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="app.css?v=${version}">
<script src="app.js?v=${version}" defer></script>
</head>
<body>
<header>
  <h1>kanari</h1>
  <span class="updated" id="updated"></span>
  <button type="button" id="sign-out" hidden>Forget token</button>
</header>
<main>
  <p id="toast" class="toast" role="status" aria-live="polite"></p>
  <section id="login" class="card" hidden aria-labelledby="login-title">
    <h2 id="login-title">Connect</h2>
    <p>Paste an API token. <code>kanari sandbox --keep</code> prints one, and a link that logs in by
    itself; in AWS use a JWT from your identity provider (the HTTP API must use the JWT
    authorizer: a browser cannot sign requests for the IAM authorizer). The token stays in this
    tab only (sessionStorage).</p>
    <form id="login-form">
      <label for="token">API token</label><br>
      <input id="token" name="token" type="password" autocomplete="off" required size="40">
      <button type="submit" class="primary">Connect</button>
      <p id="login-error" class="error" role="alert"></p>
    </form>
  </section>
  <section id="list" hidden aria-labelledby="list-title">
    <div class="toolbar">
      <h2 id="list-title">Rollouts</h2>
    </div>
    <form class="filters" id="filters" role="search" aria-label="Find rollouts">
      <div><label for="search">Name</label><input id="search" type="search" placeholder="Search by name" autocomplete="off"></div>
      <div><label for="cluster-filter">Cluster</label><input id="cluster-filter" list="clusters" autocomplete="off" placeholder="any"></div>
      <div><label for="namespace-filter">Namespace</label><input id="namespace-filter" list="namespaces" autocomplete="off" placeholder="any"></div>
      <div><label for="phase-filter">Phase</label><select id="phase-filter"><option value="">All phases</option></select></div>
      <datalist id="clusters"></datalist><datalist id="namespaces"></datalist>
    </form>
    <p id="list-error" class="error" role="alert"></p>
    <div class="table-wrap">
      <table class="rollouts" aria-labelledby="list-title">
        <thead><tr><th scope="col">Name</th><th scope="col">Cluster</th><th scope="col">Namespace</th><th scope="col">Phase</th><th scope="col">Canary</th><th scope="col">Revision</th><th scope="col">Age</th></tr></thead>
        <tbody id="rollouts"></tbody>
      </table>
    </div>
    <p id="empty" class="muted" hidden>No rollouts match.</p>
  </section>
  <section id="detail" hidden aria-labelledby="detail-title">
    <p><a href="#/">← All rollouts</a></p>
    <div class="card">
      <div class="detail-head">
        <h2 id="detail-title" tabindex="-1"></h2>
        <span id="detail-phase" class="badge"></span>
      </div>
      <div class="facts" id="detail-facts"></div>
      <p id="drift" class="drift" hidden></p>
      <div class="weight" id="detail-weight"></div>
      <p id="detail-message"></p>
      <p id="countdown" class="countdown" hidden></p>
      <div class="actions" role="group" aria-label="Operator actions">
        <button type="button" class="danger" data-action="rollback">Rollback</button>
        <button type="button" data-action="pause">Pause</button>
        <button type="button" data-action="resume">Resume</button>
        <button type="button" data-action="promote">Promote</button>
        <button type="button" data-action="abort">Abort</button>
        <button type="button" data-action="finalize">Finalize</button>
      </div>
      <p id="detail-error" class="error" role="alert"></p>
    </div>
    <section class="card" aria-labelledby="steps-title">
      <h3 id="steps-title">Step plan</h3>
      <ol id="steps" class="steps"></ol>
    </section>
    <section class="card" aria-labelledby="charts-title">
      <h3 id="charts-title">Weight and metrics over time <span class="muted" id="charts-revision"></span></h3>
      <div id="charts" class="charts"></div>
    </section>
    <section class="card" aria-labelledby="history-title">
      <h3 id="history-title">History</h3>
      <div class="table-wrap">
        <table class="revisions" aria-labelledby="history-title">
          <thead><tr><th scope="col">Revision</th><th scope="col">Outcome</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col">Checks</th><th scope="col">Cause</th><th scope="col"><span class="visually-hidden">Show</span></th></tr></thead>
          <tbody id="revisions"></tbody>
        </table>
      </div>
    </section>
    <section class="card" aria-labelledby="ledger-title">
      <h3 id="ledger-title">Ledger <span class="muted" id="ledger-revision"></span></h3>
      <ol id="ledger" class="ledger"></ol>
    </section>
  </section>
</main>
<dialog id="confirm" aria-labelledby="confirm-title" aria-describedby="confirm-text">
  <form id="confirm-form">
    <h2 id="confirm-title"></h2>
    <p id="confirm-text"></p>
    <label for="reason">Reason (required)</label>
    <textarea id="reason" name="reason" rows="3" required maxlength="1000"></textarea>
    <label class="check" id="full-row" hidden><input type="checkbox" id="full"> Promote fully, straight to 100%</label>
    <p id="confirm-error" class="error" role="alert"></p>
    <div class="buttons">
      <button type="button" id="confirm-cancel">Cancel</button>
      <button type="submit" id="confirm-submit" class="danger"></button>
    </div>
  </form>
</dialog>
</body>
</html>
`;

/**
 * The page may run only scripts and styles from its own origin and talk only to it. uPlot
 * sizes its elements through the CSSOM (element.style), which a CSP does not restrict.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
