/**
 * The dashboard's HTML page, stylesheet and icon, served as they are (no build step, nothing
 * loaded from elsewhere). The page loads /dashboard.css and /dashboard.js; the script
 * (client-*.ts) fills the elements by id.
 */

export const PAGE_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>txgate</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/dashboard.css">
<script src="/dashboard.js" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="#live"><img src="/favicon.svg" alt="" width="22" height="22"> txgate</a>
  <span id="network" class="badge"></span>
  <nav class="tabs">
    <a href="#live" id="tab-live" class="tab" aria-current="page">Live</a>
    <a href="#inspect" id="tab-inspect" class="tab">Inspector</a>
  </nav>
  <span id="conn" class="conn" data-state="connecting" role="status">connecting…</span>
</header>
<main>
<section id="view-live" class="view">
  <div class="cards">
    <div class="card"><h2>Chain tip</h2><div class="big" id="tip-height">–</div><div class="sub mono" id="tip-hash"></div><div class="sub" id="tip-sync"></div></div>
    <div class="card"><h2>Mempool</h2><div class="big"><span id="mempool-count">–</span> <small>txs</small></div><div class="sub" id="mempool-size"></div><div class="sub" id="mempool-minfee"></div></div>
    <div class="card"><h2>Verdicts per second</h2><div class="big"><span id="rate-accepted" class="ok">–</span> <small>accepted</small> <span id="rate-rejected" class="bad">–</span> <small>rejected</small></div><div class="sub" id="rate-totals"></div></div>
  </div>
  <div class="panel"><h2>Projected blocks</h2><div id="blocks" class="blocks"></div></div>
  <div class="grid2">
    <div class="panel"><h2>Fee rates in the mempool <small>vsize per sat/vB range</small></h2><div id="histogram" class="chart"></div></div>
    <div class="panel"><h2>Accepted and rejected <small>per second, last 2 minutes</small></h2><div id="rates" class="chart"></div></div>
  </div>
  <div class="grid2">
    <div class="panel"><h2>Top reject reasons <small id="reasons-window"></small></h2><ol id="reasons" class="reasons"></ol></div>
    <div class="panel"><h2>Recent transactions</h2><div class="scroll"><table id="recent" class="recent">
      <thead><tr><th>time</th><th>txid</th><th>verdict</th><th class="num">sat/vB</th><th>reason</th></tr></thead>
      <tbody></tbody></table></div></div>
  </div>
</section>
<section id="view-inspect" class="view" hidden>
  <div class="panel">
    <h2>Transaction inspector</h2>
    <form id="inspect-form">
      <label for="inspect-tx">Raw transaction (hex)</label>
      <textarea id="inspect-tx" rows="5" spellcheck="false" autocomplete="off" placeholder="02000000000101…"></textarea>
      <details id="inspect-more">
        <summary>Spent outputs (optional: validate without the node's UTXO set)</summary>
        <label for="inspect-prevouts">prevouts, one per input, as JSON</label>
        <textarea id="inspect-prevouts" rows="3" spellcheck="false" autocomplete="off" placeholder='[{"scriptPubKey": "0014…", "amount": 100000}]'></textarea>
      </details>
      <div class="actions"><button type="submit" id="inspect-go">Validate</button><span id="inspect-note" class="sub"></span></div>
    </form>
  </div>
  <div id="inspect-result" class="panel" hidden></div>
</section>
</main>
<footer><a href="/info">/info</a> · <a href="/metrics">/metrics</a> · <a href="/stats">/stats</a> · <a href="/mempool/blocks">/mempool/blocks</a></footer>
</body>
</html>
`;

export const FAVICON_SVG = String.raw`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#5b4bdb"/><path d="M9 9h14v4h-5v11h-4V13H9z" fill="#fff"/></svg>
`;

export const PAGE_CSS = String.raw`
:root {
  --bg: #f4f5f8; --card: #ffffff; --fg: #1b1f24; --muted: #5d6673; --border: #dde1e7;
  --ok: #1a7f37; --bad: #cf222e; --accent: #5b4bdb; --chip: #eef0f4; --hl: #fff4c2;
  --shadow: 0 1px 2px rgba(20, 24, 31, .06), 0 2px 8px rgba(20, 24, 31, .04);
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0e1217; --card: #161b22; --fg: #e6e9ee; --muted: #95a0ad; --border: #2a313b;
    --ok: #3fb950; --bad: #f85149; --accent: #9488ff; --chip: #222a34; --hl: #4a3f12;
    --shadow: none;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: var(--accent); }
.mono, code, pre, textarea, .hex { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; }
.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; padding: .6rem 1rem; background: var(--card); border-bottom: 1px solid var(--border); position: sticky; top: 0; z-index: 2; }
.brand { display: flex; align-items: center; gap: .45rem; font-weight: 700; font-size: 1.1rem; color: var(--fg); text-decoration: none; }
.badge { font-size: .75rem; padding: .1rem .5rem; border-radius: 1rem; background: var(--chip); color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.badge:empty { display: none; }
.tabs { display: flex; gap: .25rem; }
.tab { padding: .3rem .75rem; border-radius: .4rem; color: var(--muted); text-decoration: none; font-weight: 600; }
.tab[aria-current="page"] { background: var(--chip); color: var(--fg); }
.conn { margin-left: auto; font-size: .8rem; color: var(--muted); display: flex; align-items: center; gap: .35rem; }
.conn::before { content: ""; width: .6rem; height: .6rem; border-radius: 50%; background: var(--muted); }
.conn[data-state="live"]::before { background: var(--ok); }
.conn[data-state="polling"]::before { background: #d29922; }
.conn[data-state="reconnecting"]::before { background: var(--bad); animation: blink 1s infinite; }
@keyframes blink { 50% { opacity: .25; } }
main { max-width: 1200px; margin: 0 auto; padding: 1rem; }
h2 { font-size: .8rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); margin: 0 0 .6rem; font-weight: 600; }
h2 small { text-transform: none; letter-spacing: 0; font-weight: 400; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: 1rem; margin-bottom: 1rem; }
.card, .panel { background: var(--card); border: 1px solid var(--border); border-radius: .6rem; padding: .9rem 1rem; box-shadow: var(--shadow); min-width: 0; }
.panel { margin-bottom: 1rem; }
.big { font-size: 1.9rem; font-weight: 700; line-height: 1.2; font-variant-numeric: tabular-nums; }
.big small { font-size: .85rem; font-weight: 400; color: var(--muted); }
.sub { color: var(--muted); font-size: .85rem; overflow-wrap: anywhere; }
.ok { color: var(--ok); } .bad { color: var(--bad); }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 26rem), 1fr)); gap: 0 1rem; }
.blocks { display: flex; gap: 1.1rem; overflow-x: auto; padding: .3rem .2rem .6rem; min-height: 9.5rem; }
.block { flex: 0 0 8.4rem; height: 8.4rem; position: relative; border-radius: .35rem; padding: .45rem .5rem .7rem; color: #fff; font-size: .78rem; line-height: 1.35; text-shadow: 0 1px 2px rgba(0,0,0,.35); box-shadow: 6px 6px 0 -1px var(--border); display: flex; flex-direction: column; }
.block .median { font-size: 1rem; font-weight: 700; }
.block .when { margin-top: auto; opacity: .9; }
.block .full { position: absolute; left: 0; bottom: 0; height: .3rem; background: rgba(255,255,255,.85); border-bottom-left-radius: .35rem; }
.empty { color: var(--muted); font-style: italic; padding: .5rem 0; }
.chart svg { width: 100%; height: auto; display: block; }
.chart text { fill: var(--muted); font-size: 13px; }
.chart .axis { stroke: var(--border); }
.chart .acc { fill: var(--ok); } .chart .rej { fill: var(--bad); }
.reasons { list-style: none; margin: 0; padding: 0; }
.reasons li { display: grid; grid-template-columns: 1fr auto; gap: .1rem .6rem; padding: .3rem 0; border-bottom: 1px solid var(--border); font-size: .85rem; }
.reasons li:last-child { border-bottom: 0; }
.reasons .reason { overflow-wrap: anywhere; }
.reasons .bar { grid-column: 1 / -1; height: .3rem; border-radius: .2rem; background: var(--bad); opacity: .75; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; }
th, td { text-align: left; padding: .3rem .45rem; border-bottom: 1px solid var(--border); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
.nowrap { white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.recent td.reason { overflow-wrap: anywhere; min-width: 10rem; }
.verdict { display: inline-block; padding: 0 .45rem; border-radius: 1rem; font-size: .75rem; font-weight: 700; color: #fff; }
.verdict.ok { background: var(--ok); } .verdict.bad { background: var(--bad); }
label { display: block; font-size: .85rem; color: var(--muted); margin: .4rem 0 .2rem; }
textarea { width: 100%; padding: .5rem; border-radius: .4rem; border: 1px solid var(--border); background: var(--bg); color: var(--fg); font-size: .8rem; resize: vertical; }
details { margin-top: .5rem; } summary { cursor: pointer; color: var(--muted); font-size: .85rem; }
.actions { display: flex; align-items: center; gap: .8rem; margin-top: .7rem; }
button { font: inherit; font-weight: 600; padding: .45rem 1rem; border-radius: .4rem; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
button.ghost { background: transparent; color: var(--fg); border-color: var(--border); }
button[aria-pressed="true"] { border-color: var(--accent); background: var(--chip); }
button.fail { border-color: var(--bad); }
button:disabled { opacity: .5; cursor: default; }
.verdict-head { display: flex; flex-wrap: wrap; align-items: center; gap: .6rem; margin-bottom: .5rem; }
.verdict-head .verdict { font-size: .9rem; padding: .15rem .7rem; }
.reason-text { font-size: 1.05rem; font-weight: 600; overflow-wrap: anywhere; }
.kv { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .9rem; font-size: .85rem; margin: .6rem 0; }
.kv dt { color: var(--muted); } .kv dd { margin: 0; overflow-wrap: anywhere; }
.trace-inputs, .trace-nav { display: flex; flex-wrap: wrap; gap: .4rem; margin: .6rem 0; align-items: center; }
.phase { margin: .8rem 0; }
.phase h3 { font-size: .9rem; margin: 0 0 .3rem; }
.steps { max-height: 18rem; overflow: auto; border: 1px solid var(--border); border-radius: .4rem; }
.steps tr { cursor: pointer; }
.steps tr.skipped td { opacity: .5; }
.steps tr.current td { background: var(--hl); }
.steps tr.error td { color: var(--bad); font-weight: 700; }
.stackview { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 16rem), 1fr)); gap: .8rem; margin-top: .6rem; }
.stack { display: flex; flex-direction: column; gap: .25rem; }
.stack .item { background: var(--chip); border-radius: .3rem; padding: .2rem .45rem; font-size: .78rem; overflow-wrap: anywhere; }
.stack .item.empty-item { color: var(--muted); font-style: italic; }
pre.extra { background: var(--chip); padding: .5rem; border-radius: .4rem; font-size: .78rem; overflow-x: auto; }
.error-box { color: var(--bad); font-weight: 600; }
footer { text-align: center; color: var(--muted); font-size: .8rem; padding: 1rem 1rem 2rem; }
@media (max-width: 640px) {
  main { padding: .6rem; }
  .big { font-size: 1.6rem; }
  .block { flex-basis: 7.6rem; height: 7.8rem; font-size: .72rem; }
  .block .median { font-size: .9rem; }
  .recent th:nth-child(1), .recent td:nth-child(1) { display: none; }
}
`;
