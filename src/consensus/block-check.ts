/**
 * Context-free block checks (validation.cpp): CheckBlockHeader, CheckMerkleRoot, CheckBlock.
 */
import { blockMerkleRoot, type Block, type BlockHeader } from '../primitives/block.ts';
import { equalBytes } from '../primitives/bytes.ts';
import { isCoinBase, txidHex } from '../primitives/tx.ts';
import { MAX_BLOCK_SIGOPS_COST, MAX_BLOCK_WEIGHT, WITNESS_SCALE_FACTOR } from './constants.ts';
import type { ConsensusParams } from './params.ts';
import { checkProofOfWork } from './pow-check.ts';
import { checkTransaction } from './tx-check.ts';
import { getLegacySigOpCount } from './tx-verify.ts';

export type BlockCheckResult = { ok: true } | { ok: false; reason: string; debug?: string; txid?: string };

/** CheckBlockHeader: proof of work matches the claimed amount. */
export function checkBlockHeader(header: BlockHeader, p: ConsensusParams, checkPow = true): BlockCheckResult {
  if (checkPow && !checkProofOfWork(header.hash, header.bits, p.powLimit)) {
    return { ok: false, reason: 'high-hash', debug: 'proof of work failed' };
  }
  return { ok: true };
}

/** CheckMerkleRoot: the header commits to these transactions, without CVE-2012-2459 duplication. */
function checkMerkleRoot(block: Block): BlockCheckResult {
  const { root, mutated } = blockMerkleRoot(block);
  if (!equalBytes(root, block.header.merkleRoot)) return { ok: false, reason: 'bad-txnmrklroot', debug: 'hashMerkleRoot mismatch' };
  if (mutated) return { ok: false, reason: 'bad-txns-duplicate', debug: 'duplicate transaction' };
  return { ok: true };
}

/**
 * CheckBlock: header PoW, merkle root, size limits, exactly one coinbase first,
 * CheckTransaction for every transaction, legacy sigop limit. (Signet's block solution check,
 * bad-signet-blksig, is not implemented.)
 */
export function checkBlock(block: Block, p: ConsensusParams, opts: { checkPow?: boolean; checkMerkleRoot?: boolean } = {}): BlockCheckResult {
  const h = checkBlockHeader(block.header, p, opts.checkPow ?? true);
  if (!h.ok) return h;
  if (opts.checkMerkleRoot ?? true) {
    const m = checkMerkleRoot(block);
    if (!m.ok) return m;
  }
  // Size limits
  const n = block.txs.length;
  if (n === 0 || n * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT || block.strippedSize * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) {
    return { ok: false, reason: 'bad-blk-length', debug: 'size limits failed' };
  }
  // First transaction must be coinbase, the rest must not be
  if (!isCoinBase(block.txs[0]!)) return { ok: false, reason: 'bad-cb-missing', debug: 'first tx is not coinbase' };
  for (let i = 1; i < n; i++) {
    if (isCoinBase(block.txs[i]!)) return { ok: false, reason: 'bad-cb-multiple', debug: 'more than one coinbase' };
  }
  // Check transactions (must check for duplicate inputs, see CVE-2018-17144)
  for (const tx of block.txs) {
    const r = checkTransaction(tx);
    if (!r.ok) return { ok: false, reason: r.reason, debug: `Transaction check failed (tx hash ${txidHex(tx)})`, txid: txidHex(tx) };
  }
  let sigops = 0;
  for (const tx of block.txs) sigops += getLegacySigOpCount(tx);
  if (sigops * WITNESS_SCALE_FACTOR > MAX_BLOCK_SIGOPS_COST) return { ok: false, reason: 'bad-blk-sigops', debug: 'out-of-bounds SigOpCount' };
  return { ok: true };
}
