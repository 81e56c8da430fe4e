/**
 * bench/data.ts: the generated transactions are deterministic, have the intended shapes and
 * verify under the standard script flags; the real blocks load with every spent output
 * (coinbase = subsidy + fees exactly).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTransaction, verifyScript } from '../../mod.ts';
import { toHex } from '../../src/primitives/bytes.ts';
import { decodeTx } from '../../src/primitives/tx.ts';
import { verifyInput } from '../../src/script/verify.ts';
import { decodeGenerated, loadRealBlock, makeTxs, REAL_BLOCKS, SINGLE_KINDS, STANDARD_FLAGS, type SingleKind } from '../../bench/data.ts';

const TEMPLATE: Record<SingleKind, RegExp> = {
  p2pkh: /^76a914[0-9a-f]{40}88ac$/,
  p2wpkh: /^0014[0-9a-f]{40}$/,
  p2tr: /^5120[0-9a-f]{64}$/,
  'p2wsh-multisig': /^0020[0-9a-f]{64}$/,
};

describe('bench/data.ts generated transactions', () => {
  const generated = new Map([...SINGLE_KINDS, 'mix' as const].map((k) => [k, makeTxs(k, k === 'mix' ? 13 : 3)]));

  test('deterministic: the same call gives the same bytes; tx i does not depend on count', () => {
    const again = makeTxs('p2wpkh', 2);
    assert.deepEqual(again.map((g) => toHex(g.tx)), generated.get('p2wpkh')!.slice(0, 2).map((g) => toHex(g.tx)));
    assert.notEqual(toHex(makeTxs('p2wpkh', 1, 2)[0]!.tx), toHex(again[0]!.tx), 'another seed gives other txs');
  });

  for (const [kind, txs] of generated) {
    test(`${kind}: shapes, CheckTransaction, and every input verifies with the standard flags`, () => {
      let inputs = 0;
      for (const g of txs) {
        const tx = decodeTx(g.tx);
        assert.equal(tx.inputs.length, g.prevouts.length);
        assert.equal(g.inputKinds.length, g.prevouts.length);
        if (kind !== 'mix') {
          assert.equal(tx.inputs.length, 1);
          assert.equal(tx.outputs.length, 2);
        }
        g.inputKinds.forEach((k, i) => assert.match(toHex(g.prevouts[i]!.scriptPubKey), TEMPLATE[k]));
        assert.equal(tx.hasWitness, g.inputKinds.some((k) => k !== 'p2pkh'));
        assert.deepEqual(checkTransaction(g.tx), { ok: true });
        const inSum = g.prevouts.reduce((s, p) => s + p.amount, 0n);
        const outSum = tx.outputs.reduce((s, o) => s + o.value, 0n);
        assert.ok(inSum > outSum, 'pays a fee');
        for (let i = 0; i < tx.inputs.length; i++) {
          assert.deepEqual(verifyScript({ tx: g.tx, index: i, prevouts: g.prevouts, flags: STANDARD_FLAGS }), { ok: true });
          inputs++;
        }
      }
      assert.ok(inputs >= txs.length);
    });
  }

  test('a changed amount or a flipped signature byte fails verification', () => {
    const wpkh = generated.get('p2wpkh')![0]!;
    const { tx, spent } = decodeGenerated(wpkh);
    const more = spent.map((o) => ({ ...o, value: o.value + 1n }));
    assert.equal(verifyInput(tx, 0, more, STANDARD_FLAGS).ok, false);
    for (const kind of ['p2pkh', 'p2tr'] as const) {
      const g = generated.get(kind)![0]!;
      const bad = g.tx.slice();
      const t = decodeTx(g.tx);
      const sig = kind === 'p2pkh' ? t.inputs[0]!.scriptSig : t.inputs[0]!.witness[0]!;
      const at = sig.byteOffset - g.tx.byteOffset + 20;
      bad[at] = bad[at]! ^ 1;
      assert.equal(verifyScript({ tx: bad, index: 0, prevouts: g.prevouts, flags: STANDARD_FLAGS }).ok, false, kind);
    }
  });

  test('the mix has every input kind, and multi-input txs', () => {
    const mix = generated.get('mix')!;
    assert.ok(mix.some((g) => g.inputKinds.length === 3));
    const kinds = new Set(mix.flatMap((g) => g.inputKinds));
    assert.deepEqual([...kinds].sort(), [...SINGLE_KINDS].sort());
  });
});

describe('bench/data.ts real blocks', () => {
  const EXPECTED = { '300025': 1427, '277647': 732, '367891': 20817 } as const;
  for (const name of REAL_BLOCKS) {
    test(`${name}: every input has its spent output; coinbase = 25 BTC + fees`, () => {
      const rb = loadRealBlock(name);
      assert.equal(rb.inputs, EXPECTED[name]);
      assert.equal(rb.spent.length, rb.block.txs.length);
      let fees = 0n;
      for (let t = 1; t < rb.block.txs.length; t++) {
        const tx = rb.block.txs[t]!;
        assert.equal(rb.spent[t]!.length, tx.inputs.length);
        const inSum = rb.spent[t]!.reduce((s, o) => s + o.value, 0n);
        const outSum = tx.outputs.reduce((s, o) => s + o.value, 0n);
        assert.ok(inSum >= outSum);
        fees += inSum - outSum;
      }
      const cb = rb.block.txs[0]!.outputs.reduce((s, o) => s + o.value, 0n);
      assert.equal(cb, 2_500_000_000n + fees);
      if (name === '277647') assert.equal(fees, 4737355n);
    });
  }

  test('a sample of real inputs verifies with the block flags', () => {
    for (const name of ['300025', '277647'] as const) {
      const rb = loadRealBlock(name);
      for (let t = 1; t < rb.block.txs.length; t += 40) {
        const tx = rb.block.txs[t]!;
        assert.deepEqual(verifyInput(tx, 0, rb.spent[t]!, rb.flags), { ok: true }, `${name} tx ${t}`);
      }
    }
  });
});
