// minimal server: read the JSON body, answer 25 canned results (what the raw loadgen accepts)
const item = '{"txid":"' + 'ab'.repeat(32) + '","wtxid":"' + 'cd'.repeat(32) + '","allowed":true,"vsize":141,"weight":561,"fee":2500,"feerate":17.73}';
const mode = Deno.args[0] ?? 'text';
Deno.serve({ port: 18555, hostname: '127.0.0.1', onListen: () => console.log('listening') }, async (req) => {
  let n = 1;
  if (mode === 'json') { const j = await req.json(); n = Array.isArray(j) ? j.length : 1; }
  else { const t = await req.text(); n = t.startsWith('[') ? (t.match(/"tx"/g)?.length ?? 1) : 1; }
  const body = n === 1 ? item : '[' + Array(n).fill(item).join(',') + ']';
  return new Response(body, { headers: { 'content-type': 'application/json' } });
});
