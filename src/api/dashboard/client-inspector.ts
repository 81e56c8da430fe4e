/**
 * The dashboard script's transaction inspector (browser JavaScript, part of /dashboard.js):
 * posts the pasted transaction (and prevouts, when given) to POST /validate?trace=1 and shows
 * the verdict. When the answer carries a `trace`, it is shown input by input and step by
 * step: `{inputs: [{input, ok, error, message, phases: [{phase, steps: [{offset, opcode,
 * executed, stack, altstack, ...}], sigchecks, result, stoppedAt, ...}]}]}` (a bare list of
 * inputs, or a single input, is read the same way), and fields it does not know are shown as
 * they are.
 */

export const CLIENT_INSPECTOR = String.raw`
var insp = { inputs: [], input: 0, flat: [], at: 0 };

function pick(o, names, dflt) {
  for (var i = 0; i < names.length; i++) if (o && o[names[i]] !== undefined && o[names[i]] !== null) return o[names[i]];
  return dflt;
}

/**
 * The trace as [{index, error, phases: [{name, error, steps, sigchecks, extra}], extra}]. A
 * phase that stopped on an error (stoppedAt: the failing opcode, which leaves no state after
 * it) gets a last step for that opcode, showing the stacks it found.
 */
function traceInputs(trace) {
  if (!trace) return [];
  var list = Array.isArray(trace) ? trace : Array.isArray(trace.inputs) ? trace.inputs : [trace];
  return list.map(function (t, i) {
    var phases = Array.isArray(t.phases) ? t.phases : Array.isArray(t.steps) ? [{ name: 'script', steps: t.steps }] : [];
    var error = pick(t, ['error', 'scriptError'], null);
    return {
      index: pick(t, ['input', 'index', 'vin'], i), error: error === null && t.ok === false ? 'failed' : error, message: t.message || null,
      extra: without(t, ['input', 'index', 'vin', 'ok', 'error', 'scriptError', 'message', 'phases', 'steps', 'bytes']),
      phases: phases.map(function (p, j) {
        var perr = p.result && p.result !== 'ok' ? p.result : pick(p, ['error', 'scriptError'], null);
        var steps = Array.isArray(p.steps) ? p.steps.slice() : [];
        if (p.stoppedAt) {
          var last = steps.length ? steps[steps.length - 1] : { stack: p.stackBefore || [], altstack: [] };
          steps.push({ offset: p.stoppedAt.offset, opcode: p.stoppedAt.opcode || '(end of script)', stack: last.stack, altstack: last.altstack, error: perr || 'stopped', stopped: true });
        }
        return { name: String(pick(p, ['phase', 'name', 'kind', 'type'], 'phase ' + j)), error: perr, steps: steps, sigchecks: Array.isArray(p.sigchecks) ? p.sigchecks : [],
          extra: without(p, ['phase', 'name', 'kind', 'type', 'error', 'scriptError', 'result', 'steps', 'sigchecks', 'stoppedAt', 'stackBefore']) };
      }),
    };
  });
}

function without(o, keys) {
  var out = {}, any = false;
  for (var k in o) if (keys.indexOf(k) < 0) { out[k] = o[k]; any = true; }
  return any ? out : null;
}

/** An object's fields as a definition list: text as it is, anything else as JSON. */
function fields(o) {
  return h('dl', { class: 'kv' }, Object.keys(o).reduce(function (acc, k) {
    var v = o[k];
    return acc.concat([h('dt', { text: k }), h('dd', { class: 'mono', text: typeof v === 'string' ? (v === '' ? '(empty)' : v) : JSON.stringify(v) })]);
  }, []));
}

function stepOpcode(s) { return String(pick(s, ['opcode', 'op', 'name'], '?')); }
function stepSkipped(s) { return s.executed === false || s.skipped === true; }

function inspectSubmit(ev) {
  ev.preventDefault();
  var hex = $('inspect-tx').value.replace(/\s+/g, '');
  var body = { tx: hex };
  var prevouts = $('inspect-prevouts').value.trim();
  setText('inspect-note', '');
  if (!hex) { setText('inspect-note', 'paste a transaction first'); return; }
  if (prevouts) {
    try { body.prevouts = JSON.parse(prevouts); } catch (e) { setText('inspect-note', 'prevouts: ' + e.message); return; }
  }
  $('inspect-go').disabled = true;
  fetch('/validate?trace=1', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    .then(function (res) { return res.json().then(function (j) { return { status: res.status, body: j }; }); })
    .then(function (r) { showVerdict(r.status, r.body); }, function (e) { showVerdict(0, { error: { code: 'network', message: String(e.message || e) } }); })
    .then(function () { $('inspect-go').disabled = false; });
}

function showVerdict(status, v) {
  var box = $('inspect-result');
  box.hidden = false;
  if (v && v.error) {
    replace(box, [h('div', { class: 'verdict-head' }, [h('span', { class: 'verdict bad', text: status ? 'HTTP ' + status : 'error' }), h('span', { class: 'reason-text', text: v.error.code })]),
      h('div', { class: 'error-box', id: 'inspect-reason', text: v.error.message })]);
    return;
  }
  var head = h('div', { class: 'verdict-head' }, [h('span', { class: 'verdict ' + (v.allowed ? 'ok' : 'bad'), text: v.allowed ? 'valid' : 'rejected' }),
    v.kind ? h('span', { class: 'badge', text: v.kind }) : null]);
  var kids = [head];
  if (!v.allowed) kids.push(h('div', { class: 'reason-text mono', id: 'inspect-reason', text: v.reason || '' }));
  var opcode = /\bOP_[A-Z0-9_]+/.exec(v.reason || '');
  var rows = [['failing opcode', opcode ? opcode[0] : null], ['where', v.details], ['txid', v.txid], ['wtxid', v.wtxid], ['vsize', v.vsize === null ? null : v.vsize + ' vB'],
    ['weight', v.weight === null ? null : v.weight + ' WU'], ['fee', v.fee === null ? null : fmtInt(v.fee) + ' sat'], ['fee rate', v.feerate === null ? null : fmtRate(v.feerate) + ' sat/vB']];
  kids.push(h('dl', { class: 'kv' }, rows.filter(function (r) { return r[1] !== null && r[1] !== undefined; }).reduce(function (acc, r) {
    return acc.concat([h('dt', { text: r[0] }), h('dd', { class: 'mono', text: String(r[1]) })]);
  }, [])));
  var trace = h('div', { id: 'trace' });
  kids.push(trace);
  replace(box, kids);
  insp.inputs = traceInputs(v.trace);
  if (!insp.inputs.length) {
    insp.flat = [];
    trace.appendChild(h('p', { class: 'sub', text: v.trace === undefined ? 'This server gives no script trace; the verdict above is Core\'s reason for the failure.'
      : v.trace.unavailable ? 'No script trace: ' + v.trace.unavailable : 'No input was traced.' }));
    return;
  }
  var failing = insp.inputs.findIndex(function (t) { return t.error; });
  selectInput(failing >= 0 ? failing : 0);
}

function selectInput(i) {
  insp.input = i;
  insp.flat = [];
  insp.inputs[i].phases.forEach(function (p, pi) { p.steps.forEach(function (s, si) { insp.flat.push({ phase: pi, step: si }); }); });
  var err = insp.flat.findIndex(function (f) { var s = insp.inputs[i].phases[f.phase].steps[f.step]; return s.error; });
  insp.at = err >= 0 ? err : Math.max(0, insp.flat.length - 1);
  drawTrace();
}

function move(d) {
  if (!insp.flat.length) return;
  insp.at = Math.max(0, Math.min(insp.flat.length - 1, insp.at + d));
  drawTrace();
}

function stackList(title, items) {
  var list = (items || []).slice().reverse().map(function (x) {
    var text = typeof x === 'string' ? x : JSON.stringify(x);
    return h('div', { class: 'item hex', text: text === '' ? '(empty)' : text });
  });
  return h('div', { class: 'stack' }, [h('h2', { text: title + ' (' + (items || []).length + ', top first)' })].concat(list.length ? list : [h('div', { class: 'item empty-item', text: 'empty' })]));
}

function drawTrace() {
  var t = insp.inputs[insp.input], cur = insp.flat[insp.at];
  var inputs = h('div', { class: 'trace-inputs' }, [h('strong', { text: 'Inputs' })].concat(insp.inputs.map(function (x, i) {
    var b = h('button', { type: 'button', class: 'ghost' + (x.error ? ' fail' : ''), 'aria-pressed': i === insp.input ? 'true' : 'false', text: 'input ' + x.index + (x.error ? ' ✗' : ' ✓') });
    b.addEventListener('click', function () { selectInput(i); });
    return b;
  })));
  var kids = [h('h2', { text: 'Script trace' }), inputs];
  if (t.error) kids.push(h('div', { class: 'error-box', id: 'trace-error', text: 'stopped: ' + (typeof t.error === 'string' ? t.error : JSON.stringify(t.error)) + (t.message ? ' — ' + t.message : '') }));
  if (t.extra) kids.push(fields(t.extra));
  t.phases.forEach(function (p, pi) {
    var rows = p.steps.map(function (s, si) {
      var isCur = cur && cur.phase === pi && cur.step === si;
      var tr = h('tr', { class: (stepSkipped(s) ? 'skipped ' : '') + (s.error ? 'error ' : '') + (isCur ? 'current' : '') }, [
        h('td', { class: 'num', text: String(si) }), h('td', { class: 'num', text: String(pick(s, ['offset', 'pc', 'pos'], '')) }),
        h('td', { class: 'mono', text: (s.stopped ? '✗ ' : '') + stepOpcode(s) + (stepSkipped(s) ? ' (skipped)' : '') + (s.error ? ' — ' + s.error : '') }),
        h('td', { class: 'num', text: String((s.stack || []).length) }),
      ]);
      tr.addEventListener('click', function () { insp.at = insp.flat.findIndex(function (f) { return f.phase === pi && f.step === si; }); drawTrace(); });
      return tr;
    });
    kids.push(h('div', { class: 'phase', 'data-phase': pi }, [h('h3', { text: p.name + (p.error ? ' — ' + p.error : '') }),
      p.extra ? fields(p.extra) : null,
      p.sigchecks.some(function (c) { return c.step === undefined; }) ? h('pre', { class: 'extra', text: JSON.stringify(p.sigchecks.filter(function (c) { return c.step === undefined; }), null, 1) }) : null,
      rows.length ? h('div', { class: 'steps' }, [h('table', null, [h('thead', null, [h('tr', null, [h('th', { class: 'num', text: '#' }), h('th', { class: 'num', text: 'offset' }), h('th', { text: 'opcode' }), h('th', { class: 'num', text: 'stack' })])]), h('tbody', null, rows)])]) : h('div', { class: 'sub', text: 'no steps' })]));
  });
  if (cur) {
    var step = t.phases[cur.phase].steps[cur.step];
    var prev = h('button', { type: 'button', class: 'ghost', text: '← previous' }), next = h('button', { type: 'button', class: 'ghost', text: 'next →' });
    prev.disabled = insp.at === 0; next.disabled = insp.at === insp.flat.length - 1;
    prev.addEventListener('click', function () { move(-1); });
    next.addEventListener('click', function () { move(1); });
    kids.push(h('div', { class: 'trace-nav' }, [prev, next, h('span', { class: 'mono', id: 'trace-step', text: t.phases[cur.phase].name + ' · step ' + cur.step + ' · ' + stepOpcode(step) + (step.error ? ' — ' + step.error : '') })]));
    if (step.stopped) kids.push(h('div', { class: 'sub', text: 'The opcode that failed: the stacks as it found them.' }));
    kids.push(h('div', { class: 'stackview' }, [stackList('stack', step.stack), stackList('altstack', step.altstack)]));
    var rest = without(step, ['opcode', 'op', 'name', 'offset', 'pc', 'pos', 'stack', 'altstack', 'executed', 'skipped', 'error', 'stopped']);
    if (rest) kids.push(fields(rest));
    var checks = t.phases[cur.phase].sigchecks.filter(function (c) { return c.step === cur.step; });
    if (checks.length) kids.push(h('h2', { text: 'Signature check' }), h('pre', { class: 'extra', text: JSON.stringify(checks.length === 1 ? checks[0] : checks, null, 1) }));
  }
  replace($('trace'), kids);
}

function startInspector() {
  $('inspect-form').addEventListener('submit', inspectSubmit);
  document.addEventListener('keydown', function (e) {
    if ($('view-inspect').hidden || !insp.flat.length || /TEXTAREA|INPUT/.test(document.activeElement.tagName)) return;
    if (e.key === 'ArrowLeft') move(-1);
    if (e.key === 'ArrowRight') move(1);
  });
}
`;
