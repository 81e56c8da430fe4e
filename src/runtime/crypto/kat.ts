/**
 * Known answers every backend must reproduce before it is used. A backend with even one
 * wrong answer is never selected (select.ts).
 *   - BIP340's test-vectors.csv, all 19 rows (public key, message, signature, result),
 *     embedded here so a deployment needs no test files; test/crypto checks the table
 *     against test/vectors/bips/bip340-test-vectors.csv.
 *   - ECDSA cases generated on first use with @noble/curves (RFC6979 signatures of fixed
 *     keys and digests), whose expected answers follow from how each case is built: the
 *     signature verifies, also with the uncompressed key and in high-S form (Core's
 *     CPubKey::Verify normalises S), and no longer verifies after any tweak.
 *   - SHA-256: FIPS 180-2 examples and agreement with noble, streams and clone() midstates.
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { concatBytes, fromHex, toHex } from '../../primitives/bytes.ts';
import type { Sha256Backend } from '../../primitives/hash.ts';
import type { SigVerifier } from '../../script/sigcheck.ts';

export interface SigKatCase {
  readonly kind: 'ecdsa' | 'schnorr';
  readonly label: string;
  readonly sig: Uint8Array;
  readonly msg: Uint8Array;
  readonly key: Uint8Array;
  readonly expect: boolean;
}

export interface KatResult {
  readonly passed: boolean;
  readonly total: number;
  /** One line per wrong answer (or exception), naming the case. */
  readonly failures: string[];
}

/** bip-0340/test-vectors.csv: [public key, message, signature, verification result] // index comment */
export const BIP340_ROWS: readonly (readonly [string, string, string, boolean])[] = [
  ['f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9', '0000000000000000000000000000000000000000000000000000000000000000', 'e907831f80848d1069a5371b402410364bdf1c5f8307b0084c55f1ce2dca821525f66a4a85ea8b71e482a74f382d2ce5ebeee8fdb2172f477df4900d310536c0', true], // 0
  ['dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659', '243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89', '6896bd60eeae296db48a229ff71dfe071bde413e6d43f917dc8dcf8c78de33418906d11ac976abccb20b091292bff4ea897efcb639ea871cfa95f6de339e4b0a', true], // 1
  ['dd308afec5777e13121fa72b9cc1b7cc0139715309b086c960e18fd969774eb8', '7e2d58d8b3bcdf1abadec7829054f90dda9805aab56c77333024b9d0a508b75c', '5831aaeed7b44bb74e5eab94ba9d4294c49bcf2a60728d8b4c200f50dd313c1bab745879a5ad954a72c45a91c3a51d3c7adea98d82f8481e0e1e03674a6f3fb7', true], // 2
  ['25d1dff95105f5253c4022f628a996ad3a0d95fbf21d468a1b33f8c160d8f517', 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', '7eb0509757e246f19449885651611cb965ecc1a187dd51b64fda1edc9637d5ec97582b9cb13db3933705b32ba982af5af25fd78881ebb32771fc5922efc66ea3', true], // 3 test fails if msg is reduced modulo p or n
  ['d69c3509bb99e412e68b0fe8544e72837dfa30746d8be2aa65975f29d22dc7b9', '4df3c3f68fcc83b27e9d42c90431a72499f17875c81a599b566c9889b9696703', '00000000000000000000003b78ce563f89a0ed9414f5aa28ad0d96d6795f9c6376afb1548af603b3eb45c9f8207dee1060cb71c04e80f593060b07d28308d7f4', true], // 4
  ['eefdea4cdb677750a420fee807eacf21eb9898ae79b9768766e4faa04a2d4a34', '243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89', '6cff5c3ba86c69ea4b7376f31a9bcb4f74c1976089b2d9963da2e5543e17776969e89b4c5564d00349106b8497785dd7d1d713a8ae82b32fa79d5f7fc407d39b', false], // 5 public key not on the curve
  ['dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659', '243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89', 'fff97bd5755eeea420453a14355235d382f6472f8568a18b2f057a14602975563cc27944640ac607cd107ae10923d9ef7a73c643e166be5ebeafa34b1ac553e2', false], // 6 has_even_y(R) is false
  ['dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659', '243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89', '1fa62e331edbc21c394792d2ab1100a7b432b013df3f6ff4f99fcb33e0e1515f28890b3edb6e7189b630448b515ce4f8622a954cfe545735aaea5134fccdb2bd', false], // 7 negated message
  ['dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659', '243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89', '6cff5c3ba86c69ea4b7376f31a9bcb4f74c1976089b2d9963da2e5543e177769961764b3aa9b2ffcb6ef947b6887a226e8d7c93e00c5ed0c1834ff0d0c2e6da6', false], // 8 negated s value
  ['dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659', '243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89', '0000000000000000000000000000000000000000000000000000000000000000123dda8328af9c23a94c1feecfd123ba4fb73476f0d594dcb65c6425bd186051', false], // 9 sG - eP is infinite. Test fails in single verification if has_even_y(inf) is defined as true and x(inf) as 0
  ['dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659', '243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89', '00000000000000000000000000000000000000000000000000000000000000017615fbaf5ae28864013c099742deadb4dba87f11ac6754f93780d5a1837cf197', false], // 10 sG - eP is infinite. Test fails in single verification if has_even_y(inf) is defined as true and x(inf) as 1
  ['dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659', '243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89', '4a298dacae57395a15d0795ddbfd1dcb564da82b0f269bc70a74f8220429ba1d69e89b4c5564d00349106b8497785dd7d1d713a8ae82b32fa79d5f7fc407d39b', false], // 11 sig[0:32] is not an X coordinate on the curve
  ['dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659', '243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89', 'fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f69e89b4c5564d00349106b8497785dd7d1d713a8ae82b32fa79d5f7fc407d39b', false], // 12 sig[0:32] is equal to field size
  ['dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659', '243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89', '6cff5c3ba86c69ea4b7376f31a9bcb4f74c1976089b2d9963da2e5543e177769fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141', false], // 13 sig[32:64] is equal to curve order
  ['fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc30', '243f6a8885a308d313198a2e03707344a4093822299f31d0082efa98ec4e6c89', '6cff5c3ba86c69ea4b7376f31a9bcb4f74c1976089b2d9963da2e5543e17776969e89b4c5564d00349106b8497785dd7d1d713a8ae82b32fa79d5f7fc407d39b', false], // 14 public key is not a valid X coordinate because it exceeds the field size
  ['778caa53b4393ac467774d09497a87224bf9fab6f6e68b23086497324d6fd117', '', '71535db165ecd9fbbc046e5ffaea61186bb6ad436732fccc25291a55895464cf6069ce26bf03466228f19a3a62db8a649f2d560fac652827d1af0574e427ab63', true], // 15 message of size 0 (added 2022-12)
  ['778caa53b4393ac467774d09497a87224bf9fab6f6e68b23086497324d6fd117', '11', '08a20a0afef64124649232e0693c583ab1b9934ae63b4c3511f3ae1134c6a303ea3173bfea6683bd101fa5aa5dbc1996fe7cacfc5a577d33ec14564cec2bacbf', true], // 16 message of size 1 (added 2022-12)
  ['778caa53b4393ac467774d09497a87224bf9fab6f6e68b23086497324d6fd117', '0102030405060708090a0b0c0d0e0f1011', '5130f39a4059b43bc7cac09a19ece52b5d8699d1a71e3c52da9afdb6b50ac370c4a482b77bf960f8681540e25b6771ece1e5a37fd80e5a51897c5566a97ea5a5', true], // 17 message of size 17 (added 2022-12)
  ['778caa53b4393ac467774d09497a87224bf9fab6f6e68b23086497324d6fd117', '99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999', '403b12b0d8555a344175ea7ec746566303321e5dbfa8be6f091635163eca79a8585ed3e3170807e7c03b720fc54c7b23897fcba0e9d0b4a06894cfd249f22367', true], // 18 message of size 100 (added 2022-12)
];

export function bip340Cases(): SigKatCase[] {
  return BIP340_ROWS.map(([key, msg, sig, expect], i) => ({
    kind: 'schnorr' as const,
    label: `bip340 #${i}`,
    key: fromHex(key),
    msg: fromHex(msg),
    sig: fromHex(sig),
    expect,
  }));
}

const N = secp256k1.Point.CURVE().n;
const enc = new TextEncoder();
function be32(x: bigint): Uint8Array {
  return fromHex(x.toString(16).padStart(64, '0'));
}
function int(b: Uint8Array): bigint {
  return BigInt('0x' + toHex(b));
}
function rs(r: bigint, s: bigint): Uint8Array {
  return concatBytes(be32(r), be32(s));
}
function flipByte(b: Uint8Array, i: number): Uint8Array {
  const c = b.slice();
  c[i] = c[i]! ^ 1;
  return c;
}
/** The smallest x >= 1 with no point on the curve (x³+7 not a square mod p). */
function xNotOnCurve(): Uint8Array {
  for (let x = 1n; ; x++) {
    const key = concatBytes(Uint8Array.of(2), be32(x));
    try {
      secp256k1.Point.fromBytes(key);
    } catch {
      return key;
    }
  }
}

let ecdsaMemo: SigKatCase[] | undefined;
/** ECDSA known answers, built once with noble (two keys, about 30 cases). */
export function ecdsaCases(): SigKatCase[] {
  if (ecdsaMemo) return ecdsaMemo;
  const sk = [0, 1].map((i) => nobleSha256(enc.encode(`txgate ecdsa kat key ${i}`)));
  const msg = [0, 1].map((i) => nobleSha256(enc.encode(`txgate ecdsa kat msg ${i}`)));
  const pubC = sk.map((k) => secp256k1.getPublicKey(k, true));
  const pubU = sk.map((k) => secp256k1.getPublicKey(k, false));
  const sig = sk.map((k, i) => secp256k1.sign(msg[i]!, k, { prehash: false, lowS: true, format: 'compact' }));
  const [s0, s1] = [sig[0]!, sig[1]!];
  const [m0, m1] = [msg[0]!, msg[1]!];
  const [c0, c1] = [pubC[0]!, pubC[1]!];
  const [u0, u1] = [pubU[0]!, pubU[1]!];
  const r = int(s0.subarray(0, 32));
  const s = int(s0.subarray(32));
  const hybrid = u0.slice();
  hybrid[0] = 0x06 | (u0[64]! & 1);
  const negated = c0.slice();
  negated[0] = c0[0] === 2 ? 3 : 2;
  const wrongPrefix = u0.slice(0, 33);
  wrongPrefix[0] = 4;
  const e = (label: string, sg: Uint8Array, m: Uint8Array, key: Uint8Array, expect: boolean): SigKatCase => ({ kind: 'ecdsa', label: `ecdsa ${label}`, sig: sg, msg: m, key, expect });
  ecdsaMemo = [
    e('valid (compressed key)', s0, m0, c0, true),
    e('valid (uncompressed key)', s0, m0, u0, true),
    e('valid high-S form', rs(r, N - s), m0, c0, true),
    e('valid, second key', s1, m1, c1, true),
    e('valid, second key uncompressed', s1, m1, u1, true),
    e('wrong message', s0, flipByte(m0, 31), c0, false),
    e('other message', s0, m1, c0, false),
    e('wrong key', s0, m0, c1, false),
    e('wrong key (uncompressed)', s0, m0, u1, false),
    e('negated key', s0, m0, negated, false),
    e('r+1', rs(r + 1n, s), m0, c0, false),
    e('s+1', rs(r, s + 1n), m0, c0, false),
    e('r xor 1 in the first byte', flipByte(s0, 0), m0, c0, false),
    e('r and s swapped', rs(s, r), m0, c0, false),
    e('r = 0', rs(0n, s), m0, c0, false),
    e('s = 0', rs(r, 0n), m0, c0, false),
    e('r = n', rs(N, s), m0, c0, false),
    e('s = n', rs(r, N), m0, c0, false),
    e('r = 2^256-1', rs((1n << 256n) - 1n, s), m0, c0, false),
    e('hybrid key (refused by contract)', s0, m0, hybrid, false),
    e('uncompressed key off the curve', s0, m0, flipByte(u0, 64), false),
    e('compressed x not on the curve', s0, m0, xNotOnCurve(), false),
    e('33-byte key with 0x04 prefix', s0, m0, wrongPrefix, false),
    e('64-byte key without prefix', s0, m0, u0.subarray(1), false),
    e('31-byte message', s0, m0.subarray(1), c0, false),
    e('33-byte message', s0, concatBytes(m0, Uint8Array.of(0)), c0, false),
    e('63-byte signature', s0.subarray(1), m0, c0, false),
    e('65-byte signature', concatBytes(s0, Uint8Array.of(1)), m0, c0, false),
    e('empty everything', new Uint8Array(0), new Uint8Array(0), new Uint8Array(0), false),
  ];
  return ecdsaMemo;
}

/** Extra Schnorr shape cases (beyond BIP340's rows). */
function schnorrShapeCases(): SigKatCase[] {
  const [key, msg, sig] = BIP340_ROWS[1]!;
  const k = fromHex(key), m = fromHex(msg), s = fromHex(sig);
  const c = (label: string, sg: Uint8Array, mm: Uint8Array, kk: Uint8Array, expect: boolean): SigKatCase => ({ kind: 'schnorr', label: `schnorr ${label}`, sig: sg, msg: mm, key: kk, expect });
  return [
    c('33-byte key', s, m, concatBytes(Uint8Array.of(2), k), false),
    c('31-byte key', s, m, k.subarray(1), false),
    c('63-byte signature', s.subarray(1), m, k, false),
    c('65-byte signature', concatBytes(s, Uint8Array.of(0)), m, k, false),
    c('message with a byte appended', s, concatBytes(m, Uint8Array.of(0)), k, false),
  ];
}

/** Every signature case: BIP340 rows, Schnorr shapes, ECDSA. */
function sigKatCases(): SigKatCase[] {
  return [...bip340Cases(), ...schnorrShapeCases(), ...ecdsaCases()];
}

export function runSigKat(v: SigVerifier, cases: readonly SigKatCase[] = sigKatCases()): KatResult {
  const failures: string[] = [];
  for (const c of cases) {
    try {
      const got = c.kind === 'ecdsa' ? v.verifyEcdsa(c.sig, c.msg, c.key) : v.verifySchnorr(c.sig, c.msg, c.key);
      if (got !== c.expect) failures.push(`${c.label}: expected ${c.expect}, got ${String(got)}`);
    } catch (e) {
      failures.push(`${c.label}: threw ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { passed: failures.length === 0, total: cases.length, failures };
}

function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 131 + seed * 17 + (i >> 8)) & 255;
  return b;
}

/** SHA-256 known answers and agreement with noble, including streams and clone() midstates. */
export function runSha256Kat(b: Sha256Backend): KatResult {
  const failures: string[] = [];
  let total = 0;
  const check = (label: string, got: () => Uint8Array, want: Uint8Array | string) => {
    total++;
    try {
      const g = got();
      const w = typeof want === 'string' ? want : toHex(want);
      if (!(g instanceof Uint8Array) || g.length !== 32) failures.push(`${label}: not a 32-byte Uint8Array`);
      else if (toHex(g) !== w) failures.push(`${label}: got ${toHex(g)}, want ${w}`);
    } catch (e) {
      failures.push(`${label}: threw ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  // FIPS 180-2 appendix B.
  check('""', () => b.sha256(new Uint8Array(0)), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  check('"abc"', () => b.sha256(enc.encode('abc')), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  const two = enc.encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq');
  check('448-bit message', () => b.sha256(two), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  check('448-bit message, streamed', () => b.create().update(two.subarray(0, 3)).update(two.subarray(3)).digest(), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  // Sizes around the block boundary and the node-large cutoff, one-shot and in pieces.
  for (const n of [1, 55, 56, 63, 64, 65, 119, 511, 512, 513, 4097]) {
    const d = pattern(n, n);
    const want = nobleSha256(d);
    check(`${n} bytes`, () => b.sha256(d), want);
    check(`${n} bytes from an offset view`, () => b.sha256(concatBytes(Uint8Array.of(9, 9, 9), d).subarray(3)), want);
    check(`${n} bytes in 1/63/64/65-byte pieces`, () => {
      const h = b.create();
      const steps = [1, 63, 64, 65];
      for (let o = 0, k = 0; o < n; k++) {
        const step = steps[k % 4]!;
        h.update(d.subarray(o, o + step));
        o += step;
      }
      return h.digest();
    }, want);
  }
  // Midstates: clone, then diverge; the original is unaffected by the clone and vice versa.
  const a = pattern(64, 1), x = pattern(100, 2), y = pattern(7, 3);
  const base = b.create().update(a);
  const c1 = base.clone();
  const c2 = base.clone();
  const c3 = c2.clone();
  check('clone midstate, branch 1', () => c1.update(x).digest(), nobleSha256(concatBytes(a, x)));
  check('clone midstate, branch 2', () => c2.update(y).digest(), nobleSha256(concatBytes(a, y)));
  check('clone of a clone', () => c3.update(x).update(y).digest(), nobleSha256(concatBytes(a, x, y)));
  check('original after its clones', () => base.digest(), nobleSha256(a));
  return { passed: failures.length === 0, total, failures };
}
