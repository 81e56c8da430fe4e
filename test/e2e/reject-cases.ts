// The Core reject cases the e2e server test posts over HTTP: each a crafted transaction (or
// raw bytes) with the reason, kind and details Bitcoin Core answers for it, in the order of
// Core's checks (CheckTransaction, IsStandardTx, PreChecks, the script checks, maxfeerate).
import { makeCoinbase, outputScript, type Spendable } from '../util/regtest-builder.ts';
import { concatBytes } from '../../src/primitives/bytes.ts';
import { makeTx, type Transaction, type TxOut } from '../../src/primitives/tx.ts';
import { MAX_MONEY } from '../../src/consensus/constants.ts';
import { OP } from '../../src/script/opcodes.ts';
import { pushData } from '../../src/script/script.ts';
import { input as fakeInput, privKey, pubKey } from '../policy/helpers.ts';
import { COIN, TIP_HEIGHT, inputOf, modified, payTo, signSpend, unsignedTx, type E2eChain } from './fixture.ts';

const NEXT_HEIGHT = TIP_HEIGHT + 1;
const NULL_TXID = new Uint8Array(32);
const opReturn = (n: number): Uint8Array => concatBytes(Uint8Array.of(OP.OP_RETURN), pushData(new Uint8Array(n).fill(0x42)));
const bareMultisig1of1 = concatBytes(Uint8Array.of(OP.OP_1), pushData(pubKey(privKey(9))), Uint8Array.of(OP.OP_1, OP.OP_CHECKMULTISIG));

/** Flips one bit in the first witness item (the signature) of input 0. */
export const badWitnessSig = (tx: Transaction): Transaction => modified(tx, (f) => {
  f.inputs[0]!.witness[0]![10]! ^= 1;
});

export interface RejectCase {
  reason: string;
  kind: string;
  /** The transaction, or raw bytes when it has no txid worth checking. */
  tx: () => Transaction | Uint8Array;
  /** Prevouts for a stateless request (JSON); absent: the server's UTXO set. */
  prevouts?: () => { scriptPubKey: Uint8Array; amount: bigint }[];
  details?: string | RegExp;
  label?: string;
}

/** The cases, over the chain the server was given. */
export function rejectCases(chain: E2eChain): RejectCase[] {
  const spare = (i: number): Spendable => chain.spare[i]!;
  return [
    // CheckTransaction (consensus/tx_check.cpp), in its order.
    // version ‖ 0x00 (no inputs) ‖ 0x00 (flag byte 0: a legacy tx with no inputs and outputs) ‖ locktime
    { reason: 'bad-txns-vin-empty', kind: 'consensus', tx: () => Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0, 0, 0) },
    { reason: 'bad-txns-vout-empty', kind: 'consensus', tx: () => unsignedTx([inputOf(spare(0))], []) },
    {
      reason: 'bad-txns-oversize', kind: 'consensus',
      tx: () => unsignedTx([inputOf(spare(0))], [{ value: 0n, scriptPubKey: new Uint8Array(1_000_000).fill(OP.OP_NOP) }]),
    },
    { reason: 'bad-txns-vout-negative', kind: 'consensus', tx: () => unsignedTx([inputOf(spare(0))], [payTo(-1n)]) },
    { reason: 'bad-txns-vout-toolarge', kind: 'consensus', tx: () => unsignedTx([inputOf(spare(0))], [payTo(MAX_MONEY + 1n)]) },
    { reason: 'bad-txns-txouttotal-toolarge', kind: 'consensus', tx: () => unsignedTx([inputOf(spare(0))], [payTo(MAX_MONEY), payTo(1n)]) },
    { reason: 'bad-txns-inputs-duplicate', kind: 'consensus', tx: () => unsignedTx([inputOf(spare(0)), inputOf(spare(0))], [payTo(COIN)]) },
    {
      reason: 'bad-txns-prevout-null', kind: 'consensus',
      tx: () => unsignedTx([inputOf(spare(0)), inputOf({ txid: NULL_TXID, vout: 0xffffffff })], [payTo(COIN)]),
    },
    {
      reason: 'bad-cb-length', kind: 'consensus',
      tx: () => makeTx({ version: 2, locktime: 0, inputs: [{ ...inputOf({ txid: NULL_TXID, vout: 0xffffffff }), scriptSig: Uint8Array.of(1) }], outputs: [payTo(COIN)] }),
    },
    // MemPoolAccept::PreChecks: a loose coinbase, then IsStandardTx in Core's order.
    { reason: 'coinbase', kind: 'consensus', tx: () => makeCoinbase(NEXT_HEIGHT, 50n * COIN, outputScript('p2wpkh', 0)) },
    { reason: 'version', kind: 'policy', tx: () => unsignedTx([inputOf(spare(0))], [payTo(COIN - 1000n)], { version: 4 }) },
    { reason: 'tx-size', kind: 'policy', tx: () => unsignedTx([inputOf(spare(0))], [{ value: 0n, scriptPubKey: opReturn(100_010) }]) },
    {
      reason: 'scriptsig-size', kind: 'policy',
      tx: () => unsignedTx([{ ...inputOf(spare(0)), scriptSig: new Uint8Array(1651).fill(OP.OP_1) }], [payTo(COIN - 1000n)]),
    },
    {
      reason: 'scriptsig-not-pushonly', kind: 'policy',
      tx: () => unsignedTx([{ ...inputOf(spare(0)), scriptSig: Uint8Array.of(OP.OP_NOP) }], [payTo(COIN - 1000n)]),
    },
    { reason: 'scriptpubkey', kind: 'policy', tx: () => unsignedTx([inputOf(spare(0))], [{ value: COIN - 1000n, scriptPubKey: Uint8Array.of(OP.OP_1) }]) },
    { label: 'dust (two dust outputs)', reason: 'dust', kind: 'policy', tx: () => unsignedTx([inputOf(spare(0))], [payTo(100n), payTo(200n), payTo(COIN - 10_000n)]) },
    // 65 bytes without witness at least (CVE-2017-12842): this one is 61.
    { reason: 'tx-size-small', kind: 'policy', tx: () => unsignedTx([inputOf(spare(0))], [{ value: COIN - 1000n, scriptPubKey: Uint8Array.of(OP.OP_RETURN) }]) },
    { label: 'non-final (height lock)', reason: 'non-final', kind: 'consensus', tx: () => unsignedTx([inputOf(spare(0))], [payTo(COIN - 1000n)], { locktime: NEXT_HEIGHT + 1 }) },
    { label: 'non-final (time lock past the tip MTP)', reason: 'non-final', kind: 'consensus', tx: () => unsignedTx([inputOf(spare(0))], [payTo(COIN - 1000n)], { locktime: chain.tipMtp }) },
    {
      label: 'bad-txns-inputs-missingorspent (spent by the fan-out)', reason: 'bad-txns-inputs-missingorspent', kind: 'missing-inputs',
      tx: () => signSpend([chain.spentCoinbase], [payTo(chain.spentCoinbase.value - 10_000n)]),
    },
    {
      label: 'bad-txns-inputs-missingorspent (never existed)', reason: 'bad-txns-inputs-missingorspent', kind: 'missing-inputs',
      tx: () => unsignedTx([inputOf({ txid: new Uint8Array(32).fill(7), vout: 0 })], [payTo(COIN)]),
    },
    // BIP68: 10 blocks after FAN_HEIGHT; the next block is only 5 after.
    { reason: 'non-BIP68-final', kind: 'consensus', tx: () => signSpend([spare(1)], [payTo(COIN - 1000n)], { sequence: 10 }) },
    // Consensus::CheckTxInputs.
    {
      reason: 'bad-txns-premature-spend-of-coinbase', kind: 'consensus', details: 'tried to spend coinbase at depth 1',
      tx: () => signSpend([chain.immatureCoinbase], [payTo(chain.immatureCoinbase.value - 10_000n)]),
    },
    // Core words the amounts with FormatMoney.
    { reason: 'bad-txns-in-belowout', kind: 'consensus', details: 'value in (1.00) < value out (2.00)', tx: () => unsignedTx([inputOf(spare(0))], [payTo(2n * COIN)]) },
    {
      reason: 'bad-txns-inputvalues-outofrange', kind: 'consensus',
      tx: () => unsignedTx([fakeInput(1), fakeInput(2)], [payTo(COIN)]),
      prevouts: () => [{ scriptPubKey: outputScript('p2wpkh', 3), amount: MAX_MONEY }, { scriptPubKey: outputScript('p2wpkh', 3), amount: MAX_MONEY }],
    },
    // AreInputsStandard / IsWitnessStandard.
    {
      label: 'bad-txns-nonstandard-inputs (spends a bare OP_TRUE)', reason: 'bad-txns-nonstandard-inputs', kind: 'policy',
      tx: () => unsignedTx([fakeInput(3)], [payTo(COIN - 1000n)]),
      prevouts: () => [{ scriptPubKey: Uint8Array.of(OP.OP_1), amount: COIN }],
    },
    {
      label: 'bad-witness-nonstandard (witness on a P2PKH coin)', reason: 'bad-witness-nonstandard', kind: 'policy',
      tx: () => unsignedTx([{ ...inputOf(chain.coinbaseP2pkh), witness: [Uint8Array.of(1)] }], [payTo(chain.coinbaseP2pkh.value - 10_000n)]),
    },
    // Ephemeral dust must pay no fee (PreCheckEphemeralTx).
    {
      label: 'dust (one dust output and a fee)', reason: 'dust', kind: 'policy', details: 'tx with dust output must be 0-fee',
      tx: () => unsignedTx([inputOf(spare(0))], [payTo(100n), payTo(COIN - 10_000n)]),
    },
    // 201 bare multisig outputs × 20 legacy sigops × 4 = 16080, plus 1 for the P2WPKH input
    // (WitnessSigOps counts it whatever the witness holds) > MAX_STANDARD_TX_SIGOPS_COST.
    {
      reason: 'bad-txns-too-many-sigops', kind: 'policy', details: '16081',
      tx: () => unsignedTx([inputOf(spare(0))], Array.from({ length: 201 }, (): TxOut => ({ value: 1000n, scriptPubKey: bareMultisig1of1 }))),
    },
    { reason: 'min relay fee not met', kind: 'fee', details: /^0 < \d+$/, tx: () => unsignedTx([inputOf(spare(0))], [payTo(COIN)]) },
    {
      reason: 'TRUC-violation', kind: 'policy', details: /^version=3 tx [0-9a-f]{64} \(wtxid=[0-9a-f]{64}\) is too big: \d+ > 10000 virtual bytes$/,
      tx: () => unsignedTx([inputOf(spare(0))], Array.from({ length: 330 }, () => payTo(10_000n)), { version: 3 }),
    },
    // PolicyScriptChecks: a consensus failure (bad ECDSA / Schnorr signature) and a policy-only one.
    {
      label: 'mempool-script-verify-flag-failed: bad P2WPKH signature (consensus)',
      reason: 'mempool-script-verify-flag-failed (Signature must be zero for failed CHECK(MULTI)SIG operation)', kind: 'consensus',
      details: /^input 0 of [0-9a-f]{64} \(wtxid [0-9a-f]{64}\), spending [0-9a-f]{64}:\d+$/,
      tx: () => badWitnessSig(signSpend([spare(2)], [payTo(COIN - 1000n)])),
    },
    {
      label: 'mempool-script-verify-flag-failed: bad P2TR key-path signature (consensus)',
      reason: 'mempool-script-verify-flag-failed (Invalid Schnorr signature)', kind: 'consensus',
      tx: () => badWitnessSig(signSpend([chain.coinbaseP2tr], [payTo(chain.coinbaseP2tr.value - 10_000n)])),
    },
    {
      label: 'mempool-script-verify-flag-failed: extra scriptSig push on P2PKH (policy only: CLEANSTACK)',
      reason: 'mempool-script-verify-flag-failed (Stack size must be exactly one after execution)', kind: 'policy',
      tx: () => modified(signSpend([chain.coinbaseP2pkh], [payTo(chain.coinbaseP2pkh.value - 10_000n)]), (f) => {
        f.inputs[0]!.scriptSig = concatBytes(Uint8Array.of(OP.OP_0), f.inputs[0]!.scriptSig);
      }),
    },
    // testmempoolaccept's maxfeerate (0.10 BTC/kvB by default), after the scripts passed.
    { reason: 'max-fee-exceeded', kind: 'fee', details: /^50000000 > \d+$/, tx: () => signSpend([spare(3)], [payTo(COIN / 2n)]) },
  ];
}
