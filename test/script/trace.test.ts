/**
 * Script traces (src/script/trace.ts) of real spends: the trace's final ScriptError is the
 * one verification gives, every reported message hash is the one the signature signs (and
 * the BIP341 wallet vectors' sigHash, SigMsg and sha_* values), the stacks after every step
 * are the hand-checked ones for each script type, and the step and byte budgets hold at
 * N-1, N and N+1.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { fromHex, toHex } from '../../src/primitives/bytes.ts';
import { hash160 } from '../../src/primitives/hash.ts';
import { decodeTx, encodeTx } from '../../src/primitives/tx.ts';
import { SCRIPT_VERIFY } from '../../src/script/flags.ts';
import { traceScript } from '../../mod.ts';
import { STANDARD_SCRIPT_VERIFY_FLAGS as STANDARD } from '../../src/policy/constants.ts';
import { traceInput, TraceBudget, TraceBudgetError, type InputTrace, type PhaseTrace } from '../../src/script/trace.ts';
import { verifyInput } from '../../src/script/verify.ts';
import { readVectorJson } from '../util/vectors.ts';
import { pubKey } from '../policy/helpers.ts';
import {
  allSpends, K1, K2, K3, keyPathSpend, LEAF, MULTISIG, p2pkhSpend, p2shMultisigSpend, p2wpkhSpend, p2wshSpend, TAP, tapscriptSpend, WSH_SCRIPT, type Spend,
} from '../util/trace-spends.ts';

const trace = (s: Spend, budget?: TraceBudget): InputTrace => traceInput(s.tx, 0, s.spent, STANDARD, budget ? { budget } : {});
const phase = (t: InputTrace, kind: PhaseTrace['phase']): PhaseTrace => {
  const p = t.phases.find((x) => x.phase === kind);
  assert.ok(p, `no ${kind} phase in ${t.phases.map((x) => x.phase).join(', ')}`);
  return p;
};
const stacks = (p: PhaseTrace): string[][] => p.steps.map((s) => s.stack);
const hex = toHex;
const sigOf = (s: Spend, i: number): string => hex(s.tx.inputs[0]!.witness[i]!);

describe('the trace ends as verification does', () => {
  for (const s of allSpends()) {
    test(s.name, () => {
      const t = trace(s);
      const v = verifyInput(s.tx, 0, s.spent, STANDARD);
      assert.equal(t.ok, v.ok);
      assert.equal(t.error, v.ok ? undefined : v.error);
      assert.equal(t.error, s.error, 'the known failure');
    });
  }
});

describe('every reported message hash is the one the signature signs', () => {
  for (const s of allSpends()) {
    test(s.name, () => {
      const checks = trace(s).phases.flatMap((p) => p.sigchecks);
      if (!s.error) assert.notEqual(checks.length, 0, 'a valid spend checks signatures');
      for (const c of checks) {
        if (c.signature === '' || c.sighash === null) continue;
        const msg = fromHex(c.sighash), sig = fromHex(c.signature), key = fromHex(c.pubkey);
        const ok = c.algorithm === 'bip341'
          ? schnorr.verify(sig.subarray(0, 64), msg, key)
          : secp256k1.verify(sig.subarray(0, sig.length - 1), msg, key, { prehash: false, format: 'der', lowS: false });
        assert.equal(ok, c.result, `${c.algorithm} check of ${c.pubkey.slice(0, 16)}…`);
      }
    });
  }
});

describe('BIP341 wallet vectors: key path signature hashes', () => {
  interface KeyPath {
    given: { rawUnsignedTx: string; utxosSpent: { scriptPubKey: string; amountSats: number }[] };
    intermediary: Record<string, string>;
    inputSpending: { given: { txinIndex: number; hashType: number }; intermediary: { sigMsg: string; sigHash: string; precomputedUsed: string[] } }[];
    auxiliary: { fullySignedTx: string };
  }
  const V = readVectorJson<{ keyPathSpending: KeyPath[] }>('bitcoin-core/bip341_wallet_vectors.json');
  const names: Record<string, string> = {
    hashPrevouts: 'sha_prevouts', hashAmounts: 'sha_amounts', hashScriptPubkeys: 'sha_scriptpubkeys', hashSequences: 'sha_sequences', hashOutputs: 'sha_outputs',
  };
  for (const kp of V.keyPathSpending) {
    const tx = decodeTx(fromHex(kp.auxiliary.fullySignedTx));
    const spent = kp.given.utxosSpent.map((u) => ({ value: BigInt(u.amountSats), scriptPubKey: fromHex(u.scriptPubKey) }));
    for (const inp of kp.inputSpending) {
      test(`input ${inp.given.txinIndex}, hash type 0x${inp.given.hashType.toString(16)}`, () => {
        const t = traceInput(tx, inp.given.txinIndex, spent, STANDARD);
        assert.equal(t.ok, true);
        const [c] = phase(t, 'taprootKeyPath').sigchecks;
        assert.ok(c);
        assert.equal(c.algorithm, 'bip341');
        assert.equal(c.sighashType, inp.given.hashType);
        assert.equal(c.sighash, inp.intermediary.sigHash);
        assert.equal(c.parts.sigMsg, inp.intermediary.sigMsg);
        for (const used of inp.intermediary.precomputedUsed) assert.equal(c.parts[names[used]!], kp.intermediary[used], used);
        for (const [v, n] of Object.entries(names)) if (!inp.intermediary.precomputedUsed.includes(v)) assert.equal(c.parts[n], undefined, `${n} not hashed`);
      });
    }
  }
});

describe('stacks after each step, hand-checked', () => {
  const pub1 = hex(pubKey(K1)), pub2 = hex(pubKey(K2)), pub3 = hex(pubKey(K3));

  test('P2PKH: scriptSig pushes, then DUP HASH160 <h> EQUALVERIFY CHECKSIG', () => {
    const s = p2pkhSpend(false);
    const t = trace(s);
    const sig = hex(s.tx.inputs[0]!.scriptSig.subarray(1, 1 + s.tx.inputs[0]!.scriptSig[0]!));
    const h = hex(hash160(pubKey(K1)));
    assert.deepEqual(stacks(phase(t, 'scriptSig')), [[sig], [sig, pub1]]);
    const spk = phase(t, 'scriptPubKey');
    assert.deepEqual(spk.steps.map((x) => [x.offset, x.opcode]), [[0, 'OP_DUP'], [1, 'OP_HASH160'], [2, 'OP_PUSHBYTES_20'], [23, 'OP_EQUALVERIFY'], [24, 'OP_CHECKSIG']]);
    assert.deepEqual(stacks(spk), [[sig, pub1, pub1], [sig, pub1, h], [sig, pub1, h, h], [sig, pub1], ['01']]);
    assert.equal(spk.sigchecks[0]!.step, 4);
    assert.equal(spk.sigchecks[0]!.algorithm, 'legacy');
    assert.equal(spk.sigchecks[0]!.parts.scriptCode, hex(s.spent[0]!.scriptPubKey));
  });

  test('P2SH 2-of-3: the redeem script runs on the scriptSig stack; a failing CHECKMULTISIG stops there', () => {
    const t = trace(p2shMultisigSpend(false));
    const r = phase(t, 'redeemScript');
    const [, s1, s2] = r.stackBefore!;
    assert.deepEqual(r.stackBefore, ['', s1, s2]);
    assert.equal(r.script, hex(MULTISIG));
    assert.deepEqual(stacks(r), [
      ['', s1, s2, '02'], ['', s1, s2, '02', pub1], ['', s1, s2, '02', pub1, pub2], ['', s1, s2, '02', pub1, pub2, pub3],
      ['', s1, s2, '02', pub1, pub2, pub3, '03'], ['01'],
    ]);
    // CHECKMULTISIG takes keys and signatures from the top: the last key first.
    assert.deepEqual(r.sigchecks.map((c) => [c.step, c.pubkey, c.result]), [[5, pub3, false], [5, pub2, true], [5, pub1, true]]);
    const bad = trace(p2shMultisigSpend(true));
    const rb = phase(bad, 'redeemScript');
    assert.deepEqual(rb.sigchecks.map((c) => [c.pubkey, c.result]), [[pub3, false], [pub2, false]]);
    assert.deepEqual(rb.stoppedAt, { offset: MULTISIG.length - 1, opcode: 'OP_CHECKMULTISIG' });
    assert.equal(rb.result, 'NULLFAIL');
  });

  test('P2WPKH: the implied script on the witness stack', () => {
    const s = p2wpkhSpend(false);
    const p = phase(trace(s), 'p2wpkh');
    const sig = sigOf(s, 0), h = hex(hash160(pubKey(K1)));
    assert.equal(p.sigversion, 'witness_v0');
    assert.deepEqual(p.stackBefore, [sig, pub1]);
    assert.deepEqual(stacks(p), [[sig, pub1, pub1], [sig, pub1, h], [sig, pub1, h, h], [sig, pub1], ['01']]);
    const c = p.sigchecks[0]!;
    assert.equal(c.algorithm, 'bip143');
    assert.deepEqual(Object.keys(c.parts).sort(), ['amount', 'hashOutputs', 'hashPrevouts', 'hashSequence', 'nSequence', 'scriptCode']);
    const bad = phase(trace(p2wpkhSpend(true)), 'p2wpkh');
    assert.deepEqual(bad.stoppedAt, { offset: 23, opcode: 'OP_EQUALVERIFY' });
  });

  test('P2WSH IF/ELSE: the skipped branch, the condition stack, MINIMALIF at the OP_IF', () => {
    const s = p2wshSpend(false);
    const p = phase(trace(s), 'witnessScript');
    const sig = sigOf(s, 0);
    assert.equal(p.script, hex(WSH_SCRIPT));
    assert.deepEqual(p.stackBefore, [sig, '01']);
    assert.deepEqual(p.steps.map((x) => [x.offset, x.opcode, x.executed, x.stack, x.conditions]), [
      [0, 'OP_IF', true, [sig], [true]],
      [1, 'OP_PUSHBYTES_33', true, [sig, pub1], [true]],
      [35, 'OP_ELSE', true, [sig, pub1], [false]],
      [36, 'OP_PUSHBYTES_33', false, [sig, pub1], [false]],
      [70, 'OP_ENDIF', false, [sig, pub1], []],
      [71, 'OP_CHECKSIG', true, ['01'], []],
    ]);
    const bad = phase(trace(p2wshSpend(true)), 'witnessScript');
    assert.deepEqual(bad.steps, []);
    assert.deepEqual(bad.stoppedAt, { offset: 0, opcode: 'OP_IF' });
  });

  test('taproot key path: one BIP341 check, no script', () => {
    const s = keyPathSpend(false);
    const t = trace(s);
    assert.deepEqual(t.phases.map((p) => p.phase), ['scriptSig', 'scriptPubKey', 'taprootKeyPath']);
    const p = phase(t, 'taprootKeyPath');
    assert.deepEqual(p.steps, []);
    const c = p.sigchecks[0]!;
    assert.deepEqual([c.sighashType, c.sighashTypeName, c.parts.spend_type, c.step], [0, 'DEFAULT', 0, undefined]);
    assert.equal(c.pubkey, hex(s.spent[0]!.scriptPubKey.subarray(2)));
    const bad = phase(trace(keyPathSpend(true)), 'taprootKeyPath').sigchecks[0]!;
    assert.deepEqual([bad.result, bad.error], [false, 'SCHNORR_SIG']);
  });

  test('tapscript CHECKSIGADD: the control block, the merkle path and the leaf', () => {
    const s = tapscriptSpend(false);
    const p = phase(trace(s), 'tapscript');
    const [sig2, sig1] = [sigOf(s, 0), sigOf(s, 1)];
    const x1 = hex(LEAF.subarray(1, 33)), x2 = hex(LEAF.subarray(35, 67));
    assert.deepEqual(p.tapscript, {
      leafVersion: 0xc0, controlBlock: hex(TAP.controlBlocks[0]!.controlBlock), internalKey: hex(TAP.internalKey), parity: TAP.parity,
      leafHash: hex(TAP.controlBlocks[0]!.leafHash), merklePath: [hex(TAP.controlBlocks[1]!.leafHash)], merkleRoot: hex(TAP.merkleRoot!),
      outputKey: hex(TAP.outputKey), committed: true,
    });
    assert.deepEqual(p.stackBefore, [sig2, sig1]);
    assert.deepEqual(p.steps.map((x) => x.opcode), ['OP_PUSHBYTES_32', 'OP_CHECKSIG', 'OP_PUSHBYTES_32', 'OP_CHECKSIGADD', 'OP_2', 'OP_NUMEQUAL']);
    assert.deepEqual(stacks(p), [[sig2, sig1, x1], [sig2, '01'], [sig2, '01', x2], ['02'], ['02', '02'], ['01']]);
    assert.deepEqual(p.sigchecks.map((c) => [c.step, c.pubkey, c.parts.tapleaf_hash, c.parts.spend_type, c.parts.codesep_pos]),
      [[1, x1, p.tapscript!.leafHash, 2, 0xffffffff], [3, x2, p.tapscript!.leafHash, 2, 0xffffffff]]);
    const bad = phase(trace(tapscriptSpend('sig')), 'tapscript');
    assert.deepEqual(stacks(bad).slice(3), [['01'], ['01', '02'], ['']]);
    const wrongKey = phase(trace(tapscriptSpend('control')), 'tapscript');
    assert.deepEqual([wrongKey.tapscript!.committed, wrongKey.steps.length, wrongKey.script], [false, 0, undefined]);
  });
});

describe('budgets at N-1, N and N+1', () => {
  const s = p2wshSpend(false);
  const full = trace(s);
  test('the full trace reports what it used', () => {
    assert.equal(full.steps, full.phases.reduce((n, p) => n + p.steps.length, 0));
    assert.ok(full.bytes > 0);
  });
  for (const [limit, n] of [['steps', full.steps], ['bytes', full.bytes]] as const) {
    const budget = (m: number) => (limit === 'steps' ? new TraceBudget(m, Infinity) : new TraceBudget(Infinity, m));
    test(`${limit}: ${n - 1} is refused`, () => {
      assert.throws(() => trace(s, budget(n - 1)), (e) => e instanceof TraceBudgetError && e.limit === limit && e.max === n - 1);
    });
    test(`${limit}: ${n} and ${n + 1} are enough`, () => {
      assert.deepEqual(trace(s, budget(n)), full);
      assert.deepEqual(trace(s, budget(n + 1)), full);
    });
  }
  test('one budget spans several traces', () => {
    const b = new TraceBudget(full.steps * 2, Infinity);
    trace(s, b);
    trace(s, b);
    assert.throws(() => trace(s, b), TraceBudgetError);
  });
});

describe('mod.ts traceScript', () => {
  const s = p2wshSpend(true);
  const args = { tx: encodeTx(s.tx), index: 0, prevouts: s.spent.map((o) => ({ scriptPubKey: o.scriptPubKey, amount: o.value })) };
  test('the standard flags by default; the caller\'s flags when given', () => {
    assert.deepEqual(traceScript(args), trace(s));
    const consensus = traceScript({ ...args, flags: SCRIPT_VERIFY.P2SH | SCRIPT_VERIFY.WITNESS });
    assert.deepEqual([consensus.ok, 'flags' in consensus && consensus.flags], [true, 'P2SH,WITNESS']);
  });
  test('libbitcoinconsensus\' argument errors, and the budget', () => {
    assert.deepEqual(traceScript({ ...args, tx: Uint8Array.of(1, 2) }), { ok: false, error: 'TX_DESERIALIZE' });
    assert.deepEqual(traceScript({ ...args, index: 1 }), { ok: false, error: 'TX_INDEX' });
    assert.deepEqual(traceScript({ ...args, prevouts: [] }), { ok: false, error: 'TX_INPUTS_NOT_SPENT' });
    assert.throws(() => traceScript({ ...args, budget: { steps: 0, bytes: 1e9 } }), TraceBudgetError);
  });
});

test('STACK_SIZE stops at the opcode that grew the stack past 1,000 (the last step recorded)', () => {
  const spk = new Uint8Array(1001).fill(0x51);
  const t = traceInput(keyPathSpend(false).tx, 0, [{ value: 1n, scriptPubKey: spk }], SCRIPT_VERIFY.P2SH); // an empty scriptSig
  const p = phase(t, 'scriptPubKey');
  assert.deepEqual([t.error, p.steps.length, p.steps.at(-1)!.stack.length, p.stoppedAt], ['STACK_SIZE', 1001, 1001, { offset: 1000, opcode: 'OP_1' }]);
});
