/**
 * Traffic for a server seeded with the end-to-end regtest chain (test/e2e/fixture.ts): a
 * fan-out of spare outputs and children paying a spread of fee rates (a mempool worth
 * drawing), and transactions that fail in known ways.
 */
import { buildE2eChain, modified, payTo, signSpend, type E2eChain } from '../e2e/fixture.ts';
import type { Spendable } from './regtest-builder.ts';
import type { Transaction } from '../../src/primitives/tx.ts';

/** A spend of `parent`'s outputs 0..n-1, each to a P2WPKH output, at about `rates[i]` sat/vB. */
function children(parent: Transaction, n: number, value: bigint, rates: (i: number) => number): Transaction[] {
  return Array.from({ length: n }, (_, i) => {
    const coin: Spendable = { txid: parent.txid, vout: i, value, kind: 'p2wpkh', key: 41 };
    const fee = BigInt(Math.round(rates(i) * 110));
    return signSpend([coin], [payTo(value - fee, 60 + (i % 5))]);
  });
}

export interface Traffic {
  chain: E2eChain;
  /** Fan-outs of spare outputs, each followed by its children (parents first). */
  mempool: Transaction[];
  /** More valid transactions, for posting while a client watches. */
  later: Transaction[];
  /** A P2WPKH spend whose witness pubkey does not hash to the output's: OP_EQUALVERIFY fails. */
  badPubkey: Transaction;
  /** Rejected for other reasons: an immature coinbase spend, an already spent coin. */
  otherRejects: Transaction[];
}

const FAN_VALUE = 5_000_000n;

/** `fans` fan-outs of `perFan` outputs each; the children's fee rates spread from 1 to ~150 sat/vB. */
export function buildTraffic(fans = 2, perFan = 12): Traffic {
  const chain = buildE2eChain();
  const mempool: Transaction[] = [];
  const later: Transaction[] = [];
  for (let f = 0; f < fans; f++) {
    const spare = chain.spare[f]!;
    const outs = Array.from({ length: perFan + 2 }, () => payTo(FAN_VALUE, 41));
    const fan = signSpend([spare], [...outs, payTo(spare.value - FAN_VALUE * BigInt(outs.length) - 20_000n, 42)]);
    const kids = children(fan, perFan + 2, FAN_VALUE, (i) => 1 + ((i * 7 + f * 3) % perFan) ** 2);
    mempool.push(fan, ...kids.slice(0, perFan));
    later.push(...kids.slice(perFan));
  }
  const good = signSpend([chain.spare[5]!], [payTo(chain.spare[5]!.value - 5_000n, 43)]);
  const badPubkey = modified(good, (f) => {
    const pubkey = f.inputs[0]!.witness[1]!;
    pubkey[pubkey.length - 1]! ^= 1;
  });
  const otherRejects = [
    signSpend([chain.immatureCoinbase], [payTo(chain.immatureCoinbase.value - 10_000n, 44)]),
    signSpend([chain.spentCoinbase], [payTo(chain.spentCoinbase.value - 10_000n, 44)]),
  ];
  return { chain, mempool, later, badPubkey, otherRejects };
}

