#!/bin/bash
# temp: start a server, run the load while perf records the server process by thread.
set -e
RT="$1"; W="$2"; SET="$3"; B="$4"
D=$(ls bench/out/server-data-v1-mix1200*.json)
node - "$RT" "$W" "$SET" "$B" "$D" <<'JS'
const cp = require('node:child_process'); const fs = require('node:fs');
const [rt, w, set, b, dataPath] = process.argv.slice(2);
(async () => {
const data = JSON.parse(fs.readFileSync(dataPath, 'utf8'));
const a = JSON.parse(rt);
const c = cp.spawn(a[0], [...a.slice(1), 'src/runtime/serve.ts', '--port', '0', '--workers', w], { stdio: ['ignore', 'pipe', 'inherit'] });
const kill = setTimeout(() => c.kill('SIGKILL'), 240000);
let out = ''; const sink = fs.createWriteStream('/tmp/server.out');
const url = await new Promise((res) => c.stdout.on('data', (d) => { sink.write(d); if (out.length < 100000) out += d; const m = /listening on (\S+)/.exec(out); if (m) res(m[1]); }));
for (const blk of data.blocks) await (await fetch(url + '/blocks', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: blk })).json();
const lg = (s, cc, bb) => cp.execFileSync(process.execPath, ['bench/loadgen.mjs', JSON.stringify({ url, data: dataPath, set: s, concurrency: cc, batch: bb })]).toString();
lg('warm', 16, 1);
if (process.env.EXTRA) console.log('extra warm', lg(process.env.EXTRA, 48, 1).slice(150, 260));
if (process.env.MARK) sink.write('\n=====MARK=====\n');
const perf = cp.spawn(process.env.NOPERF ? 'true' : 'perf', ['record', '-F', '999', '-g', '-p', String(c.pid), '-o', '/tmp/perf.data'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 300));
console.log(lg(set, 48, Number(b)).slice(0, 200));
perf.kill('SIGINT');
await new Promise((r) => perf.on('exit', r));
c.kill('SIGTERM');
await new Promise((r) => c.on('exit', r));
clearTimeout(kill);
})();
JS
