import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { admit, checkKnown, prepare } from '../../src/mempool/admit.ts';
import { SINGLE_ACCEPT, type MempoolReject } from '../../src/mempool/types.ts';
import { cand, coinTxid, hex, newPool, tx } from './helpers.ts';

function rej(r: { ok: boolean }): MempoolReject {
  assert.equal(r.ok, false, 'expected a rejection');
  return r as MempoolReject;
}

describe('duplicates', () => {
  test('txn-already-in-mempool and txn-same-nonwitness-data-in-mempool', () => {
    const { pool } = newPool();
    const c = coinTxid();
    const a = tx({ ins: [[c, 0]], witness: [new Uint8Array([1])] });
    const a2 = tx({ ins: [[c, 0]], witness: [new Uint8Array([2])] });
    assert.equal(hex(a), hex(a2));
    assert.ok(admit(pool, cand(a, 1000)).ok);
    assert.equal(rej(admit(pool, cand(a, 1000))).reason, 'txn-already-in-mempool');
    assert.equal(checkKnown(pool, a2)?.reason, 'txn-same-nonwitness-data-in-mempool');
    assert.equal(rej(admit(pool, cand(a2, 5000))).reason, 'txn-same-nonwitness-data-in-mempool');
  });
});

describe('full RBF (BIP125 rules as Core v28+)', () => {
  test('a replacement paying more evicts the conflict and its descendants', () => {
    const { pool } = newPool();
    const c = coinTxid();
    const a = tx({ ins: [[c, 0]], sequence: 0xffffffff });
    const child = tx({ ins: [a] });
    assert.ok(admit(pool, cand(a, 1000)).ok);
    assert.ok(admit(pool, cand(child, 1000)).ok);
    const removed: string[] = [];
    pool.events.on((e) => { if (e.type === 'removed') removed.push(e.reason); });
    const b = tx({ ins: [[c, 0]], tag: 1 });
    const r = admit(pool, cand(b, 3000));
    assert.ok(r.ok);
    assert.equal(r.replaced.length, 2);
    assert.deepEqual(removed, ['replaced', 'replaced']);
    assert.equal(pool.size, 1);
  });

  test('rule 6: fee rate not above a direct conflict → insufficient fee', () => {
    const { pool } = newPool();
    const c = coinTxid();
    const a = tx({ ins: [[c, 0]] });
    assert.ok(admit(pool, cand(a, 10_000)).ok);
    const b = tx({ ins: [[c, 0]], tag: 1 });
    const r = rej(admit(pool, cand(b, 10_000, a.vsize + 10)));
    assert.equal(r.reason, 'insufficient fee');
    assert.match(r.details!, /^rejecting replacement [0-9a-f]{64}; new feerate 0\.\d{8} BTC\/kvB <= old feerate 0\.\d{8} BTC\/kvB$/);
    assert.equal(r.reconsiderable, true);
  });

  test('rule 6 at the boundary: the same fee rate as the conflict is not enough, one sat more is', () => {
    // The conflict pays 1000 sat / 100 vB = 10,000 sat/kvB. Replacements of 200 vB paying
    // 1999, 2000 and 2001 sat pass rules 3 and 4 (≥ 1000 sat, ≥ 20 sat more) but rate
    // 9995, 10,000 and 10,005 sat/kvB: only a strictly higher rate replaces.
    const attempt = (fee: number) => {
      const { pool } = newPool();
      const c = coinTxid();
      assert.ok(admit(pool, cand(tx({ ins: [[c, 0]] }), 1000, 100)).ok);
      const b = tx({ ins: [[c, 0]], tag: 1 });
      return { b, r: admit(pool, cand(b, fee, 200)) };
    };
    for (const fee of [1999, 2000]) {
      const { b, r } = attempt(fee);
      const rate = fee === 2000 ? '0.00010000' : '0.00009995';
      assert.equal(rej(r).reason, 'insufficient fee', `fee ${fee}`);
      assert.equal(rej(r).details, `rejecting replacement ${hex(b)}; new feerate ${rate} BTC/kvB <= old feerate 0.00010000 BTC/kvB`);
    }
    assert.ok(attempt(2001).r.ok);
  });

  test('rule 3: fewer total fees than the replaced set → insufficient fee', () => {
    const { pool } = newPool();
    const c = coinTxid();
    const a = tx({ ins: [[c, 0]] });
    const child = tx({ ins: [a] });
    assert.ok(admit(pool, cand(a, 1000, 100)).ok);
    assert.ok(admit(pool, cand(child, 5000, 100)).ok);
    const b = tx({ ins: [[c, 0]], tag: 1 });
    const r = rej(admit(pool, cand(b, 5000, 100)));
    assert.equal(r.reason, 'insufficient fee');
    assert.equal(r.details, `rejecting replacement ${hex(b)}, less fees than conflicting txs; 0.00005 < 0.00006`);
  });

  test('rule 4: additional fees below incremental relay fee × vsize → insufficient fee', () => {
    const { pool } = newPool();
    const c = coinTxid();
    const a = tx({ ins: [[c, 0]] });
    assert.ok(admit(pool, cand(a, 1000, 200)).ok);
    const b = tx({ ins: [[c, 0]], tag: 1 });
    // 100 sat/kvB × 200 vB = 20 sats needed; 19 extra is not enough.
    const r = rej(admit(pool, cand(b, 1019, 200)));
    assert.equal(r.reason, 'insufficient fee');
    assert.equal(r.details, `rejecting replacement ${hex(b)}, not enough additional fees to relay; 0.00000019 < 0.0000002`);
    assert.ok(admit(pool, cand(b, 1020, 200)).ok);
  });

  test('rule 5: more than 100 potential replacements', () => {
    const { pool } = newPool({ limits: { ancestorCount: 200, ancestorSizeVbytes: 1e9, descendantCount: 200, descendantSizeVbytes: 1e9 } });
    const c = coinTxid();
    const a = tx({ ins: [[c, 0]], outs: 101 });
    assert.ok(admit(pool, cand(a, 1000)).ok);
    for (let i = 0; i < 100; i++) assert.ok(admit(pool, cand(tx({ ins: [[a, i]] }), 1000)).ok);
    const b = tx({ ins: [[c, 0]], tag: 1 });
    const r = rej(admit(pool, cand(b, 10_000_000)));
    assert.equal(r.reason, 'too many potential replacements');
    assert.equal(r.details, `rejecting replacement ${hex(b)}; too many potential replacements (101 > 100)`);
  });

  test('rule 5 at the boundary: exactly 100 (and 99) transactions to replace are accepted', () => {
    for (const n of [99, 100]) {
      const { pool } = newPool({ limits: { ancestorCount: 200, ancestorSizeVbytes: 1e9, descendantCount: 200, descendantSizeVbytes: 1e9 } });
      const c = coinTxid();
      const a = tx({ ins: [[c, 0]], outs: n - 1 });
      assert.ok(admit(pool, cand(a, 1000)).ok);
      for (let i = 0; i < n - 1; i++) assert.ok(admit(pool, cand(tx({ ins: [[a, i]] }), 1000)).ok);
      assert.equal(pool.get(hex(a))!.descCount, n);
      const r = admit(pool, cand(tx({ ins: [[c, 0]], tag: 1 }), 10_000_000));
      assert.ok(r.ok, r.ok ? '' : `${n} replacements: ${r.reason} ${r.details}`);
      assert.equal(r.replaced.length, n);
      assert.equal(pool.size, 1);
    }
  });

  test('rule 2: new unconfirmed inputs → replacement-adds-unconfirmed', () => {
    const { pool } = newPool();
    const c = coinTxid();
    const a = tx({ ins: [[c, 0]] });
    const other = tx({ ins: [[coinTxid(), 0]] });
    assert.ok(admit(pool, cand(a, 1000)).ok);
    assert.ok(admit(pool, cand(other, 1000)).ok);
    const b = tx({ ins: [[c, 0], [other, 0]] });
    const r = rej(admit(pool, cand(b, 100_000)));
    assert.equal(r.reason, 'replacement-adds-unconfirmed');
    assert.equal(r.details, `replacement ${hex(b)} adds unconfirmed input, idx 1`);
  });

  test('spending what it replaces → bad-txns-spends-conflicting-tx', () => {
    const { pool } = newPool();
    const c = coinTxid();
    const a = tx({ ins: [[c, 0]], outs: 2 });
    assert.ok(admit(pool, cand(a, 1000)).ok);
    const b = tx({ ins: [[c, 0], [a, 0]] });
    const r = rej(admit(pool, cand(b, 100_000)));
    assert.equal(r.reason, 'bad-txns-spends-conflicting-tx');
    assert.equal(r.details, `${hex(b)} spends conflicting transaction ${hex(a)}`);
  });

  test('no replacement allowed → bip125-replacement-disallowed; opt-in RBF → txn-mempool-conflict', () => {
    const { pool } = newPool();
    const c = coinTxid();
    const a = tx({ ins: [[c, 0]], sequence: 0xffffffff });
    assert.ok(admit(pool, cand(a, 1000)).ok);
    const b = tx({ ins: [[c, 0]], tag: 1 });
    assert.equal(rej(prepare(pool, cand(b, 9000), { ...SINGLE_ACCEPT, allowReplacement: false })).reason, 'bip125-replacement-disallowed');
    const { pool: optIn } = newPool({ fullRbf: false });
    assert.ok(admit(optIn, cand(a, 1000)).ok);
    assert.equal(rej(admit(optIn, cand(b, 9000))).reason, 'txn-mempool-conflict');
  });
});
