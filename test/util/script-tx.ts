/**
 * Core's BuildCreditingTransaction / BuildSpendingTransaction (test/util/transaction_utils.cpp),
 * the context script_tests.json rows are evaluated in.
 */
import { encodeTx, type TxFields } from '../../src/primitives/tx.ts';
import { hash256 } from '../../src/primitives/hash.ts';

const SEQUENCE_FINAL = 0xffffffff;

/** version 1, one input (null prevout, scriptSig OP_0 OP_0, nSequence final), one output. */
export function buildCreditingTx(scriptPubKey: Uint8Array, amount: bigint): TxFields {
  return {
    version: 1,
    inputs: [{
      prevout: { txid: new Uint8Array(32), vout: 0xffffffff },
      scriptSig: Uint8Array.of(0x00, 0x00),
      sequence: SEQUENCE_FINAL,
      witness: [],
    }],
    outputs: [{ value: amount, scriptPubKey }],
    locktime: 0,
  };
}

/** version 1, spends credit:0 with scriptSig/witness (nSequence final), one empty output of the same amount. */
export function buildSpendingTx(scriptSig: Uint8Array, witness: Uint8Array[], credit: TxFields): TxFields {
  return {
    version: 1,
    inputs: [{
      prevout: { txid: hash256(encodeTx(credit, false)), vout: 0 },
      scriptSig,
      sequence: SEQUENCE_FINAL,
      witness,
    }],
    outputs: [{ value: credit.outputs[0]!.value, scriptPubKey: new Uint8Array(0) }],
    locktime: 0,
  };
}

/** Core's AmountFromValue for the small decimal BTC amounts of script_tests.json. */
export function btcToSats(v: number): bigint {
  const s = Math.round(v * 1e8);
  if (!Number.isSafeInteger(s) || Math.abs(s / 1e8 - v) > 1e-12) throw new Error(`bad amount ${v}`);
  return BigInt(s);
}
