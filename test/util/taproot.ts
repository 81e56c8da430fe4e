/**
 * BIP341 output construction for tests, built on @noble/curves only (independent of
 * src/): tapleaf/tapbranch hashes, the TapTweak, the tweaked output key, control blocks
 * (the BIP341 reference taproot_tree_helper / taproot_output_script).
 */
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';

const Point = secp256k1.Point;
const N = Point.Fn.ORDER;
const { taggedHash } = schnorr.utils;

function compactSize(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >>> 8);
  return Uint8Array.of(0xfe, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
}

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function lessThan(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}

function bytesToBig(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

function bigTo32(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function tapLeafHash(leafVersion: number, script: Uint8Array): Uint8Array {
  return taggedHash('TapLeaf', Uint8Array.of(leafVersion), compactSize(script.length), script);
}

export function tapBranchHash(a: Uint8Array, b: Uint8Array): Uint8Array {
  return lessThan(b, a) ? taggedHash('TapBranch', b, a) : taggedHash('TapBranch', a, b);
}

export function tapTweak(internalKey: Uint8Array, merkleRoot?: Uint8Array | null): Uint8Array {
  return merkleRoot ? taggedHash('TapTweak', internalKey, merkleRoot) : taggedHash('TapTweak', internalKey);
}

/** taproot_tweak_pubkey: Q = lift_x(P) + t·G; x-only Q and its Y parity. */
export function tweakPublicKey(internalKey: Uint8Array, merkleRoot?: Uint8Array | null): { key: Uint8Array; parity: number; tweak: Uint8Array } {
  const tweak = tapTweak(internalKey, merkleRoot);
  const t = bytesToBig(tweak);
  if (t >= N) throw new Error('tweak out of range');
  const P = schnorr.utils.lift_x(bytesToBig(internalKey));
  const Q = P.add(Point.BASE.multiply(t));
  const q = Q.toAffine();
  return { key: bigTo32(q.x), parity: Number(q.y & 1n), tweak };
}

/** taproot_tweak_seckey: the secret key whose x-only public key is the tweaked output key. */
export function tweakSecretKey(secretKey: Uint8Array, merkleRoot?: Uint8Array | null): Uint8Array {
  let d = bytesToBig(secretKey);
  const P = Point.BASE.multiply(d);
  if (P.toAffine().y & 1n) d = N - d;
  const tweak = tapTweak(bigTo32(P.toAffine().x), merkleRoot);
  return bigTo32((d + bytesToBig(tweak)) % N);
}

export interface TapLeaf {
  id?: number;
  leafVersion: number;
  script: Uint8Array;
}
export type TapTree = TapLeaf | [TapTree, TapTree];

/** taproot_tree_helper: every leaf with its hash and merkle path, and the tree's root hash. */
export function tapTree(tree: TapTree): { leaves: { leaf: TapLeaf; hash: Uint8Array; path: Uint8Array }[]; root: Uint8Array } {
  if (!Array.isArray(tree)) {
    const hash = tapLeafHash(tree.leafVersion, tree.script);
    return { leaves: [{ leaf: tree, hash, path: new Uint8Array(0) }], root: hash };
  }
  const l = tapTree(tree[0]);
  const r = tapTree(tree[1]);
  const leaves = [
    ...l.leaves.map((x) => ({ ...x, path: cat(x.path, r.root) })),
    ...r.leaves.map((x) => ({ ...x, path: cat(x.path, l.root) })),
  ];
  return { leaves, root: tapBranchHash(l.root, r.root) };
}

export interface TaprootOutput {
  internalKey: Uint8Array;
  merkleRoot: Uint8Array | undefined;
  tweak: Uint8Array;
  outputKey: Uint8Array;
  parity: number;
  scriptPubKey: Uint8Array;
  /** Control block per leaf, in tree (left-to-right) order. */
  controlBlocks: { leaf: TapLeaf; leafHash: Uint8Array; controlBlock: Uint8Array }[];
}

export function taprootOutput(internalKey: Uint8Array, tree: TapTree | null): TaprootOutput {
  const t = tree ? tapTree(tree) : undefined;
  const { key, parity, tweak } = tweakPublicKey(internalKey, t?.root);
  return {
    internalKey,
    merkleRoot: t?.root,
    tweak,
    outputKey: key,
    parity,
    scriptPubKey: cat(Uint8Array.of(0x51, 0x20), key),
    controlBlocks: (t?.leaves ?? []).map((x) => ({
      leaf: x.leaf,
      leafHash: x.hash,
      controlBlock: cat(Uint8Array.of(x.leaf.leafVersion | parity), internalKey, x.path),
    })),
  };
}

/** x-only public key of a secret key (BIP340). */
export function xOnly(secretKey: Uint8Array): Uint8Array {
  return schnorr.getPublicKey(secretKey);
}
