/**
 * Every row of Core's script_tests.json through the public verifyScript, as
 * script_tests.cpp script_json_test / DoTest runs them: the scripts are evaluated as input 0
 * of a spending transaction of a crediting transaction (BuildCreditingTransaction /
 * BuildSpendingTransaction), CLEANSTACK brings P2SH and WITNESS with it, the result and
 * the ScriptError must match, and then (DoTest's loop) removing flags from a passing test
 * or adding flags to a failing one must not change the verdict: each single flag, plus
 * random combinations, skipping invalid combinations as Core does.
 * The five taproot rows use #SCRIPT#, #CONTROLBLOCK# and #TAPROOTOUTPUT#: a single tapleaf
 * (version 0xc0) under internal key x(1·G).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import process from 'node:process';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { fromHex } from '../../src/primitives/bytes.ts';
import { hash160, sha256 } from '../../src/primitives/hash.ts';
import { encodeTx } from '../../src/primitives/tx.ts';
import { SCRIPT_VERIFY } from '../../src/script/flags.ts';
import { parseFlags, traceScript, TraceBudgetError, verifyScript } from '../../mod.ts';
import { parseAsm } from '../util/asm.ts';
import { buildCreditingTx, buildSpendingTx, btcToSats } from '../util/script-tx.ts';
import { taprootOutput, type TaprootOutput } from '../util/taproot.ts';
import { FLAG_LIST, fillFlags, isValidFlagCombination, makeRng, showFlags, trimFlags } from '../util/flags.ts';
import { readVectorJson } from '../util/vectors.ts';
import { installCachingVerifier } from '../util/caching-verifier.ts';

installCachingVerifier();

/**
 * Random flag combinations per row on top of the 21 single-flag variations. Core runs 256;
 * 16 keeps the file at a few seconds. TXGATE_FLAG_COMBOS=256 runs Core's count.
 */
const RANDOM_COMBOS = Number(process.env.TXGATE_FLAG_COMBOS ?? 16);
const { P2SH, WITNESS, CLEANSTACK } = SCRIPT_VERIFY;

/** x(1·G): script_tests.cpp KeyData key0 (private key 1). */
const INTERNAL_KEY = secp256k1.Point.BASE.toBytes(true).subarray(1);

interface Case {
  index: number;
  row: unknown[];
  scriptSig: Uint8Array;
  scriptPubKey: Uint8Array;
  witness: Uint8Array[];
  amount: bigint;
  flags: number;
  expected: string;
}

function parseRow(row: unknown[], index: number): Case {
  const witness: Uint8Array[] = [];
  let amount = 0n;
  let pos = 0;
  let tap: TaprootOutput | undefined;
  if (Array.isArray(row[0])) {
    const w = row[0] as (string | number)[];
    for (let i = 0; i < w.length - 1; i++) {
      const e = w[i] as string;
      if (e.startsWith('#SCRIPT#')) witness.push(parseAsm(e.slice('#SCRIPT#'.length)));
      else if (e === '#CONTROLBLOCK#') {
        const leafScript = witness[witness.length - 1]!;
        tap = taprootOutput(INTERNAL_KEY, { leafVersion: 0xc0, script: leafScript });
        witness.push(tap.controlBlocks[0]!.controlBlock);
      } else witness.push(fromHex(e));
    }
    amount = btcToSats(w[w.length - 1] as number);
    pos = 1;
  }
  if (row.length < 4 + pos) throw new Error(`bad test row ${index}: ${JSON.stringify(row)}`);
  const scriptSig = parseAsm(row[pos] as string);
  const spkText = row[pos + 1] as string;
  let scriptPubKey: Uint8Array;
  if (spkText === '0x51 0x20 #TAPROOTOUTPUT#') {
    if (!tap) throw new Error(`row ${index}: #TAPROOTOUTPUT# without #CONTROLBLOCK#`);
    scriptPubKey = tap.scriptPubKey;
  } else scriptPubKey = parseAsm(spkText);
  return { index, row, scriptSig, scriptPubKey, witness, amount, flags: parseFlags(row[pos + 2] as string), expected: row[pos + 3] as string };
}

const json = readVectorJson<unknown[][]>('bitcoin-core/script_tests.json');
const cases: Case[] = [];
json.forEach((row, i) => {
  if (row.length === 1) return; // comment
  cases.push(parseRow(row, i));
});

test('script_tests.json has 1222 tests (675 OK), 5 of them taproot placeholders', () => {
  assert.equal(cases.length, 1222);
  assert.equal(cases.filter((c) => c.expected === 'OK').length, 675);
  assert.equal(cases.filter((c) => c.flags & SCRIPT_VERIFY.TAPROOT).length, 5);
});

const TRACE_BUDGET = { steps: 10_000, bytes: 1_000_000 };
const tracedRows = { run: 0, overBudget: 0 };
function traced(args: Parameters<typeof traceScript>[0]): ReturnType<typeof traceScript> | undefined {
  try {
    const t = traceScript(args);
    tracedRows.run++;
    return t;
  } catch (e) {
    if (!(e instanceof TraceBudgetError)) throw e;
    tracedRows.overBudget++;
    return undefined;
  }
}

function run(c: Case, tx: Uint8Array, flags: number): { ok: true } | { ok: false; error: string } {
  return verifyScript({ tx, index: 0, prevouts: [{ scriptPubKey: c.scriptPubKey, amount: c.amount }], flags });
}

describe('script_tests.json', () => {
  for (const c of cases) {
    const label = `#${c.index} ${c.expected} [${showFlags(c.flags)}] ${JSON.stringify(c.row).slice(0, 140)}`;
    test(label, () => {
      let flags = c.flags;
      if (flags & CLEANSTACK) flags |= P2SH | WITNESS;
      const credit = buildCreditingTx(c.scriptPubKey, c.amount);
      const spend = encodeTx(buildSpendingTx(c.scriptSig, c.witness, credit));
      const expectOk = c.expected === 'OK';

      const r = run(c, spend, flags);
      const got = r.ok ? 'OK' : r.error;
      assert.equal(got, c.expected, `row #${c.index} ${JSON.stringify(c.row)}\n  flags [${showFlags(flags)}]: expected ${c.expected}, got ${got}`);
      // The traced run (the same interpreter with a recording hook) ends the same way; rows
      // whose stack snapshots pass the budget (thousands of large elements) are left out.
      const t = traced({ tx: spend, index: 0, prevouts: [{ scriptPubKey: c.scriptPubKey, amount: c.amount }], flags, budget: TRACE_BUDGET });
      if (t) assert.equal('phases' in t && t.ok ? 'OK' : t.error, c.expected, `row #${c.index} traced`);

      // DoTest: removing flags from a passing test / adding flags to a failing test keeps the verdict.
      const problems: string[] = [];
      const check = (extra: number, why: string) => {
        let combined = expectOk ? flags & ~extra : flags | extra;
        // Core weeds out invalid combinations; completing them (still a subset / superset) tests more.
        if (!isValidFlagCombination(combined)) combined = expectOk ? trimFlags(combined) : fillFlags(combined);
        const rr = run(c, spend, combined);
        if (rr.ok !== expectOk) problems.push(`${why}: with [${showFlags(combined)}] got ${rr.ok ? 'OK' : rr.error}`);
      };
      for (const [name, f] of FLAG_LIST) check(f, `${expectOk ? 'removing' : 'adding'} ${name}`);
      const rng = makeRng(0x5c1 + c.index);
      for (let i = 0; i < RANDOM_COMBOS; i++) check(rng(FLAG_LIST.length), 'random flags');
      assert.equal(problems.length, 0, `row #${c.index} ${JSON.stringify(c.row)} (expected ${c.expected})\n  ${problems.join('\n  ')}`);
    });
  }
});

test('nearly every script_tests.json row was also traced within the budget', () => {
  assert.equal(tracedRows.run + tracedRows.overBudget, 1222);
  assert.ok(tracedRows.overBudget < 30, `${tracedRows.overBudget} rows over the trace budget`);
});

/**
 * CLEANSTACK after P2SH (BIP16) and witness (BIP141) evaluation, as VerifyScript: a P2SH
 * redeem script that is a witness program leaves [version, program] on the stack, which
 * must not count against CLEANSTACK; any other P2SH spend must leave exactly one element.
 */
describe('CLEANSTACK with P2SH-wrapped witness programs', () => {
  const flags = P2SH | WITNESS | CLEANSTACK;
  const push = (data: Uint8Array) => Uint8Array.of(data.length, ...data); // data under 76 bytes
  const p2sh = (redeem: Uint8Array) => Uint8Array.of(0xa9, 0x14, ...hash160(redeem), 0x87);
  const p2wsh = (script: Uint8Array) => Uint8Array.of(0x00, 0x20, ...sha256(script));
  function verify(scriptSig: Uint8Array, scriptPubKey: Uint8Array, witness: Uint8Array[], f = flags) {
    const spend = encodeTx(buildSpendingTx(scriptSig, witness, buildCreditingTx(scriptPubKey, 1000n)));
    return verifyScript({ tx: spend, index: 0, prevouts: [{ scriptPubKey, amount: 1000n }], flags: f });
  }
  const OP_1 = Uint8Array.of(0x51);

  test('P2SH-P2WSH: valid under CLEANSTACK although the redeem script leaves two elements', () => {
    const redeem = p2wsh(OP_1);
    assert.deepEqual(verify(push(redeem), p2sh(redeem), [OP_1]), { ok: true });
    assert.deepEqual(verify(push(redeem), p2sh(redeem), [OP_1], P2SH | WITNESS), { ok: true });
  });

  test('P2SH-P2WSH: the witness script itself must leave one element; extra scriptSig pushes are malleation', () => {
    const twoLeft = Uint8Array.of(0x51, 0x51);
    const redeem = p2wsh(twoLeft);
    assert.deepEqual(verify(push(redeem), p2sh(redeem), [twoLeft]), { ok: false, error: 'CLEANSTACK' });
    const one = p2wsh(OP_1);
    assert.deepEqual(verify(Uint8Array.of(0x51, ...push(one)), p2sh(one), [OP_1]), { ok: false, error: 'WITNESS_MALLEATED_P2SH' });
  });

  test('plain P2SH: one element left passes, two fail only under CLEANSTACK', () => {
    assert.deepEqual(verify(push(OP_1), p2sh(OP_1), []), { ok: true });
    assert.deepEqual(verify(Uint8Array.of(0x51, ...push(OP_1)), p2sh(OP_1), []), { ok: false, error: 'CLEANSTACK' });
    assert.deepEqual(verify(Uint8Array.of(0x51, ...push(OP_1)), p2sh(OP_1), [], P2SH | WITNESS), { ok: true });
  });
});
