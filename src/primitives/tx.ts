/**
 * Transactions: decode keeping the original bytes, encode, txid/wtxid, weight and vsize.
 * Mirrors Core's UnserializeTransaction/SerializeTransaction (primitives/transaction.h).
 */
import { ByteReader, ByteWriter, compactSizeLength, MAX_SIZE } from './codec.ts';
import { DecodeError } from './decode-error.ts';
import { createSha256, hash256, sha256 } from './hash.ts';
import { hashToHex } from './bytes.ts';

export const WITNESS_SCALE_FACTOR = 4;
/** Sequence number that disables nLockTime and BIP68 for an input. */
export const SEQUENCE_FINAL = 0xffffffff;

export interface OutPoint {
  /** Internal byte order (as serialized). */
  txid: Uint8Array;
  vout: number;
}

export interface TxIn {
  prevout: OutPoint;
  scriptSig: Uint8Array;
  sequence: number;
  witness: Uint8Array[];
}

export interface TxOut {
  /** Satoshis; signed 64-bit as Core's CAmount (negative values decode, then fail CheckTransaction). */
  value: bigint;
  scriptPubKey: Uint8Array;
}

export interface TxFields {
  /** uint32 as in Core v28+ (CTransaction::version). */
  version: number;
  inputs: TxIn[];
  outputs: TxOut[];
  locktime: number;
}

export interface Transaction extends TxFields {
  /** The exact bytes decoded (or encoded). */
  raw: Uint8Array;
  hasWitness: boolean;
  /** Internal byte order. */
  txid: Uint8Array;
  wtxid: Uint8Array;
  /** Size without witness data (Core: GetSerializeSize(TX_NO_WITNESS)). */
  baseSize: number;
  totalSize: number;
  weight: number;
  vsize: number;
}

export function txidHex(tx: Transaction): string {
  return hashToHex(tx.txid);
}
export function wtxidHex(tx: Transaction): string {
  return hashToHex(tx.wtxid);
}

const MIN_TXIN_SIZE = 41; // 32 + 4 + 1 + 4
const MIN_TXOUT_SIZE = 9; // 8 + 1

function readInputs(r: ByteReader, n: number): TxIn[] {
  const ins: TxIn[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const txid = r.bytes(32, `input ${i} prevout txid`);
    const vout = r.u32(`input ${i} prevout index`);
    const scriptSig = r.varBytes(`input ${i} scriptSig`);
    const sequence = r.u32(`input ${i} sequence`);
    ins[i] = { prevout: { txid, vout }, scriptSig, sequence, witness: [] };
  }
  return ins;
}

function readOutputs(r: ByteReader, n: number): TxOut[] {
  const outs: TxOut[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const value = r.i64(`output ${i} value`);
    const scriptPubKey = r.varBytes(`output ${i} scriptPubKey`);
    outs[i] = { value, scriptPubKey };
  }
  return outs;
}

/**
 * Reads one transaction at the reader's position (Core's UnserializeTransaction with
 * witness allowed). The returned transaction's byte fields are views into the input.
 */
export function readTransaction(r: ByteReader): Transaction {
  const start = r.pos;
  const buf = r.buf;
  const version = r.u32('version');
  let flags = 0;
  let inputs: TxIn[];
  let outputs: TxOut[] = [];
  let bodyStart = r.pos;
  const nIn = r.count(MIN_TXIN_SIZE, 'inputs');
  if (nIn === 0) {
    // Either a legacy tx with no inputs or the segwit marker (0x00) and flag byte.
    flags = r.u8('the witness flag');
    if (flags !== 0) {
      bodyStart = r.pos;
      inputs = readInputs(r, r.count(MIN_TXIN_SIZE, 'inputs'));
      outputs = readOutputs(r, r.count(MIN_TXOUT_SIZE, 'outputs'));
    } else {
      inputs = [];
    }
  } else {
    inputs = readInputs(r, nIn);
    outputs = readOutputs(r, r.count(MIN_TXOUT_SIZE, 'outputs'));
  }
  const bodyEnd = r.pos;
  let hasWitness = false;
  if (flags & 1) {
    flags ^= 1;
    for (let i = 0; i < inputs.length; i++) {
      const n = r.count(1, `input ${i} witness items`);
      const stack: Uint8Array[] = new Array(n);
      for (let j = 0; j < n; j++) stack[j] = r.varBytes(`input ${i} witness item ${j}`);
      inputs[i]!.witness = stack;
      if (n > 0) hasWitness = true;
    }
    if (!hasWitness) {
      throw new DecodeError('witness-flag-without-witness', 'superfluous witness record: the witness flag is set but every witness is empty', bodyEnd);
    }
  }
  if (flags) throw new DecodeError('invalid', `unknown transaction optional data (flag byte 0x${flags.toString(16)})`, start + 5);
  const locktime = r.u32('locktime');
  const raw = buf.subarray(start, r.pos);
  const totalSize = raw.length;
  let txid: Uint8Array;
  let baseSize: number;
  if (hasWitness) {
    // Non-witness serialization = version ‖ inputs..outputs ‖ locktime, all contiguous in raw.
    const body = buf.subarray(bodyStart, bodyEnd);
    baseSize = 4 + body.length + 4;
    const h = createSha256();
    h.update(raw.subarray(0, 4)).update(body).update(raw.subarray(raw.length - 4));
    txid = sha256(h.digest());
  } else {
    baseSize = totalSize;
    txid = hash256(raw);
  }
  const wtxid = hasWitness ? hash256(raw) : txid;
  const weight = baseSize * (WITNESS_SCALE_FACTOR - 1) + totalSize;
  return {
    version, inputs, outputs, locktime, raw, hasWitness, txid, wtxid,
    baseSize, totalSize, weight, vsize: Math.ceil(weight / WITNESS_SCALE_FACTOR),
  };
}

/** Decodes exactly one transaction; trailing bytes are an error. */
export function decodeTx(bytes: Uint8Array): Transaction {
  // Well-formed input takes the fast path; anything it does not accept is decoded again
  // by readTransaction, which throws the precise DecodeError (or accepts the odd case).
  const fast = decodeTxFast(bytes);
  if (fast) return fast;
  const r = new ByteReader(bytes, 'transaction');
  const tx = readTransaction(r);
  r.end();
  return tx;
}

// ---------------------------------------------------------------------------------------
// Fast path of decodeTx and decodeBlock: one pass over the bytes with no per-field labels,
// for the common shapes (at least one input; segwit flag 1 with a non-empty witness, or none).
// Returns undefined for anything else, including every malformed input.

let P = 0;
function u32At(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
/** A canonical CompactSize ≤ MAX_SIZE at P (advancing it), or -1. */
function compactAt(b: Uint8Array, end: number): number {
  if (P >= end) return -1;
  const f = b[P]!;
  if (f < 0xfd) {
    P++;
    return f;
  }
  if (f === 0xfd) {
    if (end - P < 3) return -1;
    const n = b[P + 1]! | (b[P + 2]! << 8);
    if (n < 0xfd) return -1;
    P += 3;
    return n;
  }
  if (f === 0xfe) {
    if (end - P < 5) return -1;
    const n = u32At(b, P + 1);
    if (n < 0x10000 || n > MAX_SIZE) return -1;
    P += 5;
    return n;
  }
  return -1;
}
/** A length-prefixed byte string at P as a view, or undefined. */
function varBytesAt(b: Uint8Array, end: number): Uint8Array | undefined {
  const n = compactAt(b, end);
  if (n < 0 || n > end - P) return undefined;
  const v = b.subarray(P, P + n);
  P += n;
  return v;
}
/** Signed little-endian int64 at o, as Core's CAmount. */
function i64At(b: Uint8Array, o: number): bigint {
  const lo = u32At(b, o);
  const hi = b[o + 4]! | (b[o + 5]! << 8) | (b[o + 6]! << 16) | (b[o + 7]! << 24);
  // Exact in a double while |value| < 2^53 (every valid amount).
  if (hi >= 0 && hi < 0x200000) return BigInt(hi * 4294967296 + lo);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

let txidScratch = new Uint8Array(1024);

/** The fields of a well-formed transaction (see parseTxFast), before any hashing. */
interface Parsed extends TxFields {
  hasWitness: boolean;
  /** Offsets in the buffer: the transaction's start, its inputs and outputs, its end. */
  start: number;
  bodyStart: number;
  bodyEnd: number;
  end: number;
}

/**
 * The transaction at `start` of `buf`, read no further than `end` (a transaction alone, or
 * one of a block's), when it has a common shape; undefined for anything else, including
 * every malformed one: the caller then decodes it again with readTransaction.
 */
function parseTxFast(buf: Uint8Array, start: number, end: number): Parsed | undefined {
  if (end - start < 10) return undefined;
  const version = u32At(buf, start);
  P = start + 4;
  let segwit = false;
  if (buf[P] === 0) {
    if (buf[P + 1] !== 1) return undefined;
    segwit = true;
    P += 2;
  }
  const bodyStart = P;
  const nIn = compactAt(buf, end);
  if (nIn <= 0 || nIn * MIN_TXIN_SIZE > end - P) return undefined;
  const inputs: TxIn[] = new Array(nIn);
  for (let i = 0; i < nIn; i++) {
    if (end - P < 36) return undefined;
    const txid = buf.subarray(P, P + 32);
    const vout = u32At(buf, P + 32);
    P += 36;
    const scriptSig = varBytesAt(buf, end);
    if (!scriptSig || end - P < 4) return undefined;
    const sequence = u32At(buf, P);
    P += 4;
    inputs[i] = { prevout: { txid, vout }, scriptSig, sequence, witness: [] };
  }
  const nOut = compactAt(buf, end);
  if (nOut < 0 || nOut * MIN_TXOUT_SIZE > end - P) return undefined;
  const outputs: TxOut[] = new Array(nOut);
  for (let i = 0; i < nOut; i++) {
    if (end - P < 8) return undefined;
    const value = i64At(buf, P);
    P += 8;
    const scriptPubKey = varBytesAt(buf, end);
    if (!scriptPubKey) return undefined;
    outputs[i] = { value, scriptPubKey };
  }
  const bodyEnd = P;
  let hasWitness = false;
  if (segwit) {
    for (let i = 0; i < nIn; i++) {
      const n = compactAt(buf, end);
      if (n < 0 || n > end - P) return undefined;
      const stack: Uint8Array[] = new Array(n);
      for (let j = 0; j < n; j++) {
        const item = varBytesAt(buf, end);
        if (!item) return undefined;
        stack[j] = item;
      }
      inputs[i]!.witness = stack;
      if (n > 0) hasWitness = true;
    }
    if (!hasWitness) return undefined;
  }
  if (end - P < 4) return undefined;
  const locktime = u32At(buf, P);
  return { version, inputs, outputs, locktime, hasWitness, start, bodyStart, bodyEnd, end: P + 4 };
}

/** The Transaction of a parsed one: its bytes as a view of `buf`, its hashes and sizes. */
function txFromParsed(buf: Uint8Array, p: Parsed): Transaction {
  const { version, inputs, outputs, locktime, hasWitness, start, bodyStart, bodyEnd, end } = p;
  const raw = buf.subarray(start, end);
  const totalSize = end - start;
  let txid: Uint8Array;
  let wtxid: Uint8Array;
  let baseSize: number;
  if (hasWitness) {
    // Non-witness serialization = version ‖ inputs..outputs ‖ locktime, copied together.
    baseSize = 4 + (bodyEnd - bodyStart) + 4;
    if (txidScratch.length < baseSize) txidScratch = new Uint8Array(Math.max(baseSize, 2 * txidScratch.length));
    const s = txidScratch;
    s.set(buf.subarray(start, start + 4), 0);
    s.set(buf.subarray(bodyStart, bodyEnd), 4);
    s.set(buf.subarray(end - 4, end), baseSize - 4);
    txid = hash256(s.subarray(0, baseSize));
    wtxid = hash256(raw);
  } else {
    baseSize = totalSize;
    txid = hash256(raw);
    wtxid = txid;
  }
  const weight = baseSize * (WITNESS_SCALE_FACTOR - 1) + totalSize;
  return {
    version, inputs, outputs, locktime, raw, hasWitness, txid, wtxid,
    baseSize, totalSize, weight, vsize: Math.ceil(weight / WITNESS_SCALE_FACTOR),
  };
}

function decodeTxFast(buf: Uint8Array): Transaction | undefined {
  const p = parseTxFast(buf, 0, buf.length);
  return p && p.end === buf.length ? txFromParsed(buf, p) : undefined;
}

/**
 * Reads one transaction at the reader's position, as readTransaction, with the fast path
 * for the common shapes (a block's transactions); anything else is read by readTransaction,
 * which throws the precise DecodeError.
 */
export function readTransactionFast(r: ByteReader): Transaction {
  const p = parseTxFast(r.buf, r.pos, r.buf.length);
  if (!p) return readTransaction(r);
  r.pos = p.end;
  return txFromParsed(r.buf, p);
}

/**
 * Decodes exactly one transaction into its fields only, without hashing it (no txid,
 * wtxid or sizes): for a caller that already has its hashes (a validation worker given the
 * wtxid with the job). Throws DecodeError as decodeTx does.
 */
export function decodeTxFields(bytes: Uint8Array): TxFields {
  const p = parseTxFast(bytes, 0, bytes.length);
  if (p && p.end === bytes.length) return { version: p.version, inputs: p.inputs, outputs: p.outputs, locktime: p.locktime };
  return decodeTx(bytes);
}

export function txHasWitness(tx: TxFields): boolean {
  return tx.inputs.some((i) => i.witness.length > 0);
}

/** Core's SerializeTransaction; the witness is included when present and allowed. */
function writeTx(w: ByteWriter, tx: TxFields, withWitness = true): void {
  const wit = withWitness && txHasWitness(tx);
  w.u32(tx.version);
  if (wit) w.u8(0).u8(1);
  w.compactSize(tx.inputs.length);
  for (const i of tx.inputs) {
    w.bytes(i.prevout.txid).u32(i.prevout.vout).varBytes(i.scriptSig).u32(i.sequence);
  }
  w.compactSize(tx.outputs.length);
  for (const o of tx.outputs) w.i64(o.value).varBytes(o.scriptPubKey);
  if (wit) {
    for (const i of tx.inputs) {
      w.compactSize(i.witness.length);
      for (const item of i.witness) w.varBytes(item);
    }
  }
  w.u32(tx.locktime);
}

export function encodeTx(tx: TxFields, withWitness = true): Uint8Array {
  const w = new ByteWriter(256);
  writeTx(w, tx, withWitness);
  return w.finish();
}

/** Builds a full Transaction (hashes and sizes) from fields. */
export function makeTx(fields: TxFields): Transaction {
  return decodeTx(encodeTx(fields));
}

export function txOutSize(o: TxOut): number {
  return 8 + compactSizeLength(o.scriptPubKey.length) + o.scriptPubKey.length;
}

export function isNullOutPoint(p: OutPoint): boolean {
  if (p.vout !== 0xffffffff) return false;
  for (let i = 0; i < 32; i++) if (p.txid[i] !== 0) return false;
  return true;
}

export function isCoinBase(tx: TxFields): boolean {
  return tx.inputs.length === 1 && isNullOutPoint(tx.inputs[0]!.prevout);
}

