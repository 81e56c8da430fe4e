/**
 * The dashboard script's live view (browser JavaScript, part of /dashboard.js): polls
 * GET /stats (every 2 s; backing off to 15 s while the server is unreachable) and listens to
 * GET /events, refreshing at once when the mempool changes. EventSource reconnects by itself
 * after a dropped connection; a stream the server refused (closed for good) is reopened
 * with the same backoff. The header's pill says which of the two is working.
 */

export const CLIENT_LIVE = String.raw`
var RECENT_ROWS = 15, POLL_MS = 2000, HIDDEN_POLL_MS = 10000, MAX_BACKOFF_MS = 15000;
var conn = { poll: false, sse: false, everPolled: false };
var pollTimer = null, inflight = false, again = false, pollBackoff = 0;
var events = null, sseBackoff = 0;

function setConn() {
  var el = $('conn');
  var state = conn.poll && conn.sse ? 'live' : conn.poll ? 'polling' : conn.everPolled ? 'reconnecting' : 'connecting';
  var text = { live: 'live', polling: 'live (polling)', reconnecting: 'reconnecting…', connecting: 'connecting…' }[state];
  el.setAttribute('data-state', state);
  el.textContent = text;
}

function schedule(ms) { clearTimeout(pollTimer); pollTimer = setTimeout(refresh, ms); }

function refresh() {
  if (inflight) { again = true; return; }
  inflight = true;
  fetch('/stats', { cache: 'no-store', headers: { accept: 'application/json' } })
    .then(function (res) { if (!res.ok) throw new Error('HTTP ' + res.status); return res.json(); })
    .then(function (st) {
      conn.poll = true; conn.everPolled = true; pollBackoff = 0;
      render(st);
      schedule(document.hidden ? HIDDEN_POLL_MS : POLL_MS);
    }, function () {
      conn.poll = false;
      pollBackoff = Math.min(pollBackoff ? pollBackoff * 2 : 1000, MAX_BACKOFF_MS);
      schedule(pollBackoff);
    })
    .then(function () {
      inflight = false; setConn();
      if (again) { again = false; schedule(0); }
    });
}

/** Many events in a burst cost one refresh. */
var soonTimer = null;
function soon() { if (!soonTimer) soonTimer = setTimeout(function () { soonTimer = null; schedule(0); }, 100); }

function openEvents() {
  events = new EventSource('/events');
  events.onopen = function () { sseBackoff = 0; conn.sse = true; setConn(); soon(); };
  ['added', 'removed', 'missed'].forEach(function (type) { events.addEventListener(type, soon); });
  events.onerror = function () {
    conn.sse = false; setConn();
    if (events.readyState === EventSource.CLOSED) {
      sseBackoff = Math.min(sseBackoff ? sseBackoff * 2 : 1000, MAX_BACKOFF_MS);
      setTimeout(openEvents, sseBackoff);
    }
  };
}

function render(st) {
  setText('network', String(st.network || st.chain.chain || ''));
  renderTip(st);
  renderMempool(st.mempool);
  renderActivity(st.activity);
  renderBlocks(st.blocks);
  replace($('histogram'), [drawHistogram(st.histogram)]);
}

function renderTip(st) {
  var c = st.chain;
  setText('tip-height', fmtInt(c.height));
  setText('tip-hash', short(c.hash));
  $('tip-hash').title = c.hash;
  var age = c.time ? ' · block ' + ago(st.now / 1000 - c.time) : '';
  setText('tip-sync', c.synced ? 'synced' + age : 'syncing: headers to ' + fmtInt(c.headers) + age);
  document.title = 'txgate · ' + c.height + ' · ' + st.mempool.count + ' txs';
}

function renderMempool(m) {
  setText('mempool-count', fmtInt(m.count));
  setText('mempool-size', fmtVsize(m.vsize) + ' · ' + fmtBytes(m.usage) + ' of ' + fmtBytes(m.maxMempool) + ' memory');
  setText('mempool-minfee', 'minimum fee ' + fmtRate(m.minFeeRate) + ' sat/vB · fees ' + fmtBtc(m.totalFee));
}

function sumLast(xs, n) { var s = 0; for (var i = Math.max(0, xs.length - n); i < xs.length; i++) s += xs[i]; return s; }

function renderActivity(a) {
  setText('rate-accepted', fmtRate(sumLast(a.accepted, 10) / 10));
  setText('rate-rejected', fmtRate(sumLast(a.rejected, 10) / 10));
  setText('rate-totals', 'over the last 10 s · since start ' + fmtInt(a.totals.accepted) + ' accepted, ' + fmtInt(a.totals.rejected) + ' rejected');
  replace($('rates'), [drawRates(a.accepted, a.rejected)]);
  setText('reasons-window', 'last ' + Math.round(a.reasonWindow / 60) + ' minutes');
  var top = a.reasons.length ? a.reasons[0].count : 1;
  var items = a.reasons.map(function (r) {
    var bar = h('span', { class: 'bar' });
    bar.style.width = (100 * r.count / top).toFixed(1) + '%';
    return h('li', null, [h('span', { class: 'reason mono', text: r.reason }), h('span', { class: 'num', text: fmtInt(r.count) }), bar]);
  });
  replace($('reasons'), items.length ? items : [h('li', { class: 'empty', text: 'no rejects' })]);
  var rows = a.recent.slice(0, RECENT_ROWS).map(function (v) {
    return h('tr', { 'data-txid': v.txid || '' }, [
      h('td', { class: 'mono nowrap', text: clock(v.time) }),
      h('td', { class: 'mono nowrap', title: v.txid || '', text: short(v.txid) }),
      h('td', null, [h('span', { class: 'verdict ' + (v.allowed ? 'ok' : 'bad'), text: v.allowed ? (v.source === 'submit' ? 'admitted' : 'valid') : 'rejected' })]),
      h('td', { class: 'num', text: v.feerate === undefined ? '' : fmtRate(v.feerate) }),
      h('td', { class: 'reason mono', text: v.reason || '' }),
    ]);
  });
  replace($('recent').tBodies[0], rows.length ? rows : [h('tr', null, [h('td', { colspan: 5, class: 'empty', text: 'no transactions yet' })])]);
}

function renderBlocks(blocks) {
  var els = blocks.slice(0, 8).map(function (b, i) {
    var lo = b.feeRange.length ? b.feeRange[0] : b.medianFee, hi = b.feeRange.length ? b.feeRange[b.feeRange.length - 1] : b.medianFee;
    var full = Math.min(100, 100 * b.blockVSize / 1e6);
    var bar = h('div', { class: 'full' });
    bar.style.width = Math.max(2, full).toFixed(1) + '%';
    var el = h('div', { class: 'block', title: 'block ' + (i + 1) + ': ' + fmtVsize(b.blockVSize) + ', ' + full.toFixed(1) + ' % full' }, [
      h('div', { class: 'median', text: '~' + fmtRate(b.medianFee) + ' sat/vB' }),
      h('div', { text: fmtRate(lo) + ' – ' + fmtRate(hi) }),
      h('div', { text: fmtInt(b.nTx) + ' txs' }),
      h('div', { text: fmtBtc(b.totalFees) }),
      h('div', { class: 'when', text: i === 0 ? 'next block' : 'in ~' + (i + 1) * 10 + ' min' }),
      bar,
    ]);
    el.style.background = 'linear-gradient(to top, ' + feeColor(lo) + ', ' + feeColor(hi) + ')';
    return el;
  });
  replace($('blocks'), els.length ? els : [h('div', { class: 'empty', text: 'The mempool is empty: no projected blocks.' })]);
}

function showView() {
  var inspect = location.hash === '#inspect';
  $('view-live').hidden = inspect;
  $('view-inspect').hidden = !inspect;
  $('tab-live').setAttribute('aria-current', inspect ? 'false' : 'page');
  $('tab-inspect').setAttribute('aria-current', inspect ? 'page' : 'false');
}

function startLive() {
  window.addEventListener('hashchange', showView);
  document.addEventListener('visibilitychange', function () { if (!document.hidden) schedule(0); });
  showView();
  setConn();
  refresh();
  openEvents();
}
`;
