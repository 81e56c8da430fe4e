/**
 * Block checks that need the chain position (validation.cpp): ContextualCheckBlockHeader,
 * ContextualCheckBlock and the BIP141 witness commitment (CheckWitnessMalleation).
 */
import { blockWitnessMerkleRoot, type Block, type BlockHeader } from '../primitives/block.ts';
import { concatBytes } from '../primitives/bytes.ts';
import { hash256 } from '../primitives/hash.ts';
import { OP } from '../script/opcodes.ts';
import { MAX_BLOCK_WEIGHT, MAX_FUTURE_BLOCK_TIME, MAX_TIMEWARP, MINIMUM_WITNESS_COMMITMENT } from './constants.ts';
import { deploymentActiveAt, difficultyAdjustmentInterval, type ConsensusParams } from './params.ts';
import type { BlockCheckResult } from './block-check.ts';
import { isFinalTx } from './tx-verify.ts';
import { txidHex } from '../primitives/tx.ts';

export interface HeaderContext {
  /** Height of the block being checked. */
  height: number;
  /** GetNextWorkRequired for this block; skipped when undefined. */
  expectedBits?: number;
  /** Median time past of the parent; time-too-old is skipped when undefined. */
  prevMtp?: number;
  /** The parent's timestamp (BIP94 timewarp rule); skipped when undefined. */
  prevTime?: number;
  /** The node's clock (seconds); time-too-new is skipped when undefined. */
  now?: number;
}

/** ContextualCheckBlockHeader. */
export function contextualCheckBlockHeader(header: BlockHeader, ctx: HeaderContext, p: ConsensusParams): BlockCheckResult {
  if (ctx.expectedBits !== undefined && header.bits !== ctx.expectedBits) {
    return { ok: false, reason: 'bad-diffbits', debug: 'incorrect proof of work' };
  }
  // Check timestamp against prev
  if (ctx.prevMtp !== undefined && header.time <= ctx.prevMtp) {
    return { ok: false, reason: 'time-too-old', debug: "block's timestamp is too early" };
  }
  // Testnet4 and regtest only: check timestamp against prev for difficulty-adjustment blocks (BIP94).
  if (p.enforceBIP94 && ctx.prevTime !== undefined && ctx.height % difficultyAdjustmentInterval(p) === 0) {
    if (header.time < ctx.prevTime - MAX_TIMEWARP) {
      return { ok: false, reason: 'time-timewarp-attack', debug: "block's timestamp is too early on diff adjustment block" };
    }
  }
  if (ctx.now !== undefined && header.time > ctx.now + MAX_FUTURE_BLOCK_TIME) {
    return { ok: false, reason: 'time-too-new', debug: 'block timestamp too far in the future' };
  }
  // Reject blocks with outdated version
  const v = header.version;
  if ((v < 2 && deploymentActiveAt(p, ctx.height, 'heightincb')) ||
      (v < 3 && deploymentActiveAt(p, ctx.height, 'dersig')) ||
      (v < 4 && deploymentActiveAt(p, ctx.height, 'cltv'))) {
    const hex = (v >>> 0).toString(16).padStart(8, '0');
    return { ok: false, reason: `bad-version(0x${hex})`, debug: `rejected nVersion=0x${hex} block` };
  }
  return { ok: true };
}

/** CScript() << n (push_int64 with CScriptNum serialization). */
export function scriptNumPush(n: number): Uint8Array {
  if (n === 0) return Uint8Array.of(OP.OP_0);
  if (n === -1 || (n >= 1 && n <= 16)) return Uint8Array.of(n === -1 ? OP.OP_1NEGATE : OP.OP_1 + n - 1);
  const neg = n < 0;
  let abs = Math.abs(n);
  const bytes: number[] = [];
  while (abs > 0) {
    bytes.push(abs & 0xff);
    abs = Math.floor(abs / 256);
  }
  if (bytes[bytes.length - 1]! & 0x80) bytes.push(neg ? 0x80 : 0);
  else if (neg) bytes[bytes.length - 1]! |= 0x80;
  return Uint8Array.from([bytes.length, ...bytes]);
}

/** GetWitnessCommitmentIndex: the last coinbase output OP_RETURN 0x24 aa21a9ed…, or -1. */
function getWitnessCommitmentIndex(block: Block): number {
  let pos = -1;
  const cb = block.txs[0];
  if (!cb) return pos;
  for (let o = 0; o < cb.outputs.length; o++) {
    const s = cb.outputs[o]!.scriptPubKey;
    if (s.length >= MINIMUM_WITNESS_COMMITMENT && s[0] === OP.OP_RETURN && s[1] === 0x24 &&
        s[2] === 0xaa && s[3] === 0x21 && s[4] === 0xa9 && s[5] === 0xed) pos = o;
  }
  return pos;
}

/** The commitment hash: SHA256d(witness merkle root ‖ witness reserved value). */
export function witnessCommitmentHash(witnessRoot: Uint8Array, reserved: Uint8Array): Uint8Array {
  return hash256(concatBytes(witnessRoot, reserved));
}

/** CheckWitnessMalleation. */
function checkWitnessMalleation(block: Block, expectCommitment: boolean): BlockCheckResult {
  if (expectCommitment) {
    const pos = getWitnessCommitmentIndex(block);
    if (pos !== -1) {
      const stack = block.txs[0]!.inputs[0]!.witness;
      if (stack.length !== 1 || stack[0]!.length !== 32) {
        return { ok: false, reason: 'bad-witness-nonce-size', debug: 'CheckWitnessMalleation : invalid witness reserved value size' };
      }
      const h = witnessCommitmentHash(blockWitnessMerkleRoot(block), stack[0]!);
      const spk = block.txs[0]!.outputs[pos]!.scriptPubKey;
      for (let i = 0; i < 32; i++) {
        if (h[i] !== spk[6 + i]) {
          return { ok: false, reason: 'bad-witness-merkle-match', debug: 'CheckWitnessMalleation : witness merkle commitment mismatch' };
        }
      }
      return { ok: true };
    }
  }
  // No witness data is allowed in blocks that don't commit to witness data.
  for (const tx of block.txs) {
    if (tx.hasWitness) return { ok: false, reason: 'unexpected-witness', debug: 'CheckWitnessMalleation : unexpected witness data found', txid: txidHex(tx) };
  }
  return { ok: true };
}

/**
 * ContextualCheckBlock: finality (BIP113 MTP cutoff once CSV is active), BIP34 coinbase
 * height, witness commitment, weight. `prevMtp` undefined: time-based lock times are not
 * judged once BIP113 applies (no cutoff is known).
 */
export function contextualCheckBlock(block: Block, height: number, p: ConsensusParams, prevMtp?: number): BlockCheckResult {
  // Enforce BIP113 (Median Time Past).
  const cutoff = deploymentActiveAt(p, height, 'csv') ? (prevMtp ?? Number.POSITIVE_INFINITY) : block.header.time;
  for (const tx of block.txs) {
    if (!isFinalTx(tx, height, cutoff)) return { ok: false, reason: 'bad-txns-nonfinal', debug: 'non-final transaction', txid: txidHex(tx) };
  }
  // Enforce rule that the coinbase starts with serialized block height
  if (deploymentActiveAt(p, height, 'heightincb')) {
    const expect = scriptNumPush(height);
    const sig = block.txs[0]!.inputs[0]!.scriptSig;
    let ok = sig.length >= expect.length;
    for (let i = 0; ok && i < expect.length; i++) if (sig[i] !== expect[i]) ok = false;
    if (!ok) return { ok: false, reason: 'bad-cb-height', debug: 'block height mismatch in coinbase' };
  }
  const w = checkWitnessMalleation(block, deploymentActiveAt(p, height, 'segwit'));
  if (!w.ok) return w;
  // After the coinbase witness reserved value and commitment are verified, check the weight.
  if (block.weight > MAX_BLOCK_WEIGHT) return { ok: false, reason: 'bad-blk-weight', debug: 'ContextualCheckBlock : weight limit failed' };
  return { ok: true };
}
