/**
 * Core's `hash_serialized_3` of a UTXO set (kernel/coinstats.cpp ComputeUTXOStats with
 * CoinStatsHashType::HASH_SERIALIZED): one SHA256d over TxOutSer of every coin in LevelDB
 * order (txid ascending, then vout ascending):
 *
 *   TxOutSer = txid (32) | vout (u32 LE) | (height << 1 | coinbase) (u32 LE)
 *            | nValue (i64 LE) | CompactSize(script length) | script
 *
 * The script is the decompressed one (ScriptCompression), as the loaded coin holds it.
 * The snapshot loader (snapshot.ts) feeds each coin as it reads it; `ordered` says whether
 * the coins came in LevelDB's order, the only order in which the streamed hash equals the
 * one Core computes over its database after loading.
 */
import { createBulkSha256, sha256, type Sha256Stream } from '../primitives/hash.ts';

const CAP = 1 << 16;
/** The most bytes of one TxOutSer besides its script: 36 + 4 + 8 + CompactSize (<= 5 here). */
const HEAD = 36 + 4 + 8 + 5;
const P2PKH_PRE = [0x76, 0xa9, 0x14];
const P2PKH_POST = [0x88, 0xac];

export class SerializedHasher {
  private readonly buf = new Uint8Array(CAP);
  private p = 0;
  private readonly h: Sha256Stream = createBulkSha256();
  private readonly lastTxid = new Uint8Array(32);
  private lastVout = -1;
  private started = false;
  /** The coins came txid ascending, then vout ascending (LevelDB's order). */
  ordered = true;

  /** Starts a txid's coins (checks the order against the previous txid). */
  beginTxid(txid: Uint8Array): void {
    let d = 1;
    if (this.started) {
      d = 0;
      for (let i = 0; i < 32 && d === 0; i++) d = txid[i]! - this.lastTxid[i]!;
      if (d < 0) this.ordered = false;
    }
    const last = this.lastTxid;
    for (let i = 0; i < 32; i++) last[i] = txid[i]!;
    // the same txid again (a split group) continues its vout order
    if (d !== 0) this.lastVout = -1;
    this.started = true;
  }

  /** Writes outpoint, code and amount, and the script's CompactSize length; returns the offset of the script. */
  private head(vout: number, code: number, value: number | bigint, scriptLen: number): number {
    if (vout <= this.lastVout) this.ordered = false;
    this.lastVout = vout;
    if (this.p + HEAD + scriptLen > CAP) this.flush();
    const b = this.buf;
    const t = this.lastTxid;
    let p = this.p;
    for (let i = 0; i < 32; i++) b[p + i] = t[i]!;
    p += 32;
    p = u32(b, p, vout);
    p = u32(b, p, code);
    if (typeof value === 'number') {
      p = u32(b, p, value % 4294967296);
      p = u32(b, p, Math.floor(value / 4294967296));
    } else {
      const v = BigInt.asUintN(64, value);
      p = u32(b, p, Number(v & 0xffffffffn));
      p = u32(b, p, Number(v >> 32n));
    }
    if (scriptLen < 0xfd) b[p++] = scriptLen;
    else {
      b[p++] = 0xfd;
      b[p++] = scriptLen & 0xff;
      b[p++] = scriptLen >>> 8;
    }
    return p;
  }

  /** A coin whose script is `len` raw bytes at s[off]. */
  raw(vout: number, code: number, value: number | bigint, s: Uint8Array, off: number, len: number): void {
    if (len > CAP - HEAD) {
      // only an uncompressed script this long (up to MAX_SCRIPT_SIZE) gets here
      const p = this.head(vout, code, value, len);
      this.h.update(this.buf.subarray(0, p));
      this.h.update(s.subarray(off, off + len));
      this.p = 0;
      return;
    }
    const p = this.head(vout, code, value, len);
    const b = this.buf;
    for (let i = 0; i < len; i++) b[p + i] = s[off + i]!;
    this.p = p + len;
  }

  /**
   * A coin in one of Core's special script encodings (ScriptCompression nSize 0..5) with
   * its payload at s[off]; for 4/5 `xy` is the decompressed key (undefined: off the curve,
   * the script stays empty as in Core).
   */
  special(vout: number, code: number, value: number | bigint, nSize: number, s: Uint8Array, off: number, xy?: Uint8Array): void {
    const b = this.buf;
    let p: number;
    switch (nSize) {
      case 0: // OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG
        p = this.head(vout, code, value, 25);
        for (let i = 0; i < 3; i++) b[p++] = P2PKH_PRE[i]!;
        for (let i = 0; i < 20; i++) b[p++] = s[off + i]!;
        b[p++] = P2PKH_POST[0]!;
        b[p++] = P2PKH_POST[1]!;
        break;
      case 1: // OP_HASH160 <20> OP_EQUAL
        p = this.head(vout, code, value, 23);
        b[p++] = 0xa9;
        b[p++] = 0x14;
        for (let i = 0; i < 20; i++) b[p++] = s[off + i]!;
        b[p++] = 0x87;
        break;
      case 2:
      case 3: // <33-byte key> OP_CHECKSIG
        p = this.head(vout, code, value, 35);
        b[p++] = 33;
        b[p++] = nSize;
        for (let i = 0; i < 32; i++) b[p++] = s[off + i]!;
        b[p++] = 0xac;
        break;
      default: // 4, 5: <65-byte key> OP_CHECKSIG, or an empty script off the curve
        if (!xy) {
          p = this.head(vout, code, value, 0);
          break;
        }
        p = this.head(vout, code, value, 67);
        b[p++] = 65;
        b[p++] = 4;
        for (let i = 0; i < 64; i++) b[p++] = xy[i]!;
        b[p++] = 0xac;
    }
    this.p = p;
  }

  private flush(): void {
    if (this.p > 0) this.h.update(this.buf.subarray(0, this.p));
    this.p = 0;
  }

  /** SHA256d of everything fed, in internal byte order (display order is reversed). */
  digest(): Uint8Array {
    this.flush();
    return sha256(this.h.digest());
  }
}

function u32(b: Uint8Array, p: number, x: number): number {
  b[p] = x & 0xff;
  b[p + 1] = (x >>> 8) & 0xff;
  b[p + 2] = (x >>> 16) & 0xff;
  b[p + 3] = (x >>> 24) & 0xff;
  return p + 4;
}
