/**
 * Signature hashes: legacy (SignatureHash with SigVersion::BASE, including the
 * SIGHASH_SINGLE bug and OP_CODESEPARATOR removal), BIP143 (segwit v0) and BIP341/342
 * (SignatureHashSchnorr). The per-transaction parts are computed once per transaction
 * (Core's PrecomputedTransactionData), never once per input.
 * All scripts are hashed from their exact bytes; nothing is re-encoded.
 */
import { allocBytes } from '../primitives/bytes.ts';
import { ByteWriter, compactSizeLength } from '../primitives/codec.ts';
import { createSha256, hash256, hash256FromMidstate, hash256Midstate, sha256, taggedHasher, type Sha256Stream } from '../primitives/hash.ts';
import type { TxFields, TxOut } from '../primitives/tx.ts';
import { OP } from './opcodes.ts';
import { readOp } from './script.ts';

const SIGHASH_DEFAULT = 0;
export const SIGHASH_ALL = 1;
const SIGHASH_NONE = 2;
export const SIGHASH_SINGLE = 3;
const SIGHASH_ANYONECANPAY = 0x80;

export interface Bip143Hashes {
  hashPrevouts: Uint8Array;
  hashSequence: Uint8Array;
  hashOutputs: Uint8Array;
}
export interface Bip341Hashes {
  prevouts: Uint8Array;
  amounts: Uint8Array;
  scriptPubKeys: Uint8Array;
  sequences: Uint8Array;
  outputs: Uint8Array;
}

/** Core's PrecomputedTransactionData; fields fill in lazily, once per transaction. */
export interface PrecomputedTxData {
  bip143?: Bip143Hashes;
  /**
   * The SHA-256 state after the first 64 bytes every BIP143 preimage of this transaction
   * shares when it commits to both hashPrevouts and hashSequence (SIGHASH_ALL and the
   * undefined types that act as it): version ‖ hashPrevouts ‖ hashSequence[0..28). Null
   * when the SHA-256 backend gains nothing from one (hash.ts hash256Midstate).
   */
  bip143Mid?: Int32Array | null;
  bip341?: Bip341Hashes;
  /** The outputs spent by each input, in input order (needed by BIP341). */
  spent?: TxOut[];
  /** Legacy sighash scratch: every input serialized with an empty scriptSig. */
  legacy?: LegacyParts;
}

interface LegacyParts {
  /** 41 bytes per input: prevout ‖ 0x00 ‖ sequence. */
  inputs: Uint8Array;
  outputs: Uint8Array;
}

export function precomputeTxData(_tx: TxFields, spent?: TxOut[]): PrecomputedTxData {
  return spent ? { spent } : {};
}

function serPrevouts(tx: TxFields): Uint8Array {
  const b = allocBytes(36 * tx.inputs.length);
  tx.inputs.forEach((i, k) => {
    b.set(i.prevout.txid, 36 * k);
    const o = 36 * k + 32, v = i.prevout.vout;
    b[o] = v & 0xff; b[o + 1] = (v >>> 8) & 0xff; b[o + 2] = (v >>> 16) & 0xff; b[o + 3] = (v >>> 24) & 0xff;
  });
  return b;
}
function serSequences(tx: TxFields): Uint8Array {
  const w = new ByteWriter(4 * tx.inputs.length);
  for (const i of tx.inputs) w.u32(i.sequence);
  return w.view();
}
function serOutputs(outs: TxOut[]): Uint8Array {
  const w = new ByteWriter(34 * outs.length + 8);
  for (const o of outs) w.i64(o.value).varBytes(o.scriptPubKey);
  return w.view();
}

function bip143(tx: TxFields, pre: PrecomputedTxData): Bip143Hashes {
  if (!pre.bip143) {
    pre.bip143 = {
      hashPrevouts: hash256(serPrevouts(tx)),
      hashSequence: hash256(serSequences(tx)),
      hashOutputs: hash256(serOutputs(tx.outputs)),
    };
  }
  return pre.bip143;
}

/** BIP341 single-SHA256 hashes; undefined when the spent outputs are not known. */
export function bip341Hashes(tx: TxFields, pre: PrecomputedTxData): Bip341Hashes | undefined {
  if (pre.bip341) return pre.bip341;
  const spent = pre.spent;
  if (!spent || spent.length !== tx.inputs.length) return undefined;
  const amounts = new ByteWriter(8 * spent.length);
  const spks = new ByteWriter(64 * spent.length);
  for (const s of spent) {
    amounts.i64(s.value);
    spks.varBytes(s.scriptPubKey);
  }
  pre.bip341 = {
    prevouts: sha256(serPrevouts(tx)),
    amounts: sha256(amounts.view()),
    scriptPubKeys: sha256(spks.view()),
    sequences: sha256(serSequences(tx)),
    outputs: sha256(serOutputs(tx.outputs)),
  };
  return pre.bip341;
}

const ONE = (() => {
  const b = new Uint8Array(32);
  b[0] = 1;
  return b;
})();

/** Writes scriptCode with every OP_CODESEPARATOR removed (CTransactionSignatureSerializer::SerializeScriptCode). */
function scriptCodeWithoutSeparators(script: Uint8Array): Uint8Array {
  let seps = 0;
  for (let pc = 0; pc < script.length; ) {
    const op = readOp(script, pc);
    if (!op) break;
    if (op.opcode === OP.OP_CODESEPARATOR) seps++;
    pc = op.end;
  }
  if (seps === 0) return script;
  const out = new Uint8Array(script.length - seps);
  let o = 0, begin = 0;
  for (let pc = 0; pc < script.length; ) {
    const op = readOp(script, pc);
    if (!op) break;
    pc = op.end;
    if (op.opcode === OP.OP_CODESEPARATOR) {
      out.set(script.subarray(begin, pc - 1), o);
      o += pc - 1 - begin;
      begin = pc;
    }
  }
  out.set(script.subarray(begin), o);
  return out;
}

function u32le(v: number): Uint8Array {
  const b = allocBytes(4);
  b[0] = v & 0xff; b[1] = (v >>> 8) & 0xff; b[2] = (v >>> 16) & 0xff; b[3] = (v >>> 24) & 0xff;
  return b;
}

function legacyParts(tx: TxFields, pre: PrecomputedTxData): LegacyParts {
  if (!pre.legacy) {
    const n = tx.inputs.length;
    const inputs = allocBytes(41 * n);
    tx.inputs.forEach((inp, k) => {
      const o = 41 * k;
      inputs.set(inp.prevout.txid, o);
      inputs.set(u32le(inp.prevout.vout), o + 32);
      inputs[o + 36] = 0;
      inputs.set(u32le(inp.sequence), o + 37);
    });
    pre.legacy = { inputs, outputs: serOutputs(tx.outputs) };
  }
  return pre.legacy;
}

function writeCompactSize(h: Sha256Stream, n: number): void {
  const w = new ByteWriter(9);
  w.compactSize(n);
  h.update(w.finish());
}

/**
 * Legacy SignatureHash (SigVersion::BASE). `hashType` is the full int32 (the hash type byte
 * of a signature, or any value in sighash.json). Returns the digest in internal byte order.
 */
export function legacySighash(tx: TxFields, nIn: number, scriptCode: Uint8Array, hashType: number, pre?: PrecomputedTxData): Uint8Array {
  if (nIn >= tx.inputs.length) return ONE.slice();
  const base = hashType & 0x1f;
  const anyone = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  const none = base === SIGHASH_NONE, single = base === SIGHASH_SINGLE;
  // The SIGHASH_SINGLE bug: no matching output signs the number one.
  if (single && nIn >= tx.outputs.length) return ONE.slice();
  const code = scriptCodeWithoutSeparators(scriptCode);
  const h = createSha256();
  h.update(u32le(tx.version));
  const me = tx.inputs[nIn]!;
  const writeMe = () => {
    h.update(me.prevout.txid).update(u32le(me.prevout.vout));
    writeCompactSize(h, code.length);
    h.update(code).update(u32le(me.sequence));
  };
  if (anyone) {
    writeCompactSize(h, 1);
    writeMe();
  } else if (!none && !single) {
    // Common case: every other input unchanged but with an empty scriptSig, from one
    // precomputed buffer (keeps huge legacy transactions at one pass per input).
    const parts = legacyParts(tx, pre ?? {});
    writeCompactSize(h, tx.inputs.length);
    h.update(parts.inputs.subarray(0, 41 * nIn));
    writeMe();
    h.update(parts.inputs.subarray(41 * (nIn + 1)));
  } else {
    writeCompactSize(h, tx.inputs.length);
    const zero = new Uint8Array(4);
    tx.inputs.forEach((inp, k) => {
      if (k === nIn) return writeMe();
      h.update(inp.prevout.txid).update(u32le(inp.prevout.vout));
      writeCompactSize(h, 0);
      h.update(zero);
    });
  }
  if (none) {
    writeCompactSize(h, 0);
  } else if (single) {
    writeCompactSize(h, nIn + 1);
    const blank = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]);
    for (let k = 0; k < nIn; k++) h.update(blank);
    const o = tx.outputs[nIn]!;
    h.update(serOutputs([o]));
  } else {
    writeCompactSize(h, tx.outputs.length);
    h.update(pre?.legacy ? pre.legacy.outputs : serOutputs(tx.outputs));
  }
  h.update(u32le(tx.locktime)).update(u32le(hashType | 0));
  return sha256(h.digest());
}

const ZERO32: Uint8Array = new Uint8Array(32);

/** The three BIP143 hashes as `hashType` selects them for input nIn (zero where excluded). */
export function segwitV0Parts(tx: TxFields, nIn: number, hashType: number, pre: PrecomputedTxData = {}): Bip143Hashes {
  const base = hashType & 0x1f;
  const anyone = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  const hashPrevouts = anyone ? ZERO32 : bip143(tx, pre).hashPrevouts;
  const hashSequence = !anyone && base !== SIGHASH_SINGLE && base !== SIGHASH_NONE ? bip143(tx, pre).hashSequence : ZERO32;
  let hashOutputs = ZERO32;
  if (base !== SIGHASH_SINGLE && base !== SIGHASH_NONE) hashOutputs = bip143(tx, pre).hashOutputs;
  else if (base === SIGHASH_SINGLE && nIn < tx.outputs.length) hashOutputs = hash256(serOutputs([tx.outputs[nIn]!]));
  return { hashPrevouts, hashSequence, hashOutputs };
}

/** pre.bip143Mid, computed once per transaction. */
function bip143Midstate(tx: TxFields, pre: PrecomputedTxData): Int32Array | null {
  if (pre.bip143Mid === undefined) {
    const h = bip143(tx, pre);
    const b = new Uint8Array(64);
    b[0] = tx.version; b[1] = tx.version >>> 8; b[2] = tx.version >>> 16; b[3] = tx.version >>> 24;
    b.set(h.hashPrevouts, 4);
    b.set(h.hashSequence.subarray(0, 28), 36);
    pre.bip143Mid = hash256Midstate(b) ?? null;
  }
  return pre.bip143Mid;
}

/** BIP143 SignatureHash (SigVersion::WITNESS_V0); scriptCode is hashed as given. */
export function segwitV0Sighash(tx: TxFields, nIn: number, scriptCode: Uint8Array, amount: bigint, hashType: number, pre: PrecomputedTxData = {}): Uint8Array {
  const me = tx.inputs[nIn]!;
  const base = hashType & 0x1f;
  if ((hashType & SIGHASH_ANYONECANPAY) === 0 && base !== SIGHASH_SINGLE && base !== SIGHASH_NONE) {
    // Commits to hashPrevouts and hashSequence: the preimage's first block is the transaction's.
    const mid = bip143Midstate(tx, pre);
    if (mid) {
      const h = pre.bip143!;
      const w = new ByteWriter(96 + scriptCode.length);
      w.bytes(h.hashSequence.subarray(28)).bytes(me.prevout.txid).u32(me.prevout.vout);
      w.varBytes(scriptCode).i64(amount).u32(me.sequence);
      w.bytes(h.hashOutputs).u32(tx.locktime).u32(hashType | 0);
      return hash256FromMidstate(mid, w.view());
    }
  }
  const { hashPrevouts, hashSequence, hashOutputs } = segwitV0Parts(tx, nIn, hashType, pre);
  const w = new ByteWriter(160 + scriptCode.length);
  w.u32(tx.version).bytes(hashPrevouts).bytes(hashSequence);
  w.bytes(me.prevout.txid).u32(me.prevout.vout);
  w.varBytes(scriptCode).i64(amount).u32(me.sequence);
  w.bytes(hashOutputs).u32(tx.locktime).u32(hashType | 0);
  return hash256(w.view());
}

export interface TapscriptExt {
  leafHash: Uint8Array;
  /** Opcode position of the last executed OP_CODESEPARATOR, 0xffffffff if none. */
  codesepPos: number;
}

/**
 * BIP341 SigMsg (the bytes after the epoch byte), for key path (ext undefined) or
 * tapscript (ext set). Undefined for an invalid hash type, SIGHASH_SINGLE without a
 * matching output, or unknown spent outputs (SignatureHashSchnorr returning false).
 * `annexHash` is SHA256(compact_size(annex) ‖ annex) when an annex is present.
 */
export function taprootSigMsg(tx: TxFields, nIn: number, hashType: number, pre: PrecomputedTxData, ext?: TapscriptExt, annexHash?: Uint8Array): Uint8Array | undefined {
  if (!(hashType <= 0x03 || (hashType >= 0x81 && hashType <= 0x83))) return undefined;
  const h = bip341Hashes(tx, pre);
  if (!h) return undefined;
  const outputType = hashType === SIGHASH_DEFAULT ? SIGHASH_ALL : hashType & 3;
  const anyone = (hashType & SIGHASH_ANYONECANPAY) !== 0;
  if (outputType === SIGHASH_SINGLE && nIn >= tx.outputs.length) return undefined;
  const w = new ByteWriter(256);
  w.u8(hashType).u32(tx.version).u32(tx.locktime);
  if (!anyone) w.bytes(h.prevouts).bytes(h.amounts).bytes(h.scriptPubKeys).bytes(h.sequences);
  if (outputType === SIGHASH_ALL) w.bytes(h.outputs);
  const extFlag = ext ? 1 : 0;
  w.u8((extFlag << 1) + (annexHash ? 1 : 0));
  if (anyone) {
    const me = tx.inputs[nIn]!;
    const spent = pre.spent![nIn]!;
    w.bytes(me.prevout.txid).u32(me.prevout.vout);
    w.i64(spent.value).varBytes(spent.scriptPubKey);
    w.u32(me.sequence);
  } else {
    w.u32(nIn);
  }
  if (annexHash) w.bytes(annexHash);
  if (outputType === SIGHASH_SINGLE) w.bytes(shaSingleOutput(tx, nIn));
  if (ext) w.bytes(ext.leafHash).u8(0).u32(ext.codesepPos);
  return w.finish();
}

/** BIP341 sha_single_output: SHA256 of output nIn (SIGHASH_SINGLE). */
export function shaSingleOutput(tx: TxFields, nIn: number): Uint8Array {
  return sha256(serOutputs([tx.outputs[nIn]!]));
}

/** BIP341 signature hash: TaggedHash("TapSighash", 0x00 ‖ SigMsg). */
export function taprootSighash(tx: TxFields, nIn: number, hashType: number, pre: PrecomputedTxData, ext?: TapscriptExt, annexHash?: Uint8Array): Uint8Array | undefined {
  const msg = taprootSigMsg(tx, nIn, hashType, pre, ext, annexHash);
  if (!msg) return undefined;
  return taggedHasher('TapSighash').update(EPOCH).update(msg).digest();
}
const EPOCH = new Uint8Array([0]);

/** SHA256 of the serialized annex (compact size ‖ bytes), as BIP341 hashes it. */
export function annexHash(annex: Uint8Array): Uint8Array {
  const w = new ByteWriter(annex.length + compactSizeLength(annex.length));
  w.varBytes(annex);
  return sha256(w.finish());
}
