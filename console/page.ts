import { createHash } from 'node:crypto';
import { PHASES } from '../lib/domain/phase.ts';
import { CONSOLE_SCRIPT } from './script.ts';
import { CONSOLE_CSS } from './styles.ts';

/*
 * The console is one HTML page with its style and script inline. It lives in TypeScript
 * modules that export strings, so that the same import works under tsx and vitest, in the
 * serverless-esbuild bundle and under `osls offline`, with no loader or file copying.
 * It renders data with textContent only: rollout names and reasons are never parsed as HTML.
 */
export const CONSOLE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kanari console</title>
<link rel="icon" href="data:,">
<style>${CONSOLE_CSS}</style>
</head>
<body>
<header>
  <h1>kanari</h1>
  <span class="updated" id="updated"></span>
  <button type="button" id="sign-out" hidden>Forget token</button>
</header>
<main>
  <p id="announce" class="visually-hidden" role="status" aria-live="polite"></p>
  <section id="login" class="card" hidden aria-labelledby="login-title">
    <h2 id="login-title">Connect</h2>
    <p>Paste an API token. <code>kanari sandbox --keep</code> prints one; in AWS use a JWT from
    your identity provider (the HTTP API must use the JWT authorizer: a browser cannot sign
    requests for the IAM authorizer). The token stays in this tab only (sessionStorage).</p>
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
      <label for="phase-filter">Phase</label>
      <select id="phase-filter"><option value="">All phases</option></select>
    </div>
    <p id="list-error" class="error" role="alert"></p>
    <ul id="rollouts" class="rollouts"></ul>
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
      <div class="weight" id="detail-weight"></div>
      <p id="detail-message"></p>
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
    <section class="card" aria-labelledby="charts-title">
      <h3 id="charts-title">Metrics across checks</h3>
      <div id="charts" class="charts"></div>
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
<script type="application/json" id="phases">${JSON.stringify(PHASES)}</script>
<script>${CONSOLE_SCRIPT}</script>
</body>
</html>
`;

/**
 * The page may run only its own inline script and talk only to its own origin; a script
 * that found its way into a rollout name or reason would not run.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${createHash('sha256').update(CONSOLE_SCRIPT).digest('base64')}'`,
  "style-src 'unsafe-inline'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
