/**
 * ECDSA signature and public-key encodings as Core checks them: BIP66 strict DER
 * (IsValidSignatureEncoding), low-S (IsLowDERSignature), defined hash types, key formats
 * (interpreter.cpp), and the lax DER parser Core uses when DERSIG is off
 * (ecdsa_signature_parse_der_lax in pubkey.cpp) plus CPubKey::Verify's normalisation.
 */
import { allocBytes } from '../primitives/bytes.ts';
// Curve order n, n/2 and field prime p, big-endian: compared and subtracted bytewise (no
// BigInt on the per-signature path).
const N = hex32('fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141');
const HALF_N = hex32('7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0');
const P = hex32('fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f');

function hex32(h: string): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Big-endian comparison of a (len ≤ 32 bytes, at a[off..off+len)) with a 32-byte constant. */
function cmpTo32(a: Uint8Array, off: number, len: number, c: Uint8Array): number {
  const pad = 32 - len;
  for (let i = 0; i < 32; i++) {
    const x = i < pad ? 0 : a[off + i - pad]!;
    if (x !== c[i]) return x < c[i]! ? -1 : 1;
  }
  return 0;
}

/** BIP66 strict DER with the hash type byte appended. */
export function isValidSignatureEncoding(sig: Uint8Array): boolean {
  const n = sig.length;
  if (n < 9 || n > 73) return false;
  if (sig[0] !== 0x30) return false;
  if (sig[1] !== n - 3) return false;
  const lenR = sig[3]!;
  if (5 + lenR >= n) return false;
  const lenS = sig[5 + lenR]!;
  if (lenR + lenS + 7 !== n) return false;
  if (sig[2] !== 0x02) return false;
  if (lenR === 0) return false;
  if (sig[4]! & 0x80) return false;
  if (lenR > 1 && sig[4] === 0x00 && !(sig[5]! & 0x80)) return false;
  if (sig[lenR + 4] !== 0x02) return false;
  if (lenS === 0) return false;
  if (sig[lenR + 6]! & 0x80) return false;
  if (lenS > 1 && sig[lenR + 6] === 0x00 && !(sig[lenR + 7]! & 0x80)) return false;
  return true;
}

// Result of the last lax parse: r and s as [pos, pos+len) in the input with leading zeros
// stripped, or ZEROED when Core would have produced its all-zero "invalid" signature.
let R_POS = 0, R_LEN = 0, S_POS = 0, S_LEN = 0, ZEROED = false;
let POS = 0;

/** One INTEGER of ecdsa_signature_parse_der_lax at POS: sets INT_POS/INT_LEN, false when unparseable. */
let INT_POS = 0, INT_LEN = 0;
function readLaxInt(input: Uint8Array, len: number): boolean {
  let pos = POS;
  if (pos === len || input[pos] !== 0x02) return false;
  pos++;
  if (pos === len) return false;
  let lb = input[pos++]!;
  let l: number;
  if (lb & 0x80) {
    lb -= 0x80;
    if (lb > len - pos) return false;
    while (lb > 0 && input[pos] === 0) {
      pos++;
      lb--;
    }
    if (lb >= 4) return false;
    l = 0;
    while (lb > 0) {
      l = l * 256 + input[pos]!;
      pos++;
      lb--;
    }
  } else {
    l = lb;
  }
  if (l > len - pos) return false;
  INT_POS = pos;
  INT_LEN = l;
  POS = pos;
  return true;
}

/**
 * ecdsa_signature_parse_der_lax into the module state above, without allocating. False
 * when Core returns 0 (unparseable).
 */
function parseDerLaxInto(input: Uint8Array): boolean {
  const len = input.length;
  let pos = 0;
  if (pos === len || input[pos] !== 0x30) return false;
  pos++;
  if (pos === len) return false;
  let lenbyte = input[pos++]!;
  if (lenbyte & 0x80) {
    lenbyte -= 0x80;
    if (lenbyte > len - pos) return false;
    pos += lenbyte;
  }
  POS = pos;
  if (!readLaxInt(input, len)) return false;
  let rpos = INT_POS, rlen = INT_LEN;
  POS = rpos + rlen;
  if (!readLaxInt(input, len)) return false;
  let spos = INT_POS, slen = INT_LEN;
  while (rlen > 0 && input[rpos] === 0) { rlen--; rpos++; }
  while (slen > 0 && input[spos] === 0) { slen--; spos++; }
  R_POS = rpos; R_LEN = rlen; S_POS = spos; S_LEN = slen;
  // secp256k1_ecdsa_signature_parse_compact rejects r or s >= n: Core then uses all zeros.
  ZEROED = rlen > 32 || slen > 32 || cmpTo32(input, rpos, rlen, N) >= 0 || cmpTo32(input, spos, slen, N) >= 0;
  return true;
}


/**
 * What CPubKey::Verify hands libsecp256k1: lax-parsed, S normalised to the lower half.
 * Undefined when no valid signature can result (unparseable, r or s zero/overflowing).
 */
export function ecdsaCompactForVerify(derNoHashType: Uint8Array): Uint8Array | undefined {
  if (!parseDerLaxInto(derNoHashType) || ZEROED || R_LEN === 0 || S_LEN === 0) return undefined;
  const input = derNoHashType;
  const out = allocBytes(64);
  for (let i = 0; i < R_LEN; i++) out[32 - R_LEN + i] = input[R_POS + i]!;
  if (cmpTo32(input, S_POS, S_LEN, HALF_N) > 0) {
    // s := n - s (secp256k1_ecdsa_signature_normalize).
    let borrow = 0;
    for (let i = 31; i >= 0; i--) {
      const k = i - (32 - S_LEN);
      let d = N[i]! - (k >= 0 ? input[S_POS + k]! : 0) - borrow;
      borrow = d < 0 ? 1 : 0;
      if (d < 0) d += 256;
      out[32 + i] = d;
    }
  } else {
    for (let i = 0; i < S_LEN; i++) out[64 - S_LEN + i] = input[S_POS + i]!;
  }
  return out;
}

/** IsLowDERSignature's core: CPubKey::CheckLowS on the lax-parsed signature. */
export function isLowS(derNoHashType: Uint8Array): boolean {
  if (!parseDerLaxInto(derNoHashType)) return false;
  // The all-zero signature Core falls back to has s = 0: low.
  return ZEROED || cmpTo32(derNoHashType, S_POS, S_LEN, HALF_N) <= 0;
}

/** IsDefinedHashtypeSignature. */
export function isDefinedHashtype(sig: Uint8Array): boolean {
  if (sig.length === 0) return false;
  const t = sig[sig.length - 1]! & ~0x80;
  return t >= 1 && t <= 3;
}

export function isCompressedOrUncompressedPubKey(k: Uint8Array): boolean {
  if (k.length < 33) return false;
  if (k[0] === 0x04) return k.length === 65;
  if (k[0] === 0x02 || k[0] === 0x03) return k.length === 33;
  return false;
}

export function isCompressedPubKey(k: Uint8Array): boolean {
  return k.length === 33 && (k[0] === 0x02 || k[0] === 0x03);
}

/**
 * CPubKey validity (GetLen of the header byte must match the size) and
 * secp256k1_ec_pubkey_parse's extra rule for hybrid keys (0x06/0x07: the parity must match
 * y). Returns the key as a backend accepts it (hybrid converted to 0x04), or undefined.
 * Curve membership is left to the backend (which rejects points off the curve).
 */
export function pubkeyForVerify(k: Uint8Array): Uint8Array | undefined {
  if (k.length === 0) return undefined;
  const h = k[0]!;
  if (h === 2 || h === 3) {
    if (k.length !== 33) return undefined;
    return cmpTo32(k, 1, 32, P) < 0 ? k : undefined;
  }
  if (h === 4 || h === 6 || h === 7) {
    if (k.length !== 65) return undefined;
    if (h === 4) return k;
    if ((k[64]! & 1) !== (h & 1)) return undefined;
    const out = k.slice();
    out[0] = 4;
    return out;
  }
  return undefined;
}
