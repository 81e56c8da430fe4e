/**
 * GET /docs: a self-contained API reference page. It fetches /openapi.json from the same
 * server and renders every operation (parameters, request bodies, responses, schemas with
 * their $refs resolved); its Content-Security-Policy lets it load nothing from anywhere else.
 */

export const DOCS_CSP = "default-src 'none'; connect-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:";

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--mute:#5b6570;--line:#d8dde3;--code:#f3f5f7;--get:#1565c0;--post:#2e7d32}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ec;--bg:#14171a;--mute:#9aa4ae;--line:#2c3238;--code:#1d2226;--get:#64b5f6;--post:#81c784}}
body{margin:0;font:15px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:1rem 1.5rem;border-bottom:1px solid var(--line)}h1{margin:0;font-size:1.4rem}
main{display:flex;gap:1.5rem;padding:1rem 1.5rem}nav{flex:0 0 16rem;position:sticky;top:0;align-self:flex-start;max-height:100vh;overflow:auto}
nav a{display:block;color:inherit;text-decoration:none;font-size:.85rem;padding:.1rem 0}nav h3{margin:.8rem 0 .2rem;font-size:.8rem;text-transform:uppercase;color:var(--mute)}
section.op{border:1px solid var(--line);border-radius:6px;margin:0 0 1rem;padding:.6rem 1rem}
.m{font:600 .75rem monospace;padding:.1rem .4rem;border-radius:3px;color:var(--bg);background:var(--get);margin-right:.5rem}.m.post{background:var(--post)}
code,pre{font:13px/1.4 ui-monospace,monospace;background:var(--code)}pre{padding:.5rem;overflow:auto;border-radius:4px}
.mute{color:var(--mute)}table{border-collapse:collapse}td{padding:.1rem .6rem .1rem 0;vertical-align:top}
@media (max-width:720px){main{display:block}nav{position:static;max-height:none}}`;

const SCRIPT = `
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
let doc;
function deref(s) { return s && s.$ref ? deref(doc.components.schemas[s.$ref.split('/').pop()]) : s; }
function type(s, depth, seen) {
  if (!s) return 'any';
  const name = s.$ref ? s.$ref.split('/').pop() : null;
  if (name) return seen.has(name) || depth > 6 ? esc(name) : esc(name) + ' ' + type(deref(s), depth, new Set([...seen, name]));
  const pad = '  '.repeat(depth + 1);
  for (const k of ['anyOf', 'oneOf']) if (s[k]) return s[k].map((x) => type(x, depth, seen)).join(' | ');
  if (s.type === 'array') return (s.prefixItems ? '[' + s.prefixItems.map((x) => type(x, depth, seen)).join(', ') + ']' : 'array of ' + type(s.items, depth, seen));
  if (s.type === 'object' || s.properties) {
    const req = new Set(s.required || []);
    const props = Object.entries(s.properties || {}).map(([k, v]) => pad + esc(k) + (req.has(k) ? '' : '?') + ': ' + type(v, depth + 1, seen) +
      (v.description ? '  <span class="mute">// ' + esc(v.description) + '</span>' : ''));
    return props.length ? '{\\n' + props.join('\\n') + '\\n' + '  '.repeat(depth) + '}' : 'object';
  }
  let t = s.const !== undefined ? JSON.stringify(s.const) : s.enum ? s.enum.map((x) => JSON.stringify(x)).join(' | ') : (Array.isArray(s.type) ? s.type.join(' | ') : s.type || 'any');
  const facts = [];
  if (s.pattern) facts.push('pattern ' + s.pattern);
  if (s.minimum !== undefined) facts.push('≥ ' + s.minimum);
  if (s.maximum !== undefined) facts.push('≤ ' + s.maximum);
  if (s.exclusiveMaximum !== undefined) facts.push('< ' + s.exclusiveMaximum);
  return esc(t) + (facts.length ? ' <span class="mute">(' + esc(facts.join(', ')) + ')</span>' : '');
}
function content(c) {
  return Object.entries(c || {}).map(([media, m]) => '<div><code>' + esc(media) + '</code>' + (m.schema ? '<pre>' + type(m.schema, 0, new Set()) + '</pre>' : '') + '</div>').join('');
}
function render() {
  document.title = doc.info.title + ' API';
  document.querySelector('h1').textContent = doc.info.title + ' API ' + doc.info.version;
  document.querySelector('#about').textContent = doc.info.description || '';
  const byTag = new Map((doc.tags || []).map((t) => [t.name, []]));
  for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) {
    const tag = (op.tags || ['other'])[0];
    if (!byTag.has(tag)) byTag.set(tag, []);
    byTag.get(tag).push({ path, method, op });
  }
  let nav = '', body = '', n = 0;
  for (const [tag, ops] of byTag) {
    if (!ops.length) continue;
    nav += '<h3>' + esc(tag) + '</h3>';
    body += '<h2>' + esc(tag) + '</h2>';
    for (const { path, method, op } of ops) {
      const id = 'op' + n++;
      nav += '<a href="#' + id + '"><span class="m ' + method + '">' + method.toUpperCase() + '</span>' + esc(path) + '</a>';
      let h = '<section class="op" id="' + id + '"><h3><span class="m ' + method + '">' + method.toUpperCase() + '</span><code>' + esc(path) + '</code></h3>';
      if (op.summary) h += '<p><b>' + esc(op.summary) + '</b></p>';
      if (op.description) h += '<p>' + esc(op.description) + '</p>';
      if (op.parameters && op.parameters.length) h += '<h4>Parameters</h4><table>' + op.parameters.map((p) =>
        '<tr><td><code>' + esc(p.name) + '</code></td><td class="mute">' + esc(p.in) + (p.required ? ', required' : '') + '</td><td>' + type(p.schema, 0, new Set()) + '</td><td>' + esc(p.description || '') + '</td></tr>').join('') + '</table>';
      if (op.requestBody) h += '<h4>Request body</h4>' + content(op.requestBody.content);
      h += '<h4>Responses</h4>' + Object.entries(op.responses || {}).map(([code, r]) => '<div><b>' + esc(code) + '</b> ' + esc(r.description || '') + content(r.content) + '</div>').join('');
      body += h + '</section>';
    }
  }
  document.querySelector('nav').innerHTML = nav;
  document.querySelector('#ops').innerHTML = body;
}
fetch('openapi.json').then((r) => r.json()).then((d) => { doc = d; render(); })
  .catch((e) => { document.querySelector('#ops').textContent = 'could not load openapi.json: ' + e; });`;

/** The page's HTML. */
export function docsPage(title: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} API</title><style>${STYLE}</style></head><body>
<header><h1>${title} API</h1><p id="about" class="mute"></p><p class="mute">The OpenAPI 3.1 document: <a href="openapi.json">/openapi.json</a></p></header>
<main><nav></nav><div id="ops">loading…</div></main><script>${SCRIPT}</script></body></html>`;
}
