/**
 * The conformance suite passes with EVERY signature backend available on this
 * runtime, not only the default: Core's script_tests.json (each row under its own flags),
 * tx_valid.json and tx_invalid.json (Core's flag semantics), the BIP341 wallet vectors' fully
 * signed transaction, and a real mainnet block with its spent outputs (btcd 277647, 732
 * ECDSA inputs). Backends that do not load here are reported skipped by name.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex } from '../../src/primitives/bytes.ts';
import { decodeTx, encodeTx } from '../../src/primitives/tx.ts';
import { ALL_FLAGS, SCRIPT_VERIFY } from '../../src/script/flags.ts';
import { getDefaultVerifier, setDefaultVerifier } from '../../src/script/verify.ts';
import { validateBlock } from '../../src/chain/validate-block.ts';
import { parseFlags, verifyScript } from '../../mod.ts';
import { parseAsm } from '../util/asm.ts';
import { probeBackends } from '../util/backends.ts';
import { buildCreditingTx, buildSpendingTx, btcToSats } from '../util/script-tx.ts';
import { fillFlags, trimFlags } from '../util/flags.ts';
import { checkTxScripts, txVectors } from '../util/tx-vectors.ts';
import { readVectorJson } from '../util/vectors.ts';
import { loadBtcd277647 } from '../chain/vectors.ts';

const original = getDefaultVerifier();
after(() => setDefaultVerifier(original));

const { P2SH, WITNESS, CLEANSTACK, TAPROOT } = SCRIPT_VERIFY;
const backends = await probeBackends();

// script_tests rows that need no taproot placeholder (those five run in script-tests.test.ts).
const scriptRows = readVectorJson<unknown[][]>('bitcoin-core/script_tests.json').filter((r) => r.length > 1 && !JSON.stringify(r).includes('#'));
const txValid = txVectors(readVectorJson<unknown[][]>('bitcoin-core/tx_valid.json'));
const txInvalid = txVectors(readVectorJson<unknown[][]>('bitcoin-core/tx_invalid.json')).filter((v) => v.flagsText !== 'BADTX');
const bip341 = readVectorJson<{ keyPathSpending: { given: { utxosSpent: { scriptPubKey: string; amountSats: number }[] }; auxiliary: { fullySignedTx: string } }[] }>('bitcoin-core/bip341_wallet_vectors.json').keyPathSpending[0]!;
const btcd = loadBtcd277647();

for (const b of backends) {
  describe(`backend ${b.name}`, () => {
    if (!b.verifier) {
      test(`${b.name}: conformance suite`, { skip: `${b.name} unavailable here: ${b.skipped}` }, () => {});
      return;
    }
    const v = b.verifier;
    const use = () => setDefaultVerifier(v);

    test(`${b.name}: script_tests.json (${scriptRows.length} rows, their own flags)`, () => {
      use();
      const bad: string[] = [];
      for (const row of scriptRows) {
        let pos = 0, amount = 0n;
        const witness: Uint8Array[] = [];
        if (Array.isArray(row[0])) {
          const w = row[0] as (string | number)[];
          for (let i = 0; i < w.length - 1; i++) witness.push(fromHex(w[i] as string));
          amount = btcToSats(w[w.length - 1] as number);
          pos = 1;
        }
        const scriptPubKey = parseAsm(row[pos + 1] as string);
        let flags = parseFlags(row[pos + 2] as string);
        if (flags & CLEANSTACK) flags |= P2SH | WITNESS;
        const credit = buildCreditingTx(scriptPubKey, amount);
        const tx = encodeTx(buildSpendingTx(parseAsm(row[pos] as string), witness, credit));
        const r = verifyScript({ tx, index: 0, prevouts: [{ scriptPubKey, amount }], flags });
        const got = r.ok ? 'OK' : r.error;
        if (got !== row[pos + 3]) bad.push(`${JSON.stringify(row)}: got ${got}`);
      }
      assert.deepEqual(bad, []);
    });

    test(`${b.name}: tx_valid.json and tx_invalid.json`, () => {
      use();
      const bad: string[] = [];
      for (const t of txValid) {
        const r = checkTxScripts(t, trimFlags(ALL_FLAGS & ~parseFlags(t.flagsText)));
        if (!r.valid) bad.push(`valid #${t.index}: input ${r.input} ${r.error}`);
      }
      for (const t of txInvalid) {
        const r = checkTxScripts(t, fillFlags(parseFlags(t.flagsText)));
        if (r.valid) bad.push(`invalid #${t.index} passed`);
      }
      assert.deepEqual(bad, []);
    });

    test(`${b.name}: BIP341 fully signed transaction`, () => {
      use();
      const raw = fromHex(bip341.auxiliary.fullySignedTx);
      const prevouts = bip341.given.utxosSpent.map((u) => ({ scriptPubKey: fromHex(u.scriptPubKey), amount: BigInt(u.amountSats) }));
      const n = decodeTx(raw).inputs.length;
      for (let i = 0; i < n; i++) assert.deepEqual(verifyScript({ tx: raw, index: i, prevouts, flags: P2SH | WITNESS | TAPROOT }), { ok: true }, `input ${i}`);
    });

    test(`${b.name}: mainnet block 277647 with its spent outputs`, async () => {
      use();
      assert.deepEqual(await validateBlock({ block: btcd.raw, spent: btcd.spent, network: 'mainnet', height: 277647 }), { ok: true, fees: 4_737_355n });
    });
  });
}
