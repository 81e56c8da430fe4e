/**
 * The regtest chain the end-to-end tests post to a real server, and transaction builders
 * on top of it. Heights:
 *   1  coinbase → P2WPKH key 0 (spent at 106 by the fan-out: a real double-spend target)
 *   2  coinbase → P2TR key 1      3  coinbase → P2PKH key 2   (both mature at tip 110)
 *   106  fan-out: one 1 BTC output of every standard kind, plus spare P2WPKH outputs
 *   110  tip; its coinbase is immature
 */
import { OUTPUT_KINDS, RegtestChainBuilder, outputScript, signSpend, type OutputKind, type Spendable } from '../util/regtest-builder.ts';
import { makeTx, type Transaction, type TxFields, type TxIn, type TxOut } from '../../src/primitives/tx.ts';

export const COIN = 100_000_000n;
export const TIP_HEIGHT = 110;
export const FAN_HEIGHT = 106;

export interface E2eChain {
  blocks: Uint8Array[];
  /** Spent by the fan-out at FAN_HEIGHT. */
  spentCoinbase: Spendable;
  /** Mature coinbase outputs (heights 2 and 3). */
  coinbaseP2tr: Spendable;
  coinbaseP2pkh: Spendable;
  /** The tip's own coinbase (immature). */
  immatureCoinbase: Spendable;
  /** One 1 BTC output of each standard kind, confirmed at FAN_HEIGHT. */
  byKind: Record<OutputKind, Spendable>;
  /** Spare 1 BTC P2WPKH outputs (key 40), confirmed at FAN_HEIGHT. */
  spare: Spendable[];
  tipTime: number;
  /** The tip's median time past (its block 5 back: BIP113 with 10-minute spacing). */
  tipMtp: number;
  /** A builder continuing from the tip (for blocks mined on top of it). */
  next: RegtestChainBuilder;
}

export function buildE2eChain(): E2eChain {
  const b = new RegtestChainBuilder();
  const spentCoinbase = b.next().coinbase;
  const coinbaseP2tr = b.next({ payKind: 'p2tr', payKey: 1 }).coinbase;
  const coinbaseP2pkh = b.next({ payKind: 'p2pkh', payKey: 2 }).coinbase;
  while (b.height < FAN_HEIGHT - 1) b.next();
  const kinds = OUTPUT_KINDS.map((kind, i) => ({ kind, key: 10 + 3 * i }));
  const outputs: TxOut[] = [
    ...kinds.map(({ kind, key }) => ({ value: COIN, scriptPubKey: outputScript(kind, key) })),
    ...Array.from({ length: 6 }, () => ({ value: COIN, scriptPubKey: outputScript('p2wpkh', 40) })),
  ];
  const total = outputs.reduce((n, o) => n + o.value, 0n);
  const fanFee = 20_000n;
  outputs.push({ value: spentCoinbase.value - total - fanFee, scriptPubKey: outputScript('p2wpkh', 0) });
  const fan = signSpend([spentCoinbase], outputs);
  b.next({ txs: [fan], fees: fanFee });
  let last = b.next();
  while (b.height < TIP_HEIGHT) last = b.next();
  const byKind = {} as Record<OutputKind, Spendable>;
  kinds.forEach(({ kind, key }, vout) => {
    byKind[kind] = { txid: fan.txid, vout, value: COIN, kind, key };
  });
  const spare = Array.from({ length: 6 }, (_, i): Spendable => ({ txid: fan.txid, vout: kinds.length + i, value: COIN, kind: 'p2wpkh', key: 40 }));
  return {
    blocks: b.blocks, spentCoinbase, coinbaseP2tr, coinbaseP2pkh, immatureCoinbase: last.coinbase, byKind, spare,
    tipTime: b.time, tipMtp: b.time - 5 * 600, next: b.fork(),
  };
}

/** An unsigned input spending `coin` (or any outpoint). */
export function inputOf(coin: { txid: Uint8Array; vout: number }, sequence = 0xfffffffd): TxIn {
  return { prevout: { txid: coin.txid, vout: coin.vout }, scriptSig: new Uint8Array(0), sequence, witness: [] };
}

/** An unsigned transaction (checks that fail before scripts run need no signature). */
export function unsignedTx(inputs: TxIn[], outputs: TxOut[], fields: Partial<Pick<TxFields, 'version' | 'locktime'>> = {}): Transaction {
  return makeTx({ version: 2, locktime: 0, ...fields, inputs, outputs });
}

/** A P2WPKH output of `value` sats to test key `key`. */
export function payTo(value: bigint, key = 50): TxOut {
  return { value, scriptPubKey: outputScript('p2wpkh', key) };
}

/** The transaction with its fields changed and re-encoded (signatures are not redone). */
export function modified(tx: Transaction, change: (fields: TxFields) => void): Transaction {
  const fields: TxFields = {
    version: tx.version, locktime: tx.locktime,
    inputs: tx.inputs.map((i) => ({ prevout: { ...i.prevout }, scriptSig: i.scriptSig.slice(), sequence: i.sequence, witness: i.witness.map((w) => w.slice()) })),
    outputs: tx.outputs.map((o) => ({ value: o.value, scriptPubKey: o.scriptPubKey.slice() })),
  };
  change(fields);
  return makeTx(fields);
}

export { signSpend };
