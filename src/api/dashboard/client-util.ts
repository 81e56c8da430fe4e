/**
 * The dashboard script's helpers (browser JavaScript, served as part of /dashboard.js):
 * DOM and SVG builders that never parse HTML, number formats, the fee-rate colour scale and
 * the two SVG charts (fee-rate histogram, verdicts per second).
 */

export const CLIENT_UTIL = String.raw`
var $ = function (id) { return document.getElementById(id); };
var SVGNS = 'http://www.w3.org/2000/svg';

/** An element: attrs.text sets textContent, attrs.class the class, others are attributes. */
function build(el, attrs, children) {
  if (attrs) for (var k in attrs) {
    var v = attrs[k];
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') el.textContent = String(v);
    else if (k === 'class') el.setAttribute('class', v);
    else el.setAttribute(k, String(v));
  }
  (children || []).forEach(function (c) {
    if (c !== null && c !== undefined) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  });
  return el;
}
function h(tag, attrs, children) { return build(document.createElement(tag), attrs, children); }
function svg(tag, attrs, children) { return build(document.createElementNS(SVGNS, tag), attrs, children); }
function setText(id, text) { var el = $(id); if (el && el.textContent !== text) el.textContent = text; }
function replace(el, children) { el.replaceChildren.apply(el, children); }

function fmtInt(n) { return Math.round(n).toLocaleString('en-US'); }
function fmtRate(r) { return r >= 100 ? fmtInt(r) : r >= 10 ? r.toFixed(1) : r.toFixed(2); }
function fmtVsize(v) { return v >= 1e6 ? (v / 1e6).toFixed(2) + ' MvB' : v >= 1e3 ? (v / 1e3).toFixed(1) + ' kvB' : fmtInt(v) + ' vB'; }
function fmtBytes(b) { return b >= 1e9 ? (b / 1e9).toFixed(1) + ' GB' : b >= 1e6 ? (b / 1e6).toFixed(1) + ' MB' : b >= 1e3 ? (b / 1e3).toFixed(1) + ' kB' : fmtInt(b) + ' B'; }
function fmtBtc(sats) { return (sats / 1e8).toFixed(8).replace(/0{1,5}$/, '') + ' BTC'; }
function short(hash) { return hash ? hash.slice(0, 8) + '…' + hash.slice(-6) : '–'; }
function ago(seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds < 90) return Math.round(seconds) + ' s ago';
  if (seconds < 5400) return Math.round(seconds / 60) + ' min ago';
  if (seconds < 172800) return Math.round(seconds / 3600) + ' h ago';
  return Math.round(seconds / 86400) + ' days ago';
}
function clock(ms) { var d = new Date(ms); return d.toTimeString().slice(0, 8); }

/** Fee rate (sat/vB) to a colour: green for cheap through yellow to red and purple above 200. */
function feeColor(rate) {
  var t = Math.min(1, Math.log(1 + Math.max(0, rate)) / Math.log(301));
  return 'hsl(' + Math.round(150 - t * 190) + ', 62%, ' + Math.round(44 - t * 6) + '%)';
}

/** Bars of vsize per fee-rate bin, up to the highest non-empty bin (at least 10 bins). */
function drawHistogram(bins) {
  var last = 9;
  bins.forEach(function (b, i) { if (b.count > 0 && i > last) last = i; });
  var shown = bins.slice(0, last + 1);
  var W = 600, H = 200, top = 10, bottom = 30, left = 8;
  var bw = (W - left) / shown.length;
  var max = Math.max.apply(null, shown.map(function (b) { return b.vsize; }).concat([1]));
  var kids = [svg('line', { class: 'axis', x1: left, x2: W, y1: H - bottom, y2: H - bottom })];
  shown.forEach(function (b, i) {
    var bh = b.vsize ? Math.max(2, (H - top - bottom) * b.vsize / max) : 0;
    var x = left + i * bw;
    var label = b.to === null ? b.from + '+' : String(b.from);
    var rect = svg('rect', { x: (x + 2).toFixed(1), y: (H - bottom - bh).toFixed(1), width: (bw - 4).toFixed(1), height: bh.toFixed(1), rx: 2, fill: feeColor(b.from) },
      [svg('title', { text: (b.to === null ? '≥ ' + b.from : b.from + '–' + b.to) + ' sat/vB: ' + b.count + ' txs, ' + fmtVsize(b.vsize) })]);
    kids.push(rect);
    if (i % 2 === 0 || shown.length <= 12) kids.push(svg('text', { x: (x + bw / 2).toFixed(1), y: H - bottom + 15, 'text-anchor': 'middle', text: label }));
  });
  kids.push(svg('text', { x: W, y: H - 2, 'text-anchor': 'end', text: 'sat/vB' }));
  kids.push(svg('text', { x: left + 2, y: top + 2, text: 'max ' + fmtVsize(max) }));
  return svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'fee-rate histogram' }, kids);
}

/** Accepted per second upwards, rejected downwards, oldest on the left. */
function drawRates(accepted, rejected) {
  var W = 600, H = 200, mid = 100, n = accepted.length;
  var max = Math.max.apply(null, accepted.concat(rejected, [1]));
  var bw = W / n, half = mid - 14;
  var kids = [svg('line', { class: 'axis', x1: 0, x2: W, y1: mid, y2: mid })];
  for (var i = 0; i < n; i++) {
    var x = (i * bw + 0.5).toFixed(1), w = Math.max(1, bw - 1).toFixed(1);
    if (accepted[i]) { var a = Math.max(1.5, half * accepted[i] / max); kids.push(svg('rect', { class: 'acc', x: x, y: (mid - a).toFixed(1), width: w, height: a.toFixed(1) })); }
    if (rejected[i]) { var r = Math.max(1.5, half * rejected[i] / max); kids.push(svg('rect', { class: 'rej', x: x, y: mid, width: w, height: r.toFixed(1) })); }
  }
  kids.push(svg('text', { x: 2, y: 12, text: '▲ accepted · max ' + max + '/s' }));
  kids.push(svg('text', { x: 2, y: H - 4, text: '▼ rejected' }));
  kids.push(svg('text', { x: W - 2, y: H - 4, 'text-anchor': 'end', text: '−' + n + ' s … now' }));
  return svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'verdicts per second' }, kids);
}
`;
