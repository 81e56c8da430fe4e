#!/usr/bin/env node
/**
 * HTTP fuzzer for bench/fuzz-http.bench.ts (its own Node process, so its CPU is not the
 * server's). Plain Node, no TypeScript loader:
 *
 *   node bench/fuzz-loadgen.mjs '{"url":"http://127.0.0.1:PORT","count":1000000,"concurrency":64,
 *     "seed":1,"token":"…","rpcAuth":"user:pass","deadlineMs":15000}'
 *
 * `concurrency` loops each keep one raw node:net connection (HTTP/1.1 keep-alive) and send
 * `count` requests in all, each built at random (seeded) from: every route and method,
 * unknown paths and methods, good and bad Content-Types and Authorization headers, bodies of
 * random bytes, hex (good, odd-length, non-hex), raw transactions (well-formed, truncated,
 * bit-flipped), JSON (good, truncated, oversized, deeply nested up to 100,000 levels,
 * wrong types), batches past the limits, JSON-RPC calls (good, bad params, deep ids, huge
 * batches), chunked bodies, and malformed request heads (bad Content-Length, junk header
 * lines, bare LF, oversized headers).
 * A request is done when its whole response was read, or the server closed the connection
 * (then the loop reconnects); a request neither answered nor closed within `deadlineMs` is a
 * hang. Only loopback targets are accepted.
 * Prints one JSON line: requests, status histogram, closes without answer, hangs, samples of
 * 5xx answers, requests per second, CPU used.
 */
import net from 'node:net';

const cfg = JSON.parse(process.argv[2] ?? '{}');
const url = new URL(cfg.url);
if (!['127.0.0.1', 'localhost'].includes(url.hostname)) {
  console.error(`fuzz-loadgen: refusing non-loopback target ${url.hostname}`);
  process.exit(2);
}
const COUNT = cfg.count ?? 10_000;
const CONC = cfg.concurrency ?? 64;
const DEADLINE = cfg.deadlineMs ?? 15_000;
/** Wall-clock cap: no new request after this many ms (default none). */
const DURATION = cfg.durationMs ?? Infinity;
const TOKEN = cfg.token ?? 'fuzz-token';
const RPC_AUTH = Buffer.from(cfg.rpcAuth ?? 'fuzz:fuzz').toString('base64');

// xorshift32, seeded: the same run every time for a seed.
let state = (cfg.seed ?? 1) >>> 0 || 1;
function rnd() {
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state / 0x100000000;
}
const int = (n) => Math.floor(rnd() * n);
const pick = (a) => a[int(a.length)];
const chance = (p) => rnd() < p;
const hex = (n) => { let s = ''; for (let i = 0; i < n; i++) s += (int(256) | 0x100).toString(16).slice(1); return s; };
const randomBytes = (n) => { const b = Buffer.allocUnsafe(n); for (let i = 0; i < n; i++) b[i] = int(256); return b; };

/** A well-formed transaction (random prevout: the node answers missing inputs) as hex. */
function txHex() {
  const ins = 1 + int(3);
  let s = '02000000' + (chance(0.5) ? '0001' : '') + ins.toString(16).padStart(2, '0');
  for (let i = 0; i < ins; i++) s += hex(32) + '00000000' + '00' + 'fdffffff';
  s += '01' + 'e803000000000000' + '160014' + hex(20);
  if (s.startsWith('020000000001')) for (let i = 0; i < ins; i++) s += '02' + '47' + hex(71) + '21' + '02' + hex(32);
  return s + '00000000';
}
function mutateHex(h) {
  switch (int(5)) {
    case 0: return h.slice(0, int(h.length));                           // truncated
    case 1: return h + hex(1 + int(8));                                  // trailing bytes
    case 2: { const i = int(h.length); return h.slice(0, i) + pick('0123456789abcdefgxZ ') + h.slice(i + 1); } // flipped / non-hex
    case 3: return h + '0';                                              // odd length
    default: return h.replace(/^02000000(0001)?0[1-3]/, '02000000fdffff');   // huge CompactSize
  }
}
const nest = (depth, inner = '1', open = '[', close = ']') => open.repeat(depth) + inner + close.repeat(depth);
const deep = () => { const d = pick([63, 64, 65, 100, 1000, 50_000, 100_000]); return chance(0.5) ? nest(d) : nest(d, '1', '{"a":', '}'); };

function jsonBody() {
  switch (int(12)) {
    case 0: return JSON.stringify({ tx: txHex() });
    case 1: return JSON.stringify({ tx: mutateHex(txHex()), maxfeerate: pick([0, 0.1, 1, -1, 'x', 1e308]) });
    case 2: return JSON.stringify(Array.from({ length: pick([0, 1, 5, 100, 101, 1000]) }, () => ({ tx: txHex() })));
    case 3: { const t = JSON.stringify({ tx: txHex(), prevouts: [{ scriptPubKey: '0014' + hex(20), amount: 1e6 }] }); return t.slice(0, int(t.length)); }
    case 4: return `{"tx":${deep()}}`;
    case 5: return deep();
    case 6: return JSON.stringify({ tx: txHex(), prevouts: Array.from({ length: int(4) }, () => ({ scriptPubKey: mutateHex('0014' + hex(20)), amount: pick([1, -1, 2.5, '1', 21e14, null]) })), at: { height: pick([0, -1, 1e10, 'a']), mtp: 0 } });
    case 7: return JSON.stringify({ tx: txHex(), trace: pick([true, 'failed', 'x', 1]) });
    case 8: return pick(['', 'null', '[]', '{}', '"x"', '1', 'true', '{"tx":null}', '\u0000', '{"tx":"' + '0'.repeat(3_000_000) + '"}']);
    case 9: return JSON.stringify({ tx: txHex(), ['_'.repeat(int(100))]: 'x'.repeat(int(10_000)) });
    case 10: return randomBytes(int(200)).toString('latin1');
    default: return JSON.stringify({ tx: txHex(), extra: { a: [1, { b: [2] }] } });
  }
}
const RPC_METHODS = ['getblockcount', 'getbestblockhash', 'getblockchaininfo', 'getmempoolinfo', 'getrawmempool', 'testmempoolaccept',
  'sendrawtransaction', 'submitpackage', 'decoderawtransaction', 'decodescript', 'getrawtransaction', 'gettxout', 'getmempoolentry',
  'getmempoolancestors', 'getmempooldescendants', 'estimatesmartfee', 'getnetworkinfo', 'uptime', 'help', 'nosuchmethod', 'stop'];
function rpcParams() {
  return pick([[], [txHex()], [[txHex()]], [[txHex(), txHex()], 0.1], [mutateHex(txHex())], [hex(32), 0], [hex(32), true], { hexstring: txHex() },
    { nosuch: 1 }, ['x', 'y', 'z', 'w'], [1e308], [null], [deep()], [6, 'ECONOMICAL']]);
}
function rpcBody() {
  const one = () => {
    const o = { method: pick(RPC_METHODS), params: rpcParams() };
    if (chance(0.5)) o.jsonrpc = pick(['2.0', '1.0', '3.0', 2]);
    if (chance(0.8)) o.id = pick([1, 'a', null, [1], { x: 1 }]);
    return o;
  };
  switch (int(8)) {
    case 0: return `{"method":"getblockcount","id":${deep()}}`;
    case 1: return JSON.stringify(Array.from({ length: pick([0, 1, 10, 1000, 1001, 5000]) }, () => ({ method: 'getblockcount', id: 1 })));
    case 2: { const t = JSON.stringify(one()); return t.slice(0, int(t.length)); }
    case 3: return JSON.stringify(Array.from({ length: 1 + int(10) }, one));
    case 4: return randomBytes(int(300)).toString('latin1');
    default: return JSON.stringify(one());
  }
}

const GETS = ['/health', '/info', '/metrics', '/chain/tip', '/mempool', '/mempool/txids', '/mempool/orphans', '/mempool/blocks', '/fees/recommended',
  '/stats', '/', '/openapi.json', '/docs', '/api/mempool', '/api/mempool/txids', '/api/blocks/tip/height', '/api/blocks/tip/hash',
  '/api/v1/fees/recommended', '/api/v1/fees/mempool-blocks', '/events'];
const PARAM_GETS = () => pick([`/utxo/${hex(32)}/${int(5)}`, `/utxo/${hex(int(40))}/${pick(['x', '-1', '4294967296', '99999999999'])}`,
  `/mempool/tx/${hex(32)}`, `/mempool/tx/${'z'.repeat(64)}`, `/mempool/top?limit=${pick(['1', '0', '1001', 'x', '25'])}`,
  `/api/tx/${hex(32)}`, `/api/tx/${hex(32)}/hex`, `/api/tx/${hex(32)}/status`, `/api/tx/${hex(int(40))}`]);
const POSTS = ['/validate', '/validate?trace=1', '/validate?trace=failed', '/validate?trace=x', '/tx', '/blocks', '/api/tx', '/', '/rpc'];
const JUNK_PATHS = () => pick(['/nope', '/' + 'a'.repeat(int(5000)), '/%00', '/../../etc/passwd', '//validate', '/validate/', '/VALIDATE', '/rpc?x=' + 'y'.repeat(int(3000)), '*', '/\u00ff']);
const TYPES = ['application/octet-stream', 'text/plain', 'application/json', 'application/json; charset=utf-8', 'text/plain;charset=x', 'multipart/form-data; boundary=x', '', 'application/x-www-form-urlencoded', 'TEXT/PLAIN'];

/**
 * Bodies are drawn from pools built once (the generators above are too slow to run per
 * request at these rates): POOL variants per generator, picked at random per request.
 */
const POOL = cfg.pool ?? 4000;
const pool = (f) => { const a = Array.from({ length: POOL }, f); return () => pick(a); };
const poolJson = pool(jsonBody);
const poolRpc = pool(rpcBody);
const poolTxHex = pool(txHex);
const poolBadHex = pool(() => mutateHex(txHex()));
const poolRandom = pool(() => randomBytes(int(chance(0.01) ? 3_000_000 : 2000)));
const poolTxRaw = pool(() => Buffer.from(txHex(), 'hex'));
const poolBlock = pool(() => randomBytes(80 + int(400)));
const ADDRESSES = Array.from({ length: cfg.addresses ?? 16 }, (_, i) => `127.0.0.${i + 1}`);

/** One request as raw bytes; `expectBody` false for HEAD; `stream` true for GET /events. */
function buildRequest() {
  let method, path, body = null, type = null;
  const headers = [];
  const r = rnd();
  if (r < 0.18) { method = pick(['GET', 'GET', 'HEAD']); path = chance(0.7) ? pick(GETS) : PARAM_GETS(); }
  else if (r < 0.93) {
    method = 'POST';
    path = pick(POSTS);
    const isRpc = path === '/' || path === '/rpc';
    if (isRpc) { type = chance(0.8) ? 'application/json' : pick(TYPES); body = poolRpc(); }
    else {
      type = pick(TYPES);
      const k = int(6);
      if (k === 0 || type.startsWith('application/json')) body = poolJson();
      else if (k === 1) body = poolRandom();
      else if (k === 2) body = poolTxRaw();
      else if (k === 3) body = poolBadHex();
      else if (k === 4) body = path === '/blocks' ? poolBlock() : poolTxHex();
      else body = '';
    }
  } else if (r < 0.97) { method = pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'FOO', 'GET', 'POST']); path = chance(0.5) ? JUNK_PATHS() : pick([...POSTS, ...GETS]); body = chance(0.5) ? poolBlock() : null; }
  else { return malformedHead(); }
  // Authorization: none, right, wrong, garbage.
  const a = rnd();
  const isRpc = path === '/' && method === 'POST' || path === '/rpc';
  if (a < 0.45) headers.push(`Authorization: ${isRpc ? `Basic ${RPC_AUTH}` : `Bearer ${TOKEN}`}`);
  else if (a < 0.6) headers.push(`Authorization: ${pick([`Basic ${Buffer.from('fuzz:' + hex(4)).toString('base64')}`, 'Bearer wrong', 'Basic !!!', 'Bearer', 'Basic ' + 'A'.repeat(int(4000)), `Bearer ${TOKEN}x`])}`);
  if (type !== null && (type !== '' || chance(0.5))) headers.push(`Content-Type: ${type}`);
  if (chance(0.05)) headers.push(`X-Junk-${int(1000)}: ${'v'.repeat(int(2000))}`);
  if (chance(0.05)) headers.push(`Last-Event-ID: ${pick(['1', '-1', 'abc', '999999999999999999'])}`);
  const buf = body === null ? null : Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1');
  const chunked = buf !== null && chance(0.1);
  if (buf !== null && !chunked) headers.push(`Content-Length: ${buf.length}`);
  if (chunked) headers.push('Transfer-Encoding: chunked');
  const head = Buffer.from(`${method} ${path} HTTP/1.1\r\nHost: ${url.host}\r\n${headers.map((h) => h + '\r\n').join('')}\r\n`, 'latin1');
  let payload = buf ?? Buffer.alloc(0);
  if (chunked) {
    const parts = [];
    for (let at = 0; at < buf.length;) {
      const n = Math.min(buf.length - at, 1 + int(70_000));
      parts.push(Buffer.from(n.toString(16) + '\r\n'), buf.subarray(at, at + n), Buffer.from('\r\n'));
      at += n;
    }
    parts.push(Buffer.from('0\r\n\r\n'));
    payload = Buffer.concat(parts);
  }
  return { bytes: Buffer.concat([head, payload]), head: method === 'HEAD', stream: path === '/events' && method === 'GET', label: `${method} ${path.slice(0, 40)}` };
}

/** Request heads the runtimes' parsers must refuse (or survive); the body, if any, is complete. */
function malformedHead() {
  const variants = [
    'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
    'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
    'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nab',
    'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n',
    'POST /validate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
    'POST /validate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n',
    'GET /health HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n',
    'GET /health HTTP/1.1\nHost: x\n\n',
    'GET /health HTTP/9.9\r\nHost: x\r\n\r\n',
    'GET\r\n\r\n',
    '\x00\x01\x02\x03 / HTTP/1.1\r\n\r\n',
    `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`,
    'GET /health HTTP/1.0\r\n\r\n',
    'POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}',
  ];
  return { bytes: Buffer.from(pick(variants), 'latin1'), head: false, stream: false, malformed: true, label: 'malformed head' };
}

const statuses = new Map();
const fiveXX = [];
let sent = 0, answered = 0, closedUnanswered = 0, hangs = 0, deliberate5xx = 0, unexpected5xx = 0;
const hangSamples = [];

/** Reads one HTTP response from the socket's incoming buffer; returns {status, body, rest, close} or null if incomplete. */
function parseResponse(buf, headOnly, stream) {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = buf.subarray(0, end).toString('latin1');
  const status = Number(head.slice(9, 12));
  if (stream) return { status, body: null, rest: Buffer.alloc(0) };
  if (status === 100) return { status, body: Buffer.alloc(0), rest: buf.subarray(end + 4), informational: true };
  const lower = head.toLowerCase();
  const close = /\r\nconnection: *close/.test(lower);
  const cl = /\r\ncontent-length: *(\d+)/.exec(lower);
  let at = end + 4;
  if (headOnly || status === 204 || status === 304) return { status, body: Buffer.alloc(0), rest: buf.subarray(at), close };
  if (cl) {
    const n = Number(cl[1]);
    if (buf.length < at + n) return null;
    return { status, body: buf.subarray(at, at + n), rest: buf.subarray(at + n), close };
  }
  if (/\r\ntransfer-encoding: *chunked/.test(lower)) {
    const parts = [];
    for (;;) {
      const eol = buf.indexOf('\r\n', at);
      if (eol < 0) return null;
      const n = parseInt(buf.subarray(at, eol).toString('latin1'), 16);
      if (buf.length < eol + 2 + n + 2) return null;
      if (n === 0) return { status, body: Buffer.concat(parts), rest: buf.subarray(eol + 4), close };
      parts.push(buf.subarray(eol + 2, eol + 2 + n));
      at = eol + 2 + n + 2;
    }
  }
  return { status, body: null, rest: Buffer.alloc(0), close: true, untilClose: true, at };
}

const slow = new Map();
function record(status, req, body) {
  const ms = performance.now() - req.t0;
  const k = `${req.label.replace(/[0-9a-f]{20,}/g, 'H').slice(0, 30)} ${status}`;
  const e = slow.get(k) ?? [0, 0];
  e[0] += ms; e[1]++;
  slow.set(k, e);
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
  answered++;
  if (status >= 500) {
    const text = body ? body.subarray(0, 200).toString('latin1') : '';
    // 503: load shedding (busy, too many bodies in flight); 500 with a JSON-RPC error object:
    // Core's HTTP status for a legacy (1.0) request whose method failed (httprpc.cpp).
    const isDeliberate = status === 503 || (status === 500 && /"error":\{"code":-?\d+/.test(text) && (req.label.startsWith('POST /') ));
    if (isDeliberate) deliberate5xx++;
    else unexpected5xx++;
    if (fiveXX.length < 20 && (!isDeliberate || fiveXX.length < 5)) fiveXX.push({ status, req: req.label, deliberate: isDeliberate, body: text });
  }
}

function loop(id) {
  return new Promise((resolveLoop) => {
    let sock = null, buf = Buffer.alloc(0), current = null, timer = null, connecting = false;
    const finish = () => { clearTimeout(timer); current = null; next(); };
    const open = () => {
      connecting = true;
      buf = Buffer.alloc(0);
      // Several loopback source addresses: several clients to the per-address limits.
      sock = net.connect({ port: Number(url.port), host: url.hostname, localAddress: ADDRESSES[id % ADDRESSES.length] });
      sock.setNoDelay(true);
      const s = sock;
      s.on('connect', () => { connecting = false; if (current) s.write(current.bytes); });
      s.on('data', (d) => { if (s !== sock) return; buf = buf.length ? Buffer.concat([buf, d]) : d; drain(); });
      s.on('error', () => undefined);
      s.on('close', () => {
        if (s !== sock) return;
        sock = null;
        if (current) {
          if (current.untilClose) { record(current.untilClose, current, buf.subarray(current.at)); }
          else closedUnanswered++;
          finish();
        }
      });
    };
    const drain = () => {
      while (current) {
        const r = parseResponse(buf, current.head, current.stream);
        if (!r) return;
        if (r.informational) { buf = r.rest; continue; }
        if (current.stream && r.status !== undefined) {
          // An event stream: its head is the answer; drop the connection.
          record(r.status, current, null);
          const s = sock; sock = null; s.destroy();
          finish();
          return;
        }
        if (r.untilClose) { current.untilClose = r.status; current.at = r.at; return; }
        record(r.status, current, r.body);
        buf = r.rest;
        const closeAfter = r.close || current.malformed;
        if (closeAfter && sock) { const s = sock; sock = null; s.destroy(); }
        finish();
        return;
      }
    };
    const next = () => {
      if (sent >= COUNT || performance.now() - t0 > DURATION) { if (sock) sock.destroy(); resolveLoop(); return; }
      sent++;
      current = buildRequest();
      const req = current;
      req.t0 = performance.now();
      timer = setTimeout(() => {
        if (current !== req) return;
        hangs++;
        if (hangSamples.length < 10) hangSamples.push(req.label);
        if (sock) { const s = sock; sock = null; s.destroy(); }
        finish();
      }, DEADLINE);
      if (!sock || connecting) { if (!sock) open(); }
      else sock.write(req.bytes);
    };
    next();
  });
}

const t0 = performance.now();
const cpu0 = process.cpuUsage();
let lastReport = 0;
const progress = setInterval(() => {
  if (cfg.progress && sent - lastReport >= 100_000) { lastReport = sent; console.error(`fuzz: ${sent} sent, ${Math.round(sent / ((performance.now() - t0) / 1000))}/s`); }
}, 1000);
await Promise.all(Array.from({ length: CONC }, (_, i) => loop(i)));
clearInterval(progress);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({
  requests: sent, answered, closedUnanswered, hangs, hangSamples, deliberate5xx, unexpected5xx,
  statuses: Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])), fiveXX,
  slowest: [...slow].sort((a, b) => b[1][0] - a[1][0]).slice(0, 8).map(([k, [ms, n]]) => `${k}: ${n} × ${Math.round(ms / n)} ms`),
  seconds: Math.round(seconds), perSecond: Math.round(sent / seconds), loadgenCpuS: Math.round((cpu.user + cpu.system) / 1e6),
}));
process.exit(0);
