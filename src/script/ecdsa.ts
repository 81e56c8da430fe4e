/**
 * ECDSA signature and public-key encodings as Core checks them: BIP66 strict DER
 * (IsValidSignatureEncoding), low-S (IsLowDERSignature), defined hash types, key formats
 * (interpreter.cpp), and the lax DER parser Core uses when DERSIG is off
 * (ecdsa_signature_parse_der_lax in pubkey.cpp) plus CPubKey::Verify's normalisation.
 */
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const HALF_N = N >> 1n;
const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;

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

function toBig(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = 0; i < b.length; i++) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

function writeBig32(out: Uint8Array, off: number, v: bigint): void {
  for (let i = 31; i >= 0; i--) {
    out[off + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/**
 * ecdsa_signature_parse_der_lax (without the hash type byte). Returns r,s (either may be 0
 * when Core would have produced its all-zero "invalid" signature), or undefined when Core
 * returns 0 (unparseable).
 */
export function parseDerLax(input: Uint8Array): { r: bigint; s: bigint } | undefined {
  const len = input.length;
  let pos = 0;
  if (pos === len || input[pos] !== 0x30) return undefined;
  pos++;
  if (pos === len) return undefined;
  let lenbyte = input[pos++]!;
  if (lenbyte & 0x80) {
    lenbyte -= 0x80;
    if (lenbyte > len - pos) return undefined;
    pos += lenbyte;
  }
  const readInt = (): { p: number; l: number } | undefined => {
    if (pos === len || input[pos] !== 0x02) return undefined;
    pos++;
    if (pos === len) return undefined;
    let lb = input[pos++]!;
    let l: number;
    if (lb & 0x80) {
      lb -= 0x80;
      if (lb > len - pos) return undefined;
      while (lb > 0 && input[pos] === 0) {
        pos++;
        lb--;
      }
      if (lb >= 4) return undefined;
      l = 0;
      while (lb > 0) {
        l = l * 256 + input[pos]!;
        pos++;
        lb--;
      }
    } else {
      l = lb;
    }
    if (l > len - pos) return undefined;
    const p = pos;
    return { p, l };
  };
  const R = readInt();
  if (!R) return undefined;
  pos = R.p + R.l;
  const S = readInt();
  if (!S) return undefined;
  let { p: rpos, l: rlen } = R;
  let { p: spos, l: slen } = S;
  while (rlen > 0 && input[rpos] === 0) { rlen--; rpos++; }
  while (slen > 0 && input[spos] === 0) { slen--; spos++; }
  if (rlen > 32 || slen > 32) return { r: 0n, s: 0n };
  const r = toBig(input.subarray(rpos, rpos + rlen));
  const s = toBig(input.subarray(spos, spos + slen));
  // secp256k1_ecdsa_signature_parse_compact rejects r or s >= n: Core then uses all zeros.
  if (r >= N || s >= N) return { r: 0n, s: 0n };
  return { r, s };
}

/**
 * What CPubKey::Verify hands libsecp256k1: lax-parsed, S normalised to the lower half.
 * Undefined when no valid signature can result (unparseable, r or s zero/overflowing).
 */
export function ecdsaCompactForVerify(derNoHashType: Uint8Array): Uint8Array | undefined {
  const rs = parseDerLax(derNoHashType);
  if (!rs || rs.r === 0n || rs.s === 0n) return undefined;
  const s = rs.s > HALF_N ? N - rs.s : rs.s;
  const out = new Uint8Array(64);
  writeBig32(out, 0, rs.r);
  writeBig32(out, 32, s);
  return out;
}

/** IsLowDERSignature's core: CPubKey::CheckLowS on the lax-parsed signature. */
export function isLowS(derNoHashType: Uint8Array): boolean {
  const rs = parseDerLax(derNoHashType);
  if (!rs) return false;
  return rs.s <= HALF_N;
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
    return toBig(k.subarray(1)) < P ? k : undefined;
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
