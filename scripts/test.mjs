#!/usr/bin/env node
// The whole test suite on Node, Bun and Deno, one after the other (the machine has two
// cores; the runtimes would only fight over them). The same test files run everywhere;
// test/node, test/bun and test/deno add runtime-only smoke tests.
// Usage: node scripts/test.mjs [node|bun|deno ...] [-- file filters]
// Prints one closing line for the whole run: `N passed, N failed[, N skipped]`.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNTIMES = ['node', 'bun', 'deno'];
const argv = process.argv.slice(2);
const dd = argv.indexOf('--');
const names = (dd < 0 ? argv : argv.slice(0, dd)).filter((a) => RUNTIMES.includes(a));
const filters = dd < 0 ? [] : argv.slice(dd + 1);
const chosen = names.length ? names : RUNTIMES;

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p).split(sep).join('/'));
  }
  return out;
}
const all = walk(join(root, 'test'));
function filesFor(rt) {
  return all.filter((f) => {
    const seg = f.split('/')[1];
    if (RUNTIMES.includes(seg) && seg !== rt) return false;
    return filters.length === 0 || filters.some((x) => f.includes(x));
  });
}

const bin = (n) => join(root, 'node_modules', '.bin', n);
const commands = {
  node: (files) => [process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files]],
  bun: (files) => [bin('bun'), ['test', '--timeout', '600000', ...files.map((f) => './' + f)]],
  deno: (files) => [bin('deno'), ['test', '-A', '--unstable-ffi', '--no-check', ...files]],
};

// Each runner's own summary, read from its output.
const parsers = {
  node: (s) => ({ pass: num(s, /^ℹ pass (\d+)/m), fail: num(s, /^ℹ fail (\d+)/m) + num(s, /^ℹ cancelled (\d+)/m), skip: num(s, /^ℹ skipped (\d+)/m) + num(s, /^ℹ todo (\d+)/m) }),
  bun: (s) => ({ pass: num(s, /^\s*(\d+) pass$/m), fail: num(s, /^\s*(\d+) fail$/m), skip: num(s, /^\s*(\d+) skip$/m) + num(s, /^\s*(\d+) todo$/m) }),
  deno: (s) => {
    const m = s.match(/^(?:ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?(?: \| (\d+) ignored(?: \((\d+) steps?\))?)?/m);
    if (!m) return { pass: 0, fail: 0, skip: 0 };
    const n = (i) => Number(m[i] ?? 0);
    return { pass: n(1) + n(2), fail: n(3) + n(4), skip: n(5) + n(6) };
  },
};
function num(s, re) { const m = s.match(re); return m ? Number(m[1]) : 0; }

function run(rt) {
  const files = filesFor(rt);
  if (files.length === 0) return Promise.resolve({ pass: 0, fail: 0, skip: 0, code: 0 });
  const [cmd, args] = commands[rt](files);
  console.log(`\n=== ${rt}: ${files.length} test files ===`);
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, NO_COLOR: '1', TXGATE_TEST_RUNTIME: rt } });
    let out = '';
    const tee = (stream, sink) => stream.on('data', (d) => { out += d; sink.write(d); });
    tee(child.stdout, process.stdout);
    tee(child.stderr, process.stderr);
    child.on('error', (e) => { out += String(e); resolve({ pass: 0, fail: 1, skip: 0, code: 1 }); });
    child.on('close', (code) => {
      const r = parsers[rt](out.replace(/\x1b\[[0-9;]*m/g, ''));
      // A runner that crashed before reporting still counts as a failure.
      if (code !== 0 && r.fail === 0) r.fail = 1;
      resolve({ ...r, code });
    });
  });
}

const totals = { pass: 0, fail: 0, skip: 0 };
const lines = [];
for (const rt of chosen) {
  const r = await run(rt);
  totals.pass += r.pass; totals.fail += r.fail; totals.skip += r.skip;
  lines.push(`${rt}: ${r.pass} passed, ${r.fail} failed, ${r.skip} skipped`);
}
console.log('\n' + lines.join('\n'));
console.log(`${totals.pass} passed, ${totals.fail} failed, ${totals.skip} skipped`);
process.exit(totals.fail > 0 || totals.pass === 0 ? 1 : 0);
