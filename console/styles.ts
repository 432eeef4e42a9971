/** The console's stylesheet: system fonts, readable from 320 px wide, visible focus. */
export const CONSOLE_CSS = `
:root {
  --bg: #f6f7f9; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --card: #fff;
  --accent: #0b5cad; --canary: #d9730d; --primary: #6e7781; --danger: #b42318; --ok: #1a7f37;
  color-scheme: light;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
* { box-sizing: border-box; }
/* The hidden attribute wins over any display rule (e.g. .check's flex). */
[hidden] { display: none !important; }
body { margin: 0; background: var(--bg); color: var(--fg); }
header { display: flex; align-items: center; gap: 1rem; padding: .75rem 1rem; background: #1b1f24; color: #fff; }
header h1 { font-size: 1.15rem; margin: 0; flex: 1; }
header .updated { color: #c9d1d9; font-size: .85rem; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #f2b300; outline-offset: 2px; }
button { font: inherit; padding: .45rem .9rem; border-radius: 6px; border: 1px solid var(--line); background: var(--card); color: var(--fg); cursor: pointer; min-height: 2.5rem; }
button:hover:not(:disabled) { border-color: var(--accent); }
button:disabled { opacity: .45; cursor: not-allowed; }
button.danger { background: var(--danger); border-color: var(--danger); color: #fff; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
header button { background: transparent; color: #fff; border-color: #57606a; }
input, select, textarea { font: inherit; padding: .45rem; border: 1px solid #8c959f; border-radius: 6px; background: #fff; color: var(--fg); max-width: 100%; }
textarea { width: 100%; }
label { font-weight: 600; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; margin-bottom: 1rem; }
.toolbar { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; margin-bottom: 1rem; }
.toolbar h2 { margin: 0; flex: 1; font-size: 1.2rem; }
.error { color: var(--danger); font-weight: 600; }
.muted { color: var(--muted); }
ul.rollouts { list-style: none; padding: 0; margin: 0; }
ul.rollouts li { display: grid; grid-template-columns: minmax(10rem, 2fr) auto minmax(8rem, 1.5fr); gap: .35rem 1rem; align-items: center; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; margin-bottom: .5rem; }
ul.rollouts .name { font-weight: 600; word-break: break-all; }
ul.rollouts .message { grid-column: 1 / -1; color: var(--muted); font-size: .9rem; }
.badge { display: inline-block; padding: .1rem .6rem; border-radius: 999px; font-size: .85rem; font-weight: 600; background: #eaeef2; color: #24292f; white-space: nowrap; }
.badge.Progressing { background: #ddf4ff; color: #0a3069; }
.badge.WaitingPromotion { background: #fbefff; color: #512a97; }
.badge.Paused { background: #fff8c5; color: #6b4a00; }
.badge.RollingBack { background: #fff1e5; color: #8a3a00; }
.badge.Succeeded { background: #dafbe1; color: #0f5323; }
.badge.RolledBack, .badge.Failed { background: #ffebe9; color: #82071e; }
.badge.Aborted { background: #eaeef2; color: #24292f; }
.weight { display: flex; flex-direction: column; gap: .2rem; font-size: .85rem; }
.bar { display: flex; height: .75rem; border-radius: 4px; overflow: hidden; background: var(--primary); }
.bar .canary { background: var(--canary); }
.detail-head { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: baseline; }
.detail-head h2 { margin: 0; word-break: break-all; }
.facts { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; margin: .5rem 0; color: var(--muted); }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: .75rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); gap: 1rem; }
figure { margin: 0; }
figcaption { font-weight: 600; margin-bottom: .25rem; }
svg.chart { width: 100%; height: auto; background: #fafbfc; border: 1px solid var(--line); border-radius: 6px; }
.legend { display: flex; flex-wrap: wrap; gap: .75rem; font-size: .8rem; color: var(--muted); }
.legend .swatch { display: inline-block; width: 1.2rem; height: .2rem; vertical-align: middle; margin-right: .3rem; }
ol.ledger { list-style: none; padding: 0; margin: 0; }
ol.ledger li { display: grid; grid-template-columns: 5.5rem 1fr; gap: .5rem; padding: .5rem 0; border-top: 1px solid var(--line); }
ol.ledger time { color: var(--muted); font-variant-numeric: tabular-nums; }
dialog { border: 1px solid var(--line); border-radius: 10px; padding: 1.25rem; width: min(32rem, calc(100vw - 2rem)); }
dialog::backdrop { background: rgb(0 0 0 / .45); }
dialog h2 { margin-top: 0; font-size: 1.2rem; }
dialog .buttons { display: flex; justify-content: flex-end; gap: .5rem; margin-top: 1rem; flex-wrap: wrap; }
.check { display: flex; gap: .5rem; align-items: center; margin-top: .75rem; font-weight: 400; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 40rem) {
  ul.rollouts li { grid-template-columns: 1fr auto; }
  ul.rollouts .weight { grid-column: 1 / -1; }
  ol.ledger li { grid-template-columns: 1fr; gap: 0; }
  .actions button { flex: 1 1 40%; }
  header { flex-wrap: wrap; }
}
`;
