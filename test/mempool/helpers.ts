/** Transaction builders for mempool bookkeeping tests (unsigned: the mempool takes validated candidates). */
import { makeTx, type Transaction } from '../../src/primitives/tx.ts';
import { hashToHex } from '../../src/primitives/bytes.ts';
import { Mempool } from '../../src/mempool/mempool.ts';
import { SINGLE_ACCEPT, type AdmissionCandidate, type MempoolOptions, type MempoolReject } from '../../src/mempool/types.ts';
import { admit } from '../../src/mempool/admit.ts';
import type { PackageHooks } from '../../src/mempool/package.ts';
import type { CoinView } from '../../src/utxo/coin.ts';

let counter = 0;
/** Every txid coinTxid made, display hex: the confirmed coins of confirmedCoins. */
const made = new Set<string>();
/** A fresh confirmed outpoint txid (internal order). */
export function coinTxid(): Uint8Array {
  const b = new Uint8Array(32);
  const n = ++counter;
  b[0] = 0xc0;
  b[28] = (n >>> 24) & 255;
  b[29] = (n >>> 16) & 255;
  b[30] = (n >>> 8) & 255;
  b[31] = n & 255;
  made.add(hashToHex(b));
  return b;
}

export type In = [Uint8Array | Transaction, number] | Transaction;

export interface TxSpec {
  ins: In[];
  outs?: number;
  version?: number;
  value?: bigint;
  sequence?: number;
  witness?: Uint8Array[];
  /** Extra bytes in a scriptSig to vary the txid. */
  tag?: number;
  outValues?: bigint[];
}

const SPK = new Uint8Array([0x00, 0x14, ...new Array(20).fill(7)]);

export function tx(s: TxSpec): Transaction {
  const inputs = s.ins.map((i) => {
    const [src, vout] = Array.isArray(i) ? i : [i, 0];
    const txid = src instanceof Uint8Array ? src : src.txid;
    return { prevout: { txid, vout }, scriptSig: new Uint8Array(s.tag !== undefined ? [1, s.tag & 255] : []), sequence: s.sequence ?? 0xfffffffd, witness: s.witness ?? [] };
  });
  const n = s.outs ?? 1;
  const outputs = Array.from({ length: n }, (_, k) => ({ value: s.outValues?.[k] ?? s.value ?? 10_000n, scriptPubKey: SPK }));
  return makeTx({ version: s.version ?? 2, inputs, outputs, locktime: 0 });
}

export function cand(t: Transaction, fee: number, vsize = t.vsize, sigOpCost = 0): AdmissionCandidate {
  // A vsize override stands for a transaction of that size: keep the weight consistent.
  return { tx: t, fee: BigInt(fee), vsize, weight: vsize === t.vsize ? t.weight : vsize * 4, sigOpCost };
}

export function newPool(o: Partial<MempoolOptions> = {}): { pool: Mempool; clock: { t: number } } {
  const clock = { t: 1_700_000_000_000 };
  const pool = new Mempool({ now: () => clock.t, ...o });
  return { pool, clock };
}

export const hex = (t: Transaction): string => hashToHex(t.txid);
export const whex = (t: Transaction): string => hashToHex(t.wtxid);

const REORG_ARGS = { ...SINGLE_ACCEPT, bypassLimits: true };

/** What the acceptance path does with a disconnected block's transaction: admit with bypass_limits; the reason when it fails. */
export function reAdmit(pool: Mempool, c: AdmissionCandidate): string | undefined {
  const r = admit(pool, c, REORG_ARGS);
  return r.ok ? undefined : r.reason;
}

/**
 * Confirmed coins: the outputs of every txid made by coinTxid (exactly those: a real
 * transaction's txid may start with coinTxid's 0xc0 byte too, one in 256).
 */
export const confirmedCoins: CoinView = {
  getCoin: (txid) => (made.has(hashToHex(txid)) ? { value: 100_000n, scriptPubKey: new Uint8Array([0x51]), height: 1, coinbase: false } : undefined),
};

/** Package hooks with fees and vsizes by txid hex (fee 0 and the real vsize when absent); scripts always pass. */
export function packageHooks(fees: Map<string, number>, vsizes = new Map<string, number>()): PackageHooks {
  return {
    chain: confirmedCoins,
    async preCheck(t: Transaction, view: CoinView) {
      for (const i of t.inputs) {
        if (!view.getCoin(i.prevout.txid, i.prevout.vout)) {
          return { ok: false, reason: 'bad-txns-inputs-missingorspent', kind: 'missing-inputs' } as MempoolReject;
        }
      }
      return cand(t, fees.get(hex(t)) ?? 0, vsizes.get(hex(t)) ?? t.vsize);
    },
    async checkScripts() {
      return undefined;
    },
  };
}
