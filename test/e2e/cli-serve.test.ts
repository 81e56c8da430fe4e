// End to end through the command line: src/runtime/serve.ts started as a child
// process with the runtime running this test, configured by flags and TXGATE_* environment
// variables; blocks behind a bearer token, policy options that change the verdicts
// (-permitbaremultisig=0, -datacarriersize, -minrelaytxfee), a small body limit (413), and a
// clean exit on SIGTERM.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RegtestChainBuilder } from '../util/regtest-builder.ts';
import type { ResultJson } from '../../src/api/app.ts';
import { concatBytes, hashToHex, toHex } from '../../src/primitives/bytes.ts';
import type { TxOut } from '../../src/primitives/tx.ts';
import { OP } from '../../src/script/opcodes.ts';
import { pushData } from '../../src/script/script.ts';
import { input, multisig, opReturn, p2wpkh, privKey, pubKey, signAll } from '../policy/helpers.ts';
import { runtimeName } from '../../src/runtime/crypto/runtime-info.ts';
import { getJson, postBlock, postJson, postRaw, startChildServer, type ChildServer } from '../util/server.ts';

const TOKEN = 'e2e-Token_0123456789';
let child: ChildServer | undefined;
const url = (): string => child!.url;

before(async () => {
  child = await startChildServer(
    ['--crypto=noble', '--workers=1', `--token=${TOKEN}`, '--permitbaremultisig=0', '--datacarriersize', '83', '--body-limit=4096'],
    { TXGATE_MINRELAYTXFEE: '0.00002' },
  );
});
after(async () => {
  await child?.close();
});

const K = privKey(31);
const spk = p2wpkh(pubKey(K));
const prevouts = [{ scriptPubKey: toHex(spk), amount: 100_000 }];
const at = { height: 800_000, mtp: 1_700_000_000 };
/** A signed one-input stateless spend of 100 000 sats to `outputs`. */
function spend(outputs: TxOut[]) {
  return signAll({ version: 2, locktime: 0, inputs: [input(31)], outputs }, [K], [{ value: 100_000n, scriptPubKey: spk }]);
}
async function validate(outputs: TxOut[]): Promise<ResultJson> {
  const tx = spend(outputs);
  const res = await postJson<ResultJson>(`${url()}/validate`, { tx: toHex(tx.raw), prevouts, at });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.txid, hashToHex(tx.txid));
  return res.body;
}
const to = (value: bigint): TxOut => ({ value, scriptPubKey: p2wpkh(pubKey(privKey(32))) });

describe('e2e CLI server (child process)', () => {
  test('configuration from flags and environment shows in /info', async () => {
    const info = (await getJson(`${url()}/info`)).body as { workers: number; network: string; policy: Record<string, unknown> };
    assert.equal(info.network, 'regtest');
    assert.equal(info.workers, 1);
    assert.equal(info.policy.permitBareMultisig, false);
    assert.equal(info.policy.maxDatacarrierBytes, 83);
    assert.equal(info.policy.minRelayFeeRate, 2000);
  });

  test('POST /blocks needs the bearer token: 401 without or with a wrong one, accepted with it', async () => {
    const b = new RegtestChainBuilder();
    const blocks = Array.from({ length: 5 }, () => b.next().raw);
    let r = await postBlock(url(), blocks[0]!);
    assert.equal(r.status, 401);
    assert.equal((r.body as { error: { code: string } }).error.code, 'unauthorized');
    assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
    r = await postBlock(url(), blocks[0]!, 'wrong-token');
    assert.equal(r.status, 401);
    assert.equal((await getJson<{ height: number }>(`${url()}/chain/tip`)).body.height, 0);
    for (const [i, raw] of blocks.entries()) {
      r = await postBlock(url(), raw, TOKEN);
      assert.deepEqual([r.status, r.body.accepted, r.body.height], [200, true, i + 1]);
    }
    const tip = (await getJson<{ height: number; hash: string }>(`${url()}/chain/tip`)).body;
    assert.deepEqual([tip.height, tip.hash], [5, hashToHex(b.tipHash)]);
    // Reading needs no token.
    assert.equal((await getJson(`${url()}/health`)).status, 200);
  });

  test('-permitbaremultisig=0: bare-multisig', async () => {
    const bare = multisig(1, [pubKey(privKey(33))]);
    const r = await validate([{ value: 50_000n, scriptPubKey: bare }, to(45_000n)]);
    assert.deepEqual([r.allowed, r.reason, r.kind], [false, 'bare-multisig', 'policy']);
  });

  test('-datacarriersize=83: one 80-byte OP_RETURN is fine, two sharing the budget are not (datacarrier)', async () => {
    let r = await validate([{ value: 0n, scriptPubKey: opReturn(new Uint8Array(80)) }, to(99_000n)]);
    assert.equal(r.allowed, true, JSON.stringify(r));
    r = await validate([{ value: 0n, scriptPubKey: opReturn(new Uint8Array(40)) }, { value: 0n, scriptPubKey: opReturn(new Uint8Array(40)) }, to(99_000n)]);
    assert.deepEqual([r.allowed, r.reason, r.kind], [false, 'datacarrier', 'policy']);
  });

  test('TXGATE_MINRELAYTXFEE=0.00002 (2 sat/vB): 150 sats on ~110 vB is below it', async () => {
    const r = await validate([to(99_850n)]);
    assert.deepEqual([r.allowed, r.reason, r.kind], [false, 'min relay fee not met', 'fee']);
    assert.match(String(r.details), /^150 < 2\d\d$/);
    assert.equal((await validate([to(99_000n)])).allowed, true);
  });

  test('--body-limit=4096: a larger body is 413, and the server keeps serving', async () => {
    const big = concatBytes(Uint8Array.of(OP.OP_RETURN), pushData(new Uint8Array(4100)));
    const res = await postRaw<{ error: { code: string } }>(`${url()}/validate`, new Uint8Array(big), 'application/octet-stream');
    assert.equal(res.status, 413);
    assert.equal(res.body.error.code, 'payload-too-large');
    assert.equal((await validate([to(99_000n)])).allowed, true);
  });

  test('SIGTERM: a clean shutdown (exit code 0)', async () => {
    const exit = await child!.close();
    assert.equal(exit.forced, false, child!.output());
    assert.match(child!.output(), /SIGTERM, shutting down/);
    // Deno's node:child_process cannot report the code of a child it signalled (see server.ts).
    if (runtimeName() === 'deno') assert.deepEqual([exit.code, exit.signal], [null, 'SIGTERM']);
    else assert.deepEqual([exit.code, exit.signal], [0, null], child!.output());
  });
});
