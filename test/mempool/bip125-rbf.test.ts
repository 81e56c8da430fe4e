import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { admit, checkKnown, prepare } from '../../src/mempool/admit.ts';
import { checkConflictTopology, improvesFeerateDiagram, paysForRBF, paysMoreThanConflicts, sortByTxid } from '../../src/mempool/rbf.ts';
import { rbfOptInChecker } from '../../src/mempool/rbf-optin.ts';
import { SINGLE_ACCEPT, type MempoolEntry, type MempoolReject } from '../../src/mempool/types.ts';
import { toHex } from '../../src/primitives/bytes.ts';
import { cand, coinTxid, hex, newPool, tx } from './helpers.ts';
import { makeTx } from '../../src/primitives/tx.ts';

/** A rejection's reason, its kind (Core's TxValidationResult) and whether it is reconsiderable in a package. */
const why = (r: MempoolReject | undefined) => [r?.reason, r?.kind, r?.reconsiderable ?? false];

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
    assert.deepEqual(why(rej(admit(pool, cand(a, 1000)))), ['txn-already-in-mempool', 'conflict', false]);
    assert.deepEqual(why(checkKnown(pool, a2)), ['txn-same-nonwitness-data-in-mempool', 'conflict', false]);
    assert.deepEqual(why(rej(admit(pool, cand(a2, 5000)))), ['txn-same-nonwitness-data-in-mempool', 'conflict', false]);
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
    assert.deepEqual(why(r), ['insufficient fee', 'fee', true]);
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
      assert.deepEqual(why(rej(r)), ['insufficient fee', 'fee', true], `fee ${fee}`);
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
    assert.deepEqual(why(r), ['insufficient fee', 'fee', true]);
    assert.equal(r.details, `rejecting replacement ${hex(b)}, less fees than conflicting txs; 0.00005 < 0.00006`);
  });

  test('rules 3 and 4 at their boundaries (PaysForRBF)', () => {
    // Rule 3: equal fees are enough (with no incremental relay fee); one satoshi less is not.
    assert.equal(paysForRBF(1000, 1000, 100, 0, 'r'), undefined);
    assert.equal(paysForRBF(1000, 999, 100, 0, 'r'), 'rejecting replacement r, less fees than conflicting txs; 0.00000999 < 0.00001');
    // Rule 4: 100 sat/kvB × 100 vB = 10 sat more than the replaced fees.
    assert.equal(paysForRBF(1000, 1010, 100, 100, 'r'), undefined);
    assert.equal(paysForRBF(1000, 1009, 100, 100, 'r'), 'rejecting replacement r, not enough additional fees to relay; 0.00000009 < 0.0000001');
  });

  test('rule 4: additional fees below incremental relay fee × vsize → insufficient fee', () => {
    const { pool } = newPool();
    const c = coinTxid();
    const a = tx({ ins: [[c, 0]] });
    assert.ok(admit(pool, cand(a, 1000, 200)).ok);
    const b = tx({ ins: [[c, 0]], tag: 1 });
    // 100 sat/kvB × 200 vB = 20 sats needed; 19 extra is not enough.
    const r = rej(admit(pool, cand(b, 1019, 200)));
    assert.deepEqual(why(r), ['insufficient fee', 'fee', true]);
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
    assert.deepEqual(why(r), ['too many potential replacements', 'policy', false]);
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
    assert.deepEqual(why(r), ['replacement-adds-unconfirmed', 'policy', false]);
    assert.equal(r.details, `replacement ${hex(b)} adds unconfirmed input, idx 1`);
  });

  test('spending what it replaces → bad-txns-spends-conflicting-tx', () => {
    const { pool } = newPool();
    const c = coinTxid();
    const a = tx({ ins: [[c, 0]], outs: 2 });
    assert.ok(admit(pool, cand(a, 1000)).ok);
    const b = tx({ ins: [[c, 0], [a, 0]] });
    const r = rej(admit(pool, cand(b, 100_000)));
    assert.deepEqual(why(r), ['bad-txns-spends-conflicting-tx', 'consensus', false]);
    assert.equal(r.details, `${hex(b)} spends conflicting transaction ${hex(a)}`);
  });

  test('no replacement allowed → bip125-replacement-disallowed; opt-in RBF → txn-mempool-conflict', () => {
    const { pool } = newPool();
    const c = coinTxid();
    const a = tx({ ins: [[c, 0]], sequence: 0xffffffff });
    assert.ok(admit(pool, cand(a, 1000)).ok);
    const b = tx({ ins: [[c, 0]], tag: 1 });
    assert.deepEqual(why(rej(prepare(pool, cand(b, 9000), { ...SINGLE_ACCEPT, allowReplacement: false }))), ['bip125-replacement-disallowed', 'policy', false]);
    const { pool: optIn } = newPool({ fullRbf: false });
    assert.ok(admit(optIn, cand(a, 1000)).ok);
    assert.deepEqual(why(rej(admit(optIn, cand(b, 9000)))), ['txn-mempool-conflict', 'conflict', false]);
  });

  test('opt-in RBF (-mempoolfullrbf=0): the conflict signals with any input below 0xfffffffe, or is TRUC', () => {
    /** Can `b` replace a conflict built by `conflict` (spending coin c and maybe another)? */
    const replaceable = (conflict: (c: Uint8Array) => ReturnType<typeof tx>) => {
      const { pool } = newPool({ fullRbf: false });
      const c = coinTxid();
      assert.ok(admit(pool, cand(conflict(c), 1000)).ok);
      const r = admit(pool, cand(tx({ ins: [[c, 0]], tag: 9 }), 9000));
      return r.ok ? 'replaced' : r.reason;
    };
    assert.equal(replaceable((c) => tx({ ins: [[c, 0]], sequence: 0xfffffffd })), 'replaced');
    assert.equal(replaceable((c) => tx({ ins: [[c, 0]], sequence: 0xfffffffe })), 'txn-mempool-conflict');
    assert.equal(replaceable((c) => tx({ ins: [[c, 0]], sequence: 0xffffffff, version: 3 })), 'replaced');
    // Two inputs, only the second one signalling.
    const mixed = (c: Uint8Array) => {
      const t = tx({ ins: [[c, 0], [coinTxid(), 0]], sequence: 0xffffffff });
      return makeTx({ ...t, inputs: [t.inputs[0]!, { ...t.inputs[1]!, sequence: 0xfffffffd }] });
    };
    assert.equal(replaceable(mixed), 'replaced');
  });
});

describe('package RBF: CheckConflictTopology and ImprovesFeerateDiagram (txmempool.cpp, feefrac.cpp)', () => {
  /** A pool and the entries of `specs`: each spends a fresh coin or the next unspent output of earlier ones. */
  function pool(specs: { fee: number; vsize: number; parents?: number[] }[]) {
    const { pool: p } = newPool();
    const txs: ReturnType<typeof tx>[] = [];
    const spent: number[] = [];
    for (const s of specs) {
      const ins = s.parents ? s.parents.map((i): [ReturnType<typeof tx>, number] => [txs[i]!, spent[i]!++]) : [[coinTxid(), 0] as [Uint8Array, number]];
      const t = tx({ ins, outs: 4 });
      spent.push(0);
      assert.ok(admit(p, cand(t, s.fee, s.vsize)).ok);
      txs.push(t);
    }
    return txs.map((t) => p.get(hex(t))!);
  }

  test('topology: clusters of at most two, in either direction', () => {
    const [lone] = pool([{ fee: 1000, vsize: 100 }]);
    assert.equal(checkConflictTopology([lone!]), undefined);
    const [a, b, c] = pool([{ fee: 1000, vsize: 100 }, { fee: 1000, vsize: 100, parents: [0] }, { fee: 1000, vsize: 100, parents: [1] }]);
    assert.equal(checkConflictTopology([c!]), `${c!.txid} has 2 ancestors, max 1 allowed`);
    assert.equal(checkConflictTopology([a!]), `${a!.txid} has 2 descendants, max 1 allowed`);
    assert.equal(checkConflictTopology([b!]), `${b!.txid} has both ancestor and descendant, exceeding cluster limit of 2`);
    // A child with a second parent; a parent with a second child.
    const [p1, p2, kid] = pool([{ fee: 1000, vsize: 100 }, { fee: 1000, vsize: 100 }, { fee: 1000, vsize: 100, parents: [0, 1] }]);
    assert.equal(checkConflictTopology([p1!]), `${p1!.txid} is not the only parent of child ${kid!.txid}`);
    assert.equal(checkConflictTopology([p2!]), `${p2!.txid} is not the only parent of child ${kid!.txid}`);
    const [mum, k1, k2] = pool([{ fee: 1000, vsize: 100 }, { fee: 1000, vsize: 100, parents: [0] }, { fee: 1000, vsize: 100, parents: [0] }]);
    assert.equal(checkConflictTopology([k1!]), `${k1!.txid} is not the only child of parent ${mum!.txid}`);
    assert.equal(checkConflictTopology([k2!]), `${k2!.txid} is not the only child of parent ${mum!.txid}`);
    const [solo, only] = pool([{ fee: 1000, vsize: 100 }, { fee: 1000, vsize: 100, parents: [0] }]);
    assert.equal(checkConflictTopology([solo!]), undefined);
    assert.equal(checkConflictTopology([only!]), undefined);
  });

  test('the diagram must strictly improve: higher everywhere or equal and higher somewhere', () => {
    const NO = 'insufficient feerate: does not improve feerate diagram';
    const [c] = pool([{ fee: 1000, vsize: 100 }]);
    const one = new Set([c!]);
    assert.equal(improvesFeerateDiagram(one, one, 1001, 100), undefined);
    assert.equal(improvesFeerateDiagram(one, one, 1000, 100), NO); // the same diagram
    assert.equal(improvesFeerateDiagram(one, one, 999, 100), NO);
    // Bigger and richer, but a lower rate: better at 200 vB, worse at 100 vB (crossing).
    assert.equal(improvesFeerateDiagram(one, one, 1500, 200), NO);
    // Smaller at the same fee: better at 50 vB, equal from 100 vB on.
    assert.equal(improvesFeerateDiagram(one, one, 1000, 50), undefined);
    // A topology error comes first.
    const [x, , z] = pool([{ fee: 1000, vsize: 100 }, { fee: 1000, vsize: 100, parents: [0] }, { fee: 1000, vsize: 100, parents: [1] }]);
    assert.equal(improvesFeerateDiagram(new Set([z!]), new Set([z!]), 1_000_000, 100), `${z!.txid} has 2 ancestors, max 1 allowed`);
    assert.equal(improvesFeerateDiagram(new Set([x!]), new Set([x!]), 1_000_000, 100), `${x!.txid} has 2 descendants, max 1 allowed`);
  });

  test('the old chunks are taken best first, whatever order the conflicts come in', () => {
    const NO = 'insufficient feerate: does not improve feerate diagram';
    const [low, high] = pool([{ fee: 1000, vsize: 100 }, { fee: 3000, vsize: 100 }]);
    // Old diagram (100, 3000), (200, 4000). 4001 / 200 is higher at 200 vB but lower at 100 vB
    // (2000.5 < 3000); against the unsorted (100, 1000), (200, 4000) it would look better.
    for (const set of [new Set([low!, high!]), new Set([high!, low!])]) {
      assert.equal(improvesFeerateDiagram(set, set, 4001, 200), NO);
      assert.equal(improvesFeerateDiagram(set, set, 4001, 100), undefined);
    }
  });

  test('a conflicting child: its parent stays and is chunked with it (CPFP) or apart', () => {
    const NO = 'insufficient feerate: does not improve feerate diagram';
    // Low parent (100 sat / 100 vB) paid for by a rich child (2000 / 100): one chunk 2100 / 200.
    const [, child] = pool([{ fee: 100, vsize: 100 }, { fee: 2000, vsize: 100, parents: [0] }]);
    const c = new Set([child!]);
    // New: the parent alone (100 / 100) and the replacement. 2000 / 100 sorts first:
    // (100, 2000), (200, 2100) vs old (200, 2100) through (100, 1050): better.
    assert.equal(improvesFeerateDiagram(c, c, 2000, 100), undefined);
    // 1000 / 100: (100, 1000), (200, 1100) vs (100, 1050), (200, 2100): worse.
    assert.equal(improvesFeerateDiagram(c, c, 1000, 100), NO);
    // Rich parent (2000 / 100), poor child (100 / 100): two chunks, 2000 then 100.
    const [, poor] = pool([{ fee: 2000, vsize: 100 }, { fee: 100, vsize: 100, parents: [0] }]);
    const d = new Set([poor!]);
    assert.equal(improvesFeerateDiagram(d, d, 101, 100), undefined);
    assert.equal(improvesFeerateDiagram(d, d, 100, 100), NO);
    assert.equal(improvesFeerateDiagram(d, d, 150, 200), NO); // crosses: worse at 150 vB
    // The parent replaced too: it is not in the new diagram.
    const [par, kid] = pool([{ fee: 2000, vsize: 100 }, { fee: 100, vsize: 100, parents: [0] }]);
    const both = new Set([par!, kid!]);
    assert.equal(improvesFeerateDiagram(new Set([par!]), both, 2101, 200), NO); // 2101 / 200 < 2000 / 100 at 100 vB
    assert.equal(improvesFeerateDiagram(new Set([par!]), both, 2101, 100), undefined);
  });
});

describe('IsRBFOptIn (policy/rbf.cpp): getrawmempool\'s bip125-replaceable', () => {
  test('an input below 0xfffffffe signals, and so does every descendant of a signalling entry', () => {
    const { pool: p } = newPool();
    const add = (t: ReturnType<typeof tx>) => {
      assert.ok(admit(p, cand(t, 1000)).ok);
      return p.get(hex(t))!;
    };
    const signals = add(tx({ ins: [[coinTxid(), 0]], sequence: 0xfffffffd }));
    const final = add(tx({ ins: [[coinTxid(), 0]], sequence: 0xfffffffe, outs: 2 }));
    const childOfSignal = add(tx({ ins: [[signals.tx, 0]], sequence: 0xffffffff }));
    const grandchild = add(tx({ ins: [[childOfSignal.tx, 0]], sequence: 0xffffffff }));
    const childOfFinal = add(tx({ ins: [[final.tx, 0]], sequence: 0xffffffff }));
    const ownSignal = add(tx({ ins: [[final.tx, 1]], sequence: 0 }));
    const check = rbfOptInChecker();
    // Asked leaves first, so that the ancestors are resolved through the memo.
    assert.deepEqual([grandchild, childOfFinal, ownSignal, childOfSignal, signals, final].map(check), [true, false, true, true, true, false]);
    // The answers do not change when asked again, or by a new checker after the pool grew.
    assert.deepEqual([grandchild, childOfFinal, final].map(check), [true, false, false]);
    const mixed = add(tx({ ins: [[childOfFinal.tx, 0], [grandchild.tx, 0]], sequence: 0xffffffff }));
    const again = rbfOptInChecker();
    assert.deepEqual([mixed, childOfFinal, grandchild, final].map(again), [true, false, true, false]);
  });
});

describe('conflicts are visited in txid order (Core\'s setEntries)', () => {
  /** Internal-byte order, written out independently of the code under test. */
  const byBytes = (a: Uint8Array, b: Uint8Array) => {
    const i = a.findIndex((x, k) => x !== b[k]);
    return i < 0 ? 0 : a[i]! - b[i]!;
  };
  test('sortByTxid sorts by the internal bytes of the txid', () => {
    const { pool: p } = newPool();
    const entries = Array.from({ length: 12 }, () => {
      const t = tx({ ins: [[coinTxid(), 0]] });
      assert.ok(admit(p, cand(t, 1000)).ok);
      return p.get(hex(t))!;
    });
    const want = [...entries].sort((a, b) => byBytes(a.tx.txid, b.tx.txid));
    assert.notDeepEqual(entries.map((e) => e.txid), want.map((e) => e.txid), 'admitted out of order');
    assert.deepEqual(sortByTxid(entries).map((e) => e.txid), want.map((e) => e.txid));
    assert.deepEqual(sortByTxid(new Set([...entries].reverse())).map((e) => e.txid), want.map((e) => e.txid));
    assert.deepEqual(sortByTxid([entries[0]!]), [entries[0]]);
  });
  test('sortByTxid: txids with a common prefix are ordered by their first differing byte', () => {
    const id = (pairs: [number, number][]) => {
      const b = new Uint8Array(32).fill(0xab);
      for (const [i, v] of pairs) b[i] = v;
      return { tx: { txid: b }, txid: toHex(b) } as unknown as MempoolEntry;
    };
    const want = [id([[1, 0], [31, 1]]), id([[1, 0], [31, 2]]), id([[1, 0], [30, 0xff]]), id([[1, 1]])];
    assert.deepEqual(sortByTxid([want[3]!, want[2]!, want[1]!, want[0]!]), want);
    assert.deepEqual(sortByTxid([want[1]!, want[3]!, want[0]!, want[2]!]), want);
  });
  test('rule 6 reports the first conflict in txid order that the replacement does not beat', () => {
    const { pool: p } = newPool();
    const [a, b] = [2000, 3000].map((fee) => {
      const t = tx({ ins: [[coinTxid(), 0]] });
      assert.ok(admit(p, cand(t, fee, 100)).ok);
      return p.get(hex(t))!;
    });
    const first = byBytes(a!.tx.txid, b!.tx.txid) < 0 ? a! : b!;
    const rate = `${(first.modFee / 100 / 1e5).toFixed(8)} BTC/kvB`;
    assert.equal(paysMoreThanConflicts([a!, b!], 1000, 'r'), `rejecting replacement r; new feerate 0.00001000 BTC/kvB <= old feerate ${rate}`);
    assert.equal(paysMoreThanConflicts([b!, a!], 1000, 'r'), `rejecting replacement r; new feerate 0.00001000 BTC/kvB <= old feerate ${rate}`);
  });
});
