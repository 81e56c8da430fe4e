/**
 * Block headers and blocks (primitives/block.h), merkle roots with Core's mutation
 * detection (consensus/merkle.cpp, CVE-2012-2459), and proof-of-work targets.
 */
import { ByteReader } from './codec.ts';
import { hash256 } from './hash.ts';
import { readTransactionFast, type Transaction } from './tx.ts';

export interface BlockHeader {
  version: number;
  prevHash: Uint8Array;
  merkleRoot: Uint8Array;
  time: number;
  bits: number;
  nonce: number;
  /** The 80 header bytes. */
  raw: Uint8Array;
  /** Internal byte order. */
  hash: Uint8Array;
}

export interface Block {
  header: BlockHeader;
  txs: Transaction[];
  raw: Uint8Array;
  /** Serialized size without witness data. */
  strippedSize: number;
  weight: number;
}

function readHeader(r: ByteReader): BlockHeader {
  const raw = r.bytes(80, 'block header');
  const hr = new ByteReader(raw, 'block header');
  const version = hr.u32() | 0;
  const prevHash = hr.bytes(32);
  const merkleRoot = hr.bytes(32);
  const time = hr.u32();
  const bits = hr.u32();
  const nonce = hr.u32();
  return { version, prevHash, merkleRoot, time, bits, nonce, raw, hash: hash256(raw) };
}

export function decodeHeader(bytes: Uint8Array): BlockHeader {
  const r = new ByteReader(bytes, 'block header');
  const h = readHeader(r);
  r.end();
  return h;
}

export function decodeBlock(bytes: Uint8Array): Block {
  return decodeBlockEach(bytes);
}

/**
 * decodeBlock, calling `onTx` with each transaction as soon as it is read, in block order
 * (a caller may start work on it while the rest decodes); a later DecodeError still throws.
 */
export function decodeBlockEach(bytes: Uint8Array, onTx?: (tx: Transaction, header: BlockHeader) => void): Block {
  const r = new ByteReader(bytes, 'block');
  const header = readHeader(r);
  // 10 bytes: the smallest decodable transaction (version, empty vin, flag 0, locktime);
  // a larger bound would report 'truncated' for a block Core deserializes (then rejects).
  const n = r.count(10, 'transactions');
  const txs: Transaction[] = new Array(n);
  let stripped = 80 + (r.pos - 80);
  for (let i = 0; i < n; i++) {
    const tx = readTransactionFast(r);
    txs[i] = tx;
    stripped += tx.baseSize;
    onTx?.(tx, header);
  }
  r.end();
  return { header, txs, raw: bytes, strippedSize: stripped, weight: stripped * 3 + bytes.length };
}

/**
 * Core's ComputeMerkleRoot: hashes are paired level by level (an odd last one paired
 * with itself); `mutated` is set when a level has two equal hashes at an even position
 * and the next (the duplicate-subtree malleability of CVE-2012-2459).
 */
export function merkleRoot(leaves: Uint8Array[]): { root: Uint8Array; mutated: boolean } {
  if (leaves.length === 0) return { root: new Uint8Array(32), mutated: false };
  let level = leaves.slice();
  let mutated = false;
  const buf = new Uint8Array(64);
  while (level.length > 1) {
    for (let i = 0; i + 1 < level.length; i += 2) {
      const a = level[i]!, b = level[i + 1]!;
      let eq = true;
      for (let k = 0; k < 32; k++) if (a[k] !== b[k]) { eq = false; break; }
      if (eq) mutated = true;
    }
    if (level.length & 1) level.push(level[level.length - 1]!);
    const next: Uint8Array[] = new Array(level.length / 2);
    for (let i = 0; i < next.length; i++) {
      buf.set(level[2 * i]!, 0);
      buf.set(level[2 * i + 1]!, 32);
      next[i] = hash256(buf);
    }
    level = next;
  }
  return { root: level[0]!, mutated };
}

/** BlockMerkleRoot (consensus/merkle.cpp). */
export function blockMerkleRoot(block: Block): { root: Uint8Array; mutated: boolean } {
  return merkleRoot(block.txs.map((t) => t.txid));
}

/** BlockWitnessMerkleRoot: the coinbase's wtxid counts as zero. */
export function blockWitnessMerkleRoot(block: Block): Uint8Array {
  const leaves = block.txs.map((t, i) => (i === 0 ? new Uint8Array(32) : t.wtxid));
  return merkleRoot(leaves).root;
}

/** Expands compact `bits` to a target (arith_uint256::SetCompact). */
export function bitsToTarget(bits: number): { target: bigint; negative: boolean; overflow: boolean } {
  const size = bits >>> 24;
  let word = BigInt(bits & 0x007fffff);
  let target: bigint;
  // As in Core, a small size shifts nWord itself, so the sign/overflow tests below see
  // the shifted word (0x01803456 is zero, not negative).
  if (size <= 3) target = word = word >> BigInt(8 * (3 - size));
  else target = word << BigInt(8 * (size - 3));
  const negative = word !== 0n && (bits & 0x00800000) !== 0;
  const overflow = word !== 0n && (size > 34 || (word > 0xffn && size > 33) || (word > 0xffffn && size > 32));
  return { target, negative, overflow };
}

/** arith_uint256::GetCompact. */
export function targetToBits(target: bigint): number {
  let size = 0;
  for (let t = target; t > 0n; t >>= 8n) size++;
  let compact: number;
  if (size <= 3) compact = Number(target << BigInt(8 * (3 - size)));
  else compact = Number(target >> BigInt(8 * (size - 3)));
  if (compact & 0x00800000) {
    compact >>>= 8;
    size++;
  }
  return ((compact | (size << 24)) >>> 0);
}

/** Block hash (internal order) as a number for comparison with a target (UintToArith256). */
export function hashToBigInt(hash: Uint8Array): bigint {
  let v = 0n;
  for (let i = 31; i >= 0; i--) v = (v << 8n) | BigInt(hash[i]!);
  return v;
}

/** Work a block of this target represents: 2^256 / (target + 1) (GetBlockProof). */
export function blockProof(bits: number): bigint {
  const { target, negative, overflow } = bitsToTarget(bits);
  if (negative || overflow || target === 0n) return 0n;
  return (1n << 256n) / (target + 1n);
}
