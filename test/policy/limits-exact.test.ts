// Every numeric standardness limit at N-1, N and N+1 (Core v30 policy/policy.cpp IsStandardTx,
// GetDustThreshold, AreInputsStandard, IsWitnessStandard; validation.cpp PreChecks;
// rpc/mempool.cpp maxfeerate). The expected numbers are worked out by hand in the comments.
// Limits pinned elsewhere at all three points: the version range and MAX_DUST_OUTPUTS_PER_TX
// (is-standard-tx.test.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { policyOptions, DEFAULT_POLICY } from '../../src/policy/constants.ts';
import { isDust, isStandardTx } from '../../src/policy/standard.ts';
import { areInputsStandard, evalPushOnly, isWitnessStandard } from '../../src/policy/inputs.ts';
import { virtualSize } from '../../src/policy/vsize.ts';
import { OP } from '../../src/script/opcodes.ts';
import { pushData } from '../../src/script/script.ts';
import type { Transaction, TxIn, TxOut } from '../../src/primitives/tx.ts';
import type { ChainContext } from '../../src/validation/prechecks.ts';
import { isRejection, maxFeeExceeded, MemPoolAccept, mempoolFor } from '../../src/mempool/accept.ts';
import { prepare } from '../../src/mempool/admit.ts';
import { SuppliedCoins } from '../../src/mempool/coin-view.ts';
import { SINGLE_ACCEPT } from '../../src/mempool/types.ts';
import { withWeight } from '../util/weight.ts';
import {
  b, coin, input, multisig, P2A, p2pk, p2pkh, p2sh, p2tr, p2wpkh, p2wsh, privKey, pubKey, tx,
} from './helpers.ts';

const k1 = pubKey(privKey(1));
const pay = (value: bigint, spk = p2wpkh(k1)): TxOut => ({ value, scriptPubKey: spk });
const inp = (i: number, scriptSig = b(), witness: Uint8Array[] = []): TxIn => ({ ...input(i), scriptSig, witness });
const reason = (t: Transaction, o = DEFAULT_POLICY) => {
  const r = isStandardTx(t, o);
  return r.ok ? 'ok' : r.reason;
};
/** [N-1, N, N+1] → the three expected verdicts. */
function atBoundary<T>(n: number, f: (x: number) => T, expect: [T, T, T]): void {
  assert.deepEqual([f(n - 1), f(n), f(n + 1)], expect, `around ${n}`);
}

describe('IsStandardTx limits', () => {
  test('MAX_STANDARD_TX_WEIGHT 400,000 → tx-size', () => {
    const ofWeight = (w: number) => withWeight(w, (pad) => tx({ inputs: [inp(1, b(), [new Uint8Array(pad)])], outputs: [pay(10_000n)] }));
    atBoundary(400_000, (w) => reason(ofWeight(w)), ['ok', 'ok', 'tx-size']);
  });
  test('MAX_STANDARD_SCRIPTSIG_SIZE 1650 → scriptsig-size', () => {
    // PUSHDATA2 header (3 bytes) + data.
    const ofSize = (n: number) => tx({ inputs: [inp(1, b(OP.OP_PUSHDATA2, (n - 3) & 0xff, (n - 3) >> 8, new Uint8Array(n - 3)))], outputs: [pay(10_000n)] });
    atBoundary(1650, (n) => reason(ofSize(n)), ['ok', 'ok', 'scriptsig-size']);
  });
  test('-datacarriersize budget: OP_RETURN scriptPubKeys of budget-1, budget, budget+1 bytes', () => {
    // OP_RETURN + PUSHDATA2 header (3 bytes) + data = n bytes.
    const ofSize = (n: number) => tx({ inputs: [inp(1)], outputs: [pay(10_000n), pay(0n, b(OP.OP_RETURN, pushData(new Uint8Array(n - 4))))] });
    for (const budget of [1000, 5000]) {
      atBoundary(budget, (n) => reason(ofSize(n), policyOptions({ maxDatacarrierBytes: budget })), ['ok', 'ok', 'datacarrier']);
    }
  });
});

describe('dust thresholds per output type (GetDustThreshold at -dustrelayfee 3000 sat/kvB)', () => {
  // (output size + spending input size) × 3 sat/vB; the input is 148 bytes, 67 vbytes for witness programs.
  const cases: [string, Uint8Array, number][] = [
    ['P2PKH: (34 + 148) × 3', p2pkh(k1), 546],
    ['P2SH: (32 + 148) × 3', p2sh(b(1)), 540],
    ['P2PK compressed: (44 + 148) × 3', p2pk(k1), 576],
    ['bare 1-of-1 multisig: (46 + 148) × 3', multisig(1, [k1]), 582],
    ['P2WPKH: (31 + 67) × 3', p2wpkh(k1), 294],
    ['P2WSH: (43 + 67) × 3', p2wsh(new Uint8Array(32)), 330],
    ['P2TR: (43 + 67) × 3', p2tr(new Uint8Array(32)), 330],
    ['P2A: (13 + 67) × 3', P2A, 240],
  ];
  for (const [name, spk, threshold] of cases) {
    test(name + ` = ${threshold}`, () => {
      atBoundary(threshold, (v) => isDust(pay(BigInt(v), spk), 3000), [true, false, false]);
    });
  }
  test('rounded up at other rates: P2WPKH 98 vB at 1001 sat/kvB = 98.098 → 99', () => {
    atBoundary(99, (v) => isDust(pay(BigInt(v)), 1001), [true, false, false]);
  });
});

describe('AreInputsStandard limits', () => {
  const out = (spk: Uint8Array) => pay(10_000n, spk);
  const checksigs = (n: number) => b(...Array(n).fill(OP.OP_CHECKSIG), OP.OP_1);
  test('MAX_P2SH_SIGOPS 15 per redeem script', () => {
    atBoundary(15, (n) => areInputsStandard(tx({ inputs: [inp(1, pushData(checksigs(n)))], outputs: [pay(1000n)] }), [out(p2sh(checksigs(n)))]), [true, true, false]);
  });
  test('MAX_TX_LEGACY_SIGOPS 2500 (BIP54): 166 inputs × 15 + one input of n - 2490', () => {
    const spendOf = (total: number) => {
      const redeems = [...Array(166).fill(checksigs(15)), checksigs(total - 2490)];
      const t = tx({ inputs: redeems.map((r, i) => inp(i, pushData(r))), outputs: [pay(1000n)] });
      return areInputsStandard(t, redeems.map((r) => out(p2sh(r))));
    };
    atBoundary(2500, spendOf, [true, true, false]);
  });
});

describe('IsWitnessStandard limits', () => {
  const item = (n: number) => new Uint8Array(n);
  const script = (n: number) => new Uint8Array(n).fill(OP.OP_NOP);
  const wsh = (ws: Uint8Array[]) => isWitnessStandard(tx({ inputs: [inp(1, b(), ws)], outputs: [pay(1000n)] }), [pay(10_000n, p2wsh(new Uint8Array(32)))]);
  const tap = (ws: Uint8Array[]) => isWitnessStandard(tx({ inputs: [inp(1, b(), ws)], outputs: [pay(1000n)] }), [pay(10_000n, p2tr(new Uint8Array(32)))]);
  test('MAX_STANDARD_P2WSH_SCRIPT_SIZE 3600', () => atBoundary(3600, (n) => wsh([item(1), script(n)]), [true, true, false]));
  test('MAX_STANDARD_P2WSH_STACK_ITEMS 100 (items below the script)', () => {
    atBoundary(100, (n) => wsh([...Array(n).fill(item(1)), script(10)]), [true, true, false]);
  });
  test('MAX_STANDARD_P2WSH_STACK_ITEM_SIZE 80', () => atBoundary(80, (n) => wsh([item(n), script(10)]), [true, true, false]));
  test('MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE 80', () => {
    atBoundary(80, (n) => tap([item(n), script(5), b(0xc0, new Uint8Array(32))]), [true, true, false]);
  });
});

describe('push-only scriptSig evaluation limits (EvalScript)', () => {
  test('MAX_SCRIPT_ELEMENT_SIZE 520 bytes per push', () => {
    atBoundary(520, (n) => evalPushOnly(b(OP.OP_PUSHDATA2, n & 0xff, n >> 8, new Uint8Array(n))) !== undefined, [true, true, false]);
  });
  test('MAX_STACK_SIZE 1000 elements', () => {
    atBoundary(1000, (n) => evalPushOnly(new Uint8Array(n).fill(OP.OP_1)) !== undefined, [true, true, false]);
  });
  test('MAX_SCRIPT_SIZE 10,000 bytes', () => {
    // 131 pushes of 75 bytes (76 bytes each) then OP_1s up to n bytes: fewer than 1000 elements.
    const ofSize = (n: number) => b(...Array(131).fill(b(75, new Uint8Array(75))), new Uint8Array(n - 9956).fill(OP.OP_1));
    atBoundary(10_000, (n) => evalPushOnly(ofSize(n)) !== undefined, [true, true, false]);
  });
});

describe('PreChecks limits', () => {
  const H = 800_000;
  const chain: ChainContext = { height: H, mtp: 1_700_000_000 };
  /** PreChecks, then the mempool's checks (fee floors, TRUC) against an empty mempool; no scripts. */
  const pre = (t: Transaction, spent: TxOut[], o = {}) => {
    const policy = policyOptions(o);
    const mempool = mempoolFor(policy);
    const coins = new SuppliedCoins(t, spent.map((s) => coin(s.value, s.scriptPubKey, H - 10)));
    const accept = new MemPoolAccept({ mempool, coins, chain: () => chain, policy, scripts: () => ({ ok: true }) });
    const c = accept.preChecks(t, coins, SINGLE_ACCEPT);
    if (isRejection(c)) return c;
    const plan = prepare(mempool, c, SINGLE_ACCEPT);
    return plan.ok ? c : plan;
  };
  const verdict = (r: ReturnType<typeof pre>) => ('ok' in r && r.ok === false ? `${r.reason}${r.details ? ' ' + r.details : ''}` : 'ok');

  test('MIN_STANDARD_TX_NONWITNESS_SIZE 65 → tx-size-small', () => {
    // 4 + 1 + 41 + 1 + (8 + 1 + n) + 4 = 60 + n bytes with an n-byte OP_RETURN scriptPubKey.
    const ofSize = (size: number) => {
      const t = tx({ inputs: [inp(1)], outputs: [pay(0n, b(OP.OP_RETURN, size - 62, new Uint8Array(size - 62)))] });
      assert.equal(t.baseSize, size);
      return verdict(pre(t, [pay(100_000n)]));
    };
    atBoundary(65, ofSize, ['tx-size-small', 'ok', 'ok']);
  });

  test('MAX_STANDARD_TX_SIGOPS_COST 16,000 → bad-txns-too-many-sigops', () => {
    // 199 bare multisig outputs (20 legacy sigops each, × 4) = 15,920; j P2PK outputs add 4
    // each; k P2WPKH inputs add 1 each (witness sigops); a P2TR input adds nothing.
    const ofCost = (j: number, k: number) => {
      const outs = [...Array(199).fill(pay(1000n, multisig(1, [k1]))), ...Array(j).fill(pay(1000n, p2pk(k1)))];
      const spent = [pay(100_000_000n, p2tr(new Uint8Array(32))), ...Array(k).fill(pay(100_000_000n))];
      return pre(tx({ inputs: spent.map((_, i) => inp(i)), outputs: outs }), spent);
    };
    const cost = (r: ReturnType<typeof pre>) => ('sigOpCost' in r ? r.sigOpCost : verdict(r));
    assert.deepEqual([cost(ofCost(19, 3)), cost(ofCost(20, 0)), cost(ofCost(20, 1))], [15_999, 16_000, 'bad-txns-too-many-sigops 16001']);
  });

  test('min relay fee: fee × 1000 / vsize against -minrelaytxfee, the minimum rounded up', () => {
    const t = tx({ inputs: [inp(1)], outputs: [pay(50_000n)] });
    const vsize = t.vsize;
    for (const rate of [100, 1234]) {
      const need = Math.ceil((rate * vsize) / 1000);
      assert.notEqual((rate * vsize) % 1000, 0, 'a minimum that needs rounding');
      atBoundary(need, (fee) => verdict(pre(t, [pay(50_000n + BigInt(fee))], { minRelayFeeRate: rate })),
        [`min relay fee not met ${need - 1} < ${need}`, 'ok', 'ok']);
    }
  });

  test('TRUC_MAX_VSIZE 10,000 vB for version 3', () => {
    const ofVsize = (v: number) => {
      const t = withWeight(v * 4, (pad) => tx({ version: 3, inputs: [inp(1, b(), [new Uint8Array(pad)])], outputs: [pay(50_000n)] }));
      // The reason and the end of Core's text (its start names the txid).
      return verdict(pre(t, [pay(100_000n)])).replace(/ version=3 tx .* is too big/, ' is too big');
    };
    atBoundary(10_000, ofVsize, ['ok', 'ok', 'TRUC-violation is too big: 10001 > 10000 virtual bytes']);
  });

  test('bytes_per_sigop: vsize = max(weight, sigop cost × 20) / 4, rounded up', () => {
    atBoundary(200, (sigops) => virtualSize(4000, sigops), [1000, 1000, 1005]);
    atBoundary(4000, (weight) => virtualSize(weight), [1000, 1000, 1001]);
    atBoundary(20, (bytesPerSigop) => virtualSize(4000, 200, bytesPerSigop), [1000, 1000, 1050]);
  });
});

describe('maxfeerate (testmempoolaccept, sendrawtransaction)', () => {
  const finish = (fee: number, vsize: number, rate: number) => {
    const over = maxFeeExceeded(BigInt(fee), vsize, rate);
    return over === undefined ? 'ok' : `max-fee-exceeded ${over}`;
  };
  test('default 0.10 BTC/kvB: 141 vB may pay 1,410,000 sat', () => {
    atBoundary(1_410_000, (fee) => finish(fee, 141, 10_000_000), ['ok', 'ok', 'max-fee-exceeded 1410001 > 1410000']);
  });
  test('the maximum is rounded up: 1234 sat/kvB × 141 vB = 173.994 → 174', () => {
    atBoundary(174, (fee) => finish(fee, 141, 1234), ['ok', 'ok', 'max-fee-exceeded 175 > 174']);
  });
});
