/** DisconnectBlock (validation.cpp): undo a connected block with its undo data (the coins it spent). */
import { CoinsCache, type CoinBatch } from '../consensus/coins-cache.ts';
import type { ConsensusParams } from '../consensus/params.ts';
import { isBIP30Repeat } from '../consensus/connect-block.ts';
import type { Block } from '../primitives/block.ts';
import { equalBytes } from '../primitives/bytes.ts';
import { isCoinBase } from '../primitives/tx.ts';
import { isUnspendable } from '../script/script.ts';
import type { Coin, CoinView } from '../utxo/coin.ts';

export type DisconnectResult = { ok: true; clean: boolean; batch: CoinBatch } | { ok: false; reason: string };

/**
 * Removes the block's outputs and restores the coins its inputs spent. `undo[i]` holds the
 * coins spent by the (i+1)-th transaction, in input order (Core's CBlockUndo). `clean` is
 * false when the set did not hold exactly what the block created (DISCONNECT_UNCLEAN).
 */
export function disconnectBlock(block: Block, undo: Coin[][], height: number, base: CoinView, p: ConsensusParams): DisconnectResult {
  if (undo.length + 1 !== block.txs.length) return { ok: false, reason: 'block and undo data inconsistent' };
  const view = new CoinsCache(base);
  let clean = true;
  // Ignore blocks that contain transactions which are 'overwrites' of older transactions.
  const enforceBIP30 = !isBIP30Repeat(p, height, block.header.hash);
  for (let i = block.txs.length - 1; i >= 0; i--) {
    const tx = block.txs[i]!;
    const cb = isCoinBase(tx);
    const bip30Exception = cb && !enforceBIP30;
    // Check that all outputs are available and match the outputs in the block itself exactly.
    for (let o = 0; o < tx.outputs.length; o++) {
      const out = tx.outputs[o]!;
      if (isUnspendable(out.scriptPubKey)) continue;
      const coin = view.spendCoin(tx.txid, o);
      if (!coin || coin.value !== out.value || !equalBytes(coin.scriptPubKey, out.scriptPubKey) || coin.height !== height || coin.coinbase !== cb) {
        if (!bip30Exception) clean = false; // transaction output mismatch
      }
    }
    if (i > 0) {
      const txundo = undo[i - 1]!;
      if (txundo.length !== tx.inputs.length) return { ok: false, reason: 'transaction and undo data inconsistent' };
      for (let j = tx.inputs.length - 1; j >= 0; j--) {
        const prev = tx.inputs[j]!.prevout;
        // ApplyTxInUndo: overwriting an existing coin means the set was not what this block left.
        if (view.haveCoin(prev.txid, prev.vout)) clean = false;
        view.addCoin(prev.txid, prev.vout, txundo[j]!);
      }
    }
  }
  return { ok: true, clean, batch: view.diff() };
}
