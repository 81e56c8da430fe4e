// End to end: the real server (startServer: the runtime's own HTTP server, two
// validation workers, noble crypto) listening on a real socket, driven over HTTP with fetch.
// A 110-block regtest chain is posted first; then crafted transactions (reject-cases.ts) must
// come back with Bitcoin Core's exact reject reasons, and the server must survive malformed
// requests and a validation worker dying under load.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mineBlock, outputScript, type Spendable } from '../util/regtest-builder.ts';
import type { ResultJson } from '../../src/api/app.ts';
import { bitsToTarget, hashToBigInt } from '../../src/primitives/block.ts';
import { hashToHex, toHex } from '../../src/primitives/bytes.ts';
import { hash256 } from '../../src/primitives/hash.ts';
import type { Transaction } from '../../src/primitives/tx.ts';
import { ValidationPool } from '../../src/validation/worker-pool.ts';
import { input as fakeInput, p2wpkh, privKey, pubKey, signAll } from '../policy/helpers.ts';
import {
  COIN, FAN_HEIGHT, TIP_HEIGHT, buildE2eChain, inputOf, payTo, signSpend, unsignedTx,
} from './fixture.ts';
import {
  getJson, postBlock, postBlocks, postJson, postRaw, postTxBytes, startTestServer, type TestServer,
} from '../util/server.ts';
import { badWitnessSig, rejectCases } from './reject-cases.ts';

const chain = buildE2eChain();
const cases = rejectCases(chain);
const spare = (i: number): Spendable => chain.spare[i]!;
const NEXT_HEIGHT = TIP_HEIGHT + 1;
let srv: TestServer | undefined;
const url = (): string => srv!.url;

before(async () => {
  srv = await startTestServer();
  await postBlocks(srv.url, chain.blocks);
});
after(async () => {
  await srv?.close();
});

/** Core's reject results are 200 responses with allowed: false. */
async function verdict(tx: Transaction | Uint8Array, expected?: { txid?: Uint8Array }): Promise<ResultJson> {
  const raw = tx instanceof Uint8Array ? tx : tx.raw;
  const res = await postTxBytes(url(), raw);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  if (!(tx instanceof Uint8Array)) assert.equal(res.body.txid, hashToHex(expected?.txid ?? tx.txid));
  return res.body;
}

/** A stateless item (prevouts in the request) posted as JSON. */
async function verdictWith(tx: Transaction, prevouts: { scriptPubKey: Uint8Array; amount: bigint; height?: number; coinbase?: boolean }[], at?: { height: number; mtp: number }): Promise<ResultJson> {
  const body = {
    tx: toHex(tx.raw),
    prevouts: prevouts.map((p) => ({ ...p, scriptPubKey: toHex(p.scriptPubKey), amount: p.amount.toString() })),
    ...(at ? { at } : {}),
  };
  const res = await postJson<ResultJson>(`${url()}/validate`, body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}


describe('e2e server: Core reject reasons over HTTP', () => {
  test('the chain is posted: tip, MTP and UTXO set as built', async () => {
    const tip = await getJson<{ height: number; hash: string; mtp: number }>(`${url()}/chain/tip`);
    assert.equal(tip.status, 200);
    assert.equal(tip.body.height, TIP_HEIGHT);
    assert.equal(tip.body.mtp, chain.tipMtp);
    assert.equal(tip.body.hash, hashToHex(chain.next.tipHash));
  });

  for (const c of cases) {
    test(c.label ?? c.reason, async () => {
      const tx = c.tx();
      const r = c.prevouts ? await verdictWith(tx as Transaction, c.prevouts()) : await verdict(tx);
      assert.equal(r.allowed, false, JSON.stringify(r));
      assert.equal(r.reason, c.reason, JSON.stringify(r));
      assert.equal(r.kind, c.kind, JSON.stringify(r));
      if (typeof c.details === 'string') assert.equal(r.details, c.details);
      else if (c.details) assert.match(String(r.details), c.details);
    });
  }

  test('at least 25 distinct reasons covered', () => {
    assert.ok(new Set(cases.map((c) => c.reason)).size >= 25);
  });
});

describe('e2e server: valid spends from the UTXO set', () => {
  test('one spend of every standard output kind is allowed, with fee and vsize', async () => {
    for (const coin of Object.values(chain.byKind)) {
      const tx = signSpend([coin], [payTo(COIN - 2_000n)]);
      const r = await verdict(tx);
      assert.deepEqual([r.allowed, r.reason, r.fee, r.vsize, r.wtxid], [true, undefined, 2000, tx.vsize, hashToHex(tx.wtxid)], `${coin.kind}: ${JSON.stringify(r)}`);
    }
  });
  test('mature coinbases (P2TR key path, P2PKH) in one transaction; hex body', async () => {
    const coins = [chain.coinbaseP2tr, chain.coinbaseP2pkh];
    const tx = signSpend(coins, [payTo(99n * COIN), payTo(COIN - 30_000n, 51)]);
    const res = await postRaw<ResultJson>(`${url()}/validate`, toHex(tx.raw) + '\n', 'text/plain');
    assert.equal(res.status, 200);
    assert.deepEqual([res.body.allowed, res.body.fee, res.body.txid], [true, 30_000, hashToHex(tx.txid)]);
  });
  test('a relative lock that is met (BIP68, 5 blocks) and a height lock at the next block', async () => {
    assert.equal((await verdict(signSpend([spare(1)], [payTo(COIN - 1000n)], { sequence: NEXT_HEIGHT - FAN_HEIGHT }))).allowed, true);
    assert.equal((await verdict(signSpend([spare(1)], [payTo(COIN - 1000n)], { locktime: TIP_HEIGHT }))).allowed, true);
  });
});

describe('e2e server: stateless validation and batches', () => {
  const K = privKey(21);
  const spk = p2wpkh(pubKey(K));
  const signed = signAll({ version: 2, locktime: 1000, inputs: [fakeInput(21)], outputs: [{ value: 49_000n, scriptPubKey: p2wpkh(pubKey(privKey(22))) }] },
    [K], [{ value: 50_000n, scriptPubKey: spk }]);
  const prevouts = [{ scriptPubKey: toHex(spk), amount: 50_000 }];

  test('prevouts with `at`: the height lock decides', async () => {
    let r = (await postJson<ResultJson>(`${url()}/validate`, { tx: toHex(signed.raw), prevouts, at: { height: 999, mtp: 1_700_000_000 } })).body;
    assert.deepEqual([r.allowed, r.reason], [false, 'non-final']);
    r = (await postJson<ResultJson>(`${url()}/validate`, { tx: toHex(signed.raw), prevouts, at: { height: 1000, mtp: 1_700_000_000 } })).body;
    assert.deepEqual([r.allowed, r.fee], [true, 1000]);
    // Without `at`, the node's tip (110) is the context: still locked.
    r = (await postJson<ResultJson>(`${url()}/validate`, { tx: toHex(signed.raw), prevouts })).body;
    assert.equal(r.reason, 'non-final');
  });
  test('prevouts with `at`: coinbase maturity counts from the given height', async () => {
    const cb = [{ ...prevouts[0]!, coinbase: true, height: 500 }];
    let r = (await postJson<ResultJson>(`${url()}/validate`, { tx: toHex(signed.raw), prevouts: cb, at: { height: 1000, mtp: 1_700_000_000 } })).body;
    assert.equal(r.allowed, true);
    r = (await postJson<ResultJson>(`${url()}/validate`, { tx: toHex(signed.raw), prevouts: [{ ...cb[0]!, height: 950 }], at: { height: 1000, mtp: 1_700_000_000 } })).body;
    assert.deepEqual([r.reason, r.details], ['bad-txns-premature-spend-of-coinbase', 'tried to spend coinbase at depth 51']);
  });
  test('prevouts with maxfeerate (BTC/kvB)', async () => {
    const r = (await postJson<ResultJson>(`${url()}/validate`, { tx: toHex(signed.raw), prevouts, at: { height: 1000, mtp: 0 }, maxfeerate: 0.00001 })).body;
    assert.deepEqual([r.reason, r.kind], ['max-fee-exceeded', 'fee']);
  });
  test('a batch mixing stateless, stateful, invalid and undecodable items keeps its order', async () => {
    const good = signSpend([spare(4)], [payTo(COIN - 1000n)]);
    const dust = unsignedTx([inputOf(spare(4))], [payTo(1n), payTo(2n)]);
    const res = await postJson<ResultJson[]>(`${url()}/validate`, [
      { tx: toHex(signed.raw), prevouts, at: { height: 1000, mtp: 0 } },
      { tx: toHex(dust.raw) },
      { tx: 'zz' },
      { tx: toHex(good.raw) },
      { tx: toHex(signSpend([chain.spentCoinbase], [payTo(COIN)]).raw) },
    ]);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.map((r) => [r.allowed, r.reason ?? null, r.kind ?? null]), [
      [true, null, null],
      [false, 'dust', 'policy'],
      [false, 'TX decode failed', 'malformed'],
      [true, null, null],
      [false, 'bad-txns-inputs-missingorspent', 'missing-inputs'],
    ]);
    assert.deepEqual([res.body[0]!.txid, res.body[1]!.txid, res.body[2]!.txid, res.body[3]!.txid],
      [hashToHex(signed.txid), hashToHex(dust.txid), null, hashToHex(good.txid)]);
  });
});

interface ErrorBody {
  error: { code: string; message: string };
}

describe('e2e server: malformed requests get 4xx and the server keeps serving', () => {
  const good = (): Transaction => signSpend([spare(5)], [payTo(COIN - 1000n)]);
  test('bad hex, truncated, trailing bytes, odd length: 400 malformed with the decoder message', async () => {
    const raw = good().raw;
    const cases: [BodyInit, string, RegExp][] = [
      ['zz' + toHex(raw), 'text/plain', /invalid hex character/],
      [toHex(raw) + 'a', 'text/plain', /odd length/],
      [new Uint8Array(raw.subarray(0, raw.length - 3)), 'application/octet-stream', /truncated/],
      [new Uint8Array([...raw, 0, 0]), 'application/octet-stream', /2 trailing bytes after transaction/],
      [new Uint8Array(0), 'application/octet-stream', /truncated/],
    ];
    for (const [body, type, message] of cases) {
      const res = await postRaw<ErrorBody>(`${url()}/validate`, body, type);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.code, 'malformed');
      assert.match(res.body.error.message, message);
    }
  });
  // (413 is checked against the CLI server, whose body limit is small: see cli-serve.test.ts.)
  test('wrong content type: 415', async () => {
    let res = await postRaw<ErrorBody>(`${url()}/validate`, toHex(good().raw), 'application/xml');
    assert.equal(res.status, 415);
    assert.equal(res.body.error.code, 'unsupported-media-type');
    res = await postRaw<ErrorBody>(`${url()}/validate`, new Uint8Array(good().raw));
    assert.equal(res.status, 415);
    assert.match(res.body.error.message, /no Content-Type given/);
    res = await postRaw<ErrorBody>(`${url()}/blocks`, '00', 'application/json');
    assert.equal(res.status, 415);
  });
  test('JSON with wrong fields: 400 bad-request naming the field', async () => {
    const hex = toHex(good().raw);
    const cases: [string, RegExp][] = [
      ['{"tx":', /invalid JSON/],
      [JSON.stringify({ tx: 42 }), /tx/],
      [JSON.stringify({ transaction: hex }), /transaction|tx/],
      [JSON.stringify({ tx: hex, prevouts: [{ scriptPubKey: '00', amount: -1 }] }), /prevouts\.0\.amount/],
      [JSON.stringify({ tx: hex, prevouts: [] }), /prevouts has 0 entries but the transaction has 1 inputs/],
      [JSON.stringify({ tx: hex, at: { height: 'tip' } }), /at\.height/],
      [JSON.stringify({ tx: hex, prevouts: [{ scriptPubKey: 'xyz', amount: 1 }] }), /prevouts\.0\.scriptPubKey/],
      [JSON.stringify([]), /empty/],
    ];
    for (const [body, message] of cases) {
      const res = await postRaw<ErrorBody>(`${url()}/validate`, body, 'application/json');
      assert.equal(res.status, 400, body);
      assert.ok(['bad-request', 'malformed'].includes(res.body.error.code), JSON.stringify(res.body));
      assert.match(res.body.error.message, message, body);
    }
  });
  test('unknown route: 404 JSON; then a valid request still succeeds', async () => {
    const res = await getJson<ErrorBody>(`${url()}/nope`);
    assert.equal(res.status, 404);
    assert.equal(res.body.error.code, 'not-found');
    const tx = good();
    const r = await verdict(tx);
    assert.deepEqual([r.allowed, r.fee], [true, 1000]);
  });
});

/** The block with its header changed by `edit` and the nonce ground again (regtest PoW). */
function regrind(raw: Uint8Array, edit: (header: Uint8Array) => void): Uint8Array {
  const out = raw.slice();
  const hdr = out.subarray(0, 80);
  edit(hdr);
  const target = bitsToTarget(0x207fffff).target;
  for (let nonce = 0; ; nonce++) {
    hdr[76] = nonce & 0xff; hdr[77] = (nonce >>> 8) & 0xff; hdr[78] = (nonce >>> 16) & 0xff; hdr[79] = nonce >>> 24;
    if (hashToBigInt(hash256(hdr)) <= target) return out;
  }
}

describe('e2e server: blocks', () => {
  test('bad merkle root: bad-txnmrklroot, the tip stays', async () => {
    const bad = regrind(chain.blocks[TIP_HEIGHT - 1]!, (h) => {
      h[36]! ^= 1;
    });
    const r = await postBlock(url(), bad);
    assert.equal(r.status, 422);
    assert.deepEqual([r.body.accepted, r.body.reason], [false, 'bad-txnmrklroot']);
    assert.equal((await getJson<{ height: number }>(`${url()}/chain/tip`)).body.height, TIP_HEIGHT);
  });
  test('a block spending with a bad signature: block-script-verify-flag-failed, checked on the workers', async () => {
    const tx = badWitnessSig(signSpend([spare(2)], [payTo(COIN - 1000n)]));
    const { raw } = mineBlock({ prevHash: chain.next.tipHash, height: NEXT_HEIGHT, time: chain.next.time + 600, txs: [tx], fees: 1000n });
    const r = await postBlock(url(), raw);
    assert.deepEqual([r.status, r.body.accepted], [422, false]);
    // Block flags have no NULLFAIL: the failed CHECKSIG leaves false on the stack.
    assert.equal(r.body.reason, 'block-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)');
    assert.match(String(r.body.details), new RegExp(hashToHex(tx.txid)));
    assert.equal((await getJson<{ height: number }>(`${url()}/chain/tip`)).body.height, TIP_HEIGHT);
  });
  test('undecodable and duplicate blocks', async () => {
    const r = await postRaw<{ error: { code: string; message: string } }>(`${url()}/blocks`, 'abcd', 'text/plain');
    assert.deepEqual([r.status, r.body.error.code], [400, 'malformed']);
    assert.match(r.body.error.message, /^block decode failed: /);
    const known = await postBlock(url(), chain.blocks[0]!);
    assert.deepEqual([known.status, known.body.accepted, known.body.reason, known.body.height, known.body.tip], [200, true, 'duplicate', 1, false]);
  });
});

describe('e2e server: UTXO, info, health', () => {
  test('GET /utxo for a coinbase output and a spent one', async () => {
    const cb = chain.coinbaseP2tr;
    const r = await getJson(`${url()}/utxo/${hashToHex(cb.txid)}/0`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, {
      txid: hashToHex(cb.txid), vout: 0, amount: Number(cb.value), scriptPubKey: toHex(outputScript('p2tr', 1)), height: 2, coinbase: true,
    });
    assert.equal((await getJson(`${url()}/utxo/${hashToHex(chain.spentCoinbase.txid)}/0`)).status, 404);
    assert.equal((await getJson(`${url()}/utxo/xyz/0`)).status, 400);
  });
  test('GET /info and /health', async () => {
    const info = (await getJson(`${url()}/info`)).body;
    assert.equal(info.network, 'regtest');
    assert.equal(info.mode, 'stateful');
    assert.equal(info.workers, 2);
    assert.deepEqual(info.tip, { height: TIP_HEIGHT, hash: hashToHex(chain.next.tipHash) });
    assert.deepEqual((info.crypto as { crypto: string }).crypto, 'noble');
    const health = await getJson(`${url()}/health`);
    assert.deepEqual([health.status, health.body.status, health.body.tip], [200, 'ok', TIP_HEIGHT]);
  });
});

describe('e2e server: a validation worker dies mid-load', () => {
  /** A transaction with `n` signed P2WPKH inputs (stateless prevouts): n signature checks on a worker. */
  function heavy(seed: number, n: number) {
    const keys = Array.from({ length: n }, (_, i) => privKey(100 + i));
    const spent = keys.map((k) => ({ value: 10_000n, scriptPubKey: p2wpkh(pubKey(k)) }));
    const tx = signAll({ version: 2, locktime: 0, inputs: keys.map((_, i) => fakeInput(1000 + i)), outputs: [{ value: BigInt(10_000 * n - 5_000 - seed), scriptPubKey: p2wpkh(pubKey(privKey(3))) }] }, keys, spent);
    return { tx, body: { tx: toHex(tx.raw), prevouts: spent.map((s) => ({ scriptPubKey: toHex(s.scriptPubKey), amount: Number(s.value) })), at: { height: 1000, mtp: 0 } } };
  }
  const slotOf = (tx: Transaction) => (ValidationPool.shardOf(tx.txid) % 64) % 2;

  test('held requests answer validation-error (not a hang), the worker is replaced, later requests succeed', { timeout: 60_000 }, async () => {
    const pool = srv!.server.node.pool!;
    const replacedBefore = pool.replaced;
    // Enough transactions on both workers; worker 0's are the ones that die with it.
    const items: ReturnType<typeof heavy>[] = [];
    for (let seed = 0; items.filter((x) => slotOf(x.tx) === 0).length < 3 || items.filter((x) => slotOf(x.tx) === 1).length < 2; seed++) {
      items.push(heavy(seed, 40));
    }
    const pending = items.map((x) => postJson<ResultJson>(`${url()}/validate`, x.body));
    // Crash once every job is in flight and none has answered.
    const deadline = Date.now() + 20_000;
    while (pool.queueDepth() < items.length) {
      assert.ok(Date.now() < deadline, `only ${pool.queueDepth()} of ${items.length} jobs reached the pool`);
      await new Promise((r) => setTimeout(r, 1));
    }
    pool.crash(0);
    const results = await Promise.all(pending);
    items.forEach((x, i) => {
      const r = results[i]!;
      assert.equal(r.status, 200);
      if (slotOf(x.tx) === 0) {
        assert.deepEqual([r.body.allowed, r.body.reason, r.body.kind, r.body.txid], [false, 'validation-error', 'error', hashToHex(x.tx.txid)]);
        assert.match(r.body.details ?? '', /^validation failed on the server \(request id [0-9a-f-]{36}\)/);
      } else {
        assert.equal(r.body.allowed, true, JSON.stringify(r.body));
      }
    });
    assert.equal(pool.replaced, replacedBefore + 1);
    // The replacement worker validates the same transactions.
    const again = await postJson<ResultJson[]>(`${url()}/validate`, items.filter((x) => slotOf(x.tx) === 0).map((x) => x.body));
    assert.ok(again.body.every((r) => r.allowed), JSON.stringify(again.body));
    const health = (await getJson(`${url()}/health`)).body;
    assert.equal(health.workersReplaced, replacedBefore + 1);
  });
});

describe('e2e server: a validation worker throws an uncaught error', () => {
  // On Deno an unhandled worker error would kill the process: spawn.ts marks it handled.
  test('the worker is replaced and the server keeps validating', { timeout: 30_000 }, async () => {
    const pool = srv!.server.node.pool!;
    const before = pool.replaced;
    // The pool does not expose its workers; the test reaches in to deliver the worker's crash message.
    const slots = (pool as unknown as { slots: { worker: { postMessage(m: unknown): void } }[] }).slots;
    slots[1]!.worker.postMessage({ type: 'crash' });
    const deadline = Date.now() + 20_000;
    while (pool.replaced === before) {
      assert.ok(Date.now() < deadline, 'the crashed worker was not replaced');
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(await pool.ready(), ['noble', 'noble']);
    // Transactions on both workers validate.
    const txs = [spare(4), spare(5), spare(2), spare(3)].map((c, i) => signSpend([c], [payTo(COIN - 1000n - BigInt(i))]));
    assert.ok(new Set(txs.map((t) => ValidationPool.shardOf(t.txid) % 2)).size === 2);
    for (const tx of txs) assert.equal((await verdict(tx)).allowed, true);
    assert.equal((await getJson(`${url()}/health`)).body.workersReplaced, before + 1);
  });
});

describe('e2e server: metrics', () => {
  test('GET /metrics counts validations by verdict and reason', async () => {
    const res = await fetch(`${url()}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    const count = (labels: string): number => {
      const m = new RegExp(`^txgate_validations_total\\{${labels.replace(/[()]/g, '\\$&')}\\} (\\d+)$`, 'm').exec(text);
      return m ? Number(m[1]) : 0;
    };
    assert.ok(count('reason="",verdict="allowed"') >= 10, text);
    assert.ok(count('reason="dust",verdict="rejected"') >= 3);
    assert.ok(count('reason="bad-txns-inputs-missingorspent",verdict="rejected"') >= 3);
    assert.ok(count('reason="validation-error",verdict="error"') >= 3);
    assert.ok(count('reason="TX decode failed",verdict="rejected"') >= 1);
    assert.equal(count('reason="mempool-script-verify-flag-failed (Invalid Schnorr signature)",verdict="rejected"'), 1);
    assert.match(text, /^txgate_http_requests_total\{method="POST",route="\/blocks",status="200"\} \d+$/m);
    assert.match(text, /^txgate_validate_seconds_count \d+$/m);
    assert.match(text, /^txgate_utxo_coins \d+$/m);
  });
});
