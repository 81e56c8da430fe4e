/**
 * validateBlock: one block checked against the rules of a network at a height, given the
 * outputs its inputs spend — the public API (mod.ts). Runs CheckBlock,
 * ContextualCheckBlockHeader, ContextualCheckBlock and ConnectBlock as Core would for a block
 * extending that network's best chain, except what needs the chain itself:
 *  - PoW is checked against the header's own bits (no bad-diffbits), no time-too-new;
 *  - without `mtp`: no time-too-old, and time-based nLockTime / BIP68 locks are not judged
 *    once BIP113/CSV applies (there is no cutoff to judge them against);
 *  - BIP68 time locks also need the MTP before each coin's block: `spent[i].mtp`, when given;
 *  - BIP30 follows Core's rule for a block on the main chain (the block at BIP34Height is
 *    the network's BIP34Hash), checked against the supplied spent outputs.
 * Decoding throws DecodeError (src/primitives/decode-error.ts) for bytes that are not a block.
 */
import { checkBlock } from '../consensus/block-check.ts';
import { contextualCheckBlock, contextualCheckBlockHeader } from '../consensus/block-contextual.ts';
import { OutpointMap } from '../consensus/outpoint-map.ts';
import { connectBlock } from '../consensus/connect-block.ts';
import { EarlyScriptChecks } from './early-script-checks.ts';
import type { NetworkName } from '../consensus/params.ts';
import type { CheckInputs } from '../consensus/script-check.ts';
import { decodeBlockEach } from '../primitives/block.ts';
import { hexToHash } from '../primitives/bytes.ts';
import { isCoinBase } from '../primitives/tx.ts';
import type { Coin, CoinView } from '../utxo/coin.ts';
import { chainParams } from './params.ts';

export interface SpentOutput {
  scriptPubKey: Uint8Array;
  amount: bigint;
  /** Height of the block that created the output. */
  height: number;
  coinbase: boolean;
  /** Optional: MTP of the block before the creating block (BIP68 time-based locks). */
  mtp?: number;
}

export interface ValidateBlockInput {
  block: Uint8Array;
  /** The outputs spent by every non-coinbase input, in block order (same-block outputs included). A short list leaves the last inputs missing. */
  spent: SpentOutput[];
  network: NetworkName;
  height: number;
  /** Median time past of the parent block. */
  mtp?: number;
  /** Script checker (default: in-thread). */
  checkInputs?: CheckInputs;
}

export type ValidateBlockResult =
  | { ok: true; fees: bigint }
  | { ok: false; reason: string; txid?: string; input?: number };

function fail(r: { reason: string; txid?: string; input?: number }): ValidateBlockResult {
  const out: { ok: false; reason: string; txid?: string; input?: number } = { ok: false, reason: r.reason };
  if (r.txid !== undefined) out.txid = r.txid;
  if (r.input !== undefined) out.input = r.input;
  return out;
}

export async function validateBlock(input: ValidateBlockInput): Promise<ValidateBlockResult> {
  const p = chainParams(input.network);
  // The supplied outputs as coins, made once: the view and the early checks share them.
  const supplied: Coin[] = input.spent.map((s) => ({ value: s.amount, scriptPubKey: s.scriptPubKey, height: s.height, coinbase: s.coinbase }));
  // With a checker of its own (the workers), script checks start as the block decodes.
  const early = input.checkInputs ? new EarlyScriptChecks(input.checkInputs, supplied, p, input.height) : undefined;
  const block = decodeBlockEach(input.block, early?.onTx);
  const { height, mtp } = input;

  const cb = checkBlock(block, p);
  if (!cb.ok) return fail(cb);
  const ch = contextualCheckBlockHeader(block.header, mtp === undefined ? { height } : { height, prevMtp: mtp }, p);
  if (!ch.ok) return fail(ch);
  const cc = contextualCheckBlock(block, height, p, mtp);
  if (!cc.ok) return fail(cc);

  // The view: the supplied outputs spent by inputs whose prevout is not created in this block.
  const inBlock = new OutpointMap<true>(block.txs.length);
  for (const t of block.txs) inBlock.set(t.txid, 0, true);
  const coins = new OutpointMap<Coin>(input.spent.length);
  const mtps = new Map<number, number>();
  let k = 0;
  for (const tx of block.txs) {
    if (isCoinBase(tx)) continue;
    for (const inp of tx.inputs) {
      const s = input.spent[k];
      const coin = supplied[k++];
      if (!s || !coin) continue;
      if (s.mtp !== undefined) mtps.set(Math.max(s.height - 1, 0), s.mtp);
      if (inBlock.has(inp.prevout.txid, 0)) continue;
      coins.set(inp.prevout.txid, inp.prevout.vout, coin);
    }
  }
  if (input.spent.length > k) throw new RangeError(`validateBlock: ${input.spent.length} spent outputs for ${k} inputs`);
  const view: CoinView = { getCoin: (txid, vout) => coins.get(txid, vout) };

  const zero = /^0+$/.test(p.bip34Hash);
  const r = await connectBlock(block, view, p, {
    height,
    ...(mtp === undefined ? {} : { prevMtp: mtp }),
    ancestorMtp: (h) => mtps.get(h),
    ...(height > p.bip34Height && !zero ? { bip34AncestorHash: hexToHash(p.bip34Hash) } : {}),
    ...(early ? { checkInputs: early.checker } : {}),
  });
  if (!r.ok) return fail(r);
  return { ok: true, fees: r.fees };
}
