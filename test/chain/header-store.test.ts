/**
 * The columnar header store against a plain object tree built beside it: lookups by hash
 * (internal bytes and display hex), GetAncestor through the skip pointers, chain work and its
 * comparison, median time past, LastCommonAncestor, markBranch and truncate, over random
 * forking trees that outgrow the initial capacity.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACCEPTED, FAILED, HeaderStore, NONE } from '../../src/chain/header-store.ts';
import { blockProof } from '../../src/primitives/block.ts';
import { hashToHex, writeU32LE } from '../../src/primitives/bytes.ts';
import { hash256 } from '../../src/primitives/hash.ts';
import { makeRng as xorshift } from '../util/flags.ts';

/** Uniform in [0, 1), deterministic. */
function makeRng(seed: number): () => number {
  const r = xorshift(seed);
  return () => r(32) / 2 ** 32;
}

interface Node { hash: Uint8Array; parent: Node | undefined; height: number; time: number; bits: number; work: bigint }

const BITS = [0x207fffff, 0x1d00ffff, 0x1b0404cb, 0x170331db];

/** A random tree of n headers: each extends a random earlier one, mostly one of the last few. */
function build(n: number, seed: number): { store: HeaderStore; nodes: Node[] } {
  const rng = makeRng(seed);
  const store = new HeaderStore(4);
  const nodes: Node[] = [];
  for (let i = 0; i < n; i++) {
    const parent = i === 0 ? undefined : nodes[rng() < 0.8 ? i - 1 - Math.floor(rng() * Math.min(i, 3)) : Math.floor(rng() * i)]!;
    const raw = new Uint8Array(80);
    writeU32LE(raw, 0, i);
    if (parent) raw.set(parent.hash, 4);
    const bits = BITS[Math.floor(rng() * BITS.length)]!;
    const time = 1_600_000_000 + Math.floor(rng() * 10_000);
    writeU32LE(raw, 68, time);
    writeU32LE(raw, 72, bits);
    const node: Node = { hash: hash256(raw), parent, height: parent ? parent.height + 1 : 0, time, bits, work: (parent?.work ?? 0n) + blockProof(bits) };
    assert.equal(store.add(raw, node.hash, parent ? nodes.indexOf(parent) : NONE), i);
    nodes.push(node);
  }
  return { store, nodes };
}

const walk = (n: Node, h: number): Node | undefined => {
  let x: Node | undefined = n;
  while (x && x.height > h) x = x.parent;
  return x && x.height === h ? x : undefined;
};

test('lookups, heights, parents, bits, time and chain work agree with the object tree', () => {
  const { store, nodes } = build(3000, 7);
  assert.equal(store.count, 3000);
  nodes.forEach((n, i) => {
    assert.equal(store.find(n.hash), i);
    assert.equal(store.findHex(hashToHex(n.hash)), i);
    assert.deepEqual(store.hash(i), n.hash);
    assert.equal(store.height(i), n.height);
    assert.equal(store.parent(i), n.parent ? nodes.indexOf(n.parent) : NONE);
    assert.equal(store.bits(i), n.bits);
    assert.equal(store.time(i), n.time);
    assert.equal(store.workOf(i), n.work);
  });
  // branchHeaders: the raw headers of heights 1..h leading to a header, each hashing to the one on its path.
  const tipOf = 2999, path: Node[] = [];
  for (let x: Node | undefined = nodes[tipOf]; x && x.height > 0; x = x.parent) path.unshift(x);
  assert.deepEqual(store.branchHeaders(tipOf).map((raw) => hashToHex(hash256(raw))), path.map((n) => hashToHex(n.hash)));
  assert.deepEqual(store.branchHeaders(0), []);
  const other = hash256(Uint8Array.of(1, 2, 3));
  assert.equal(store.find(other), NONE);
  assert.equal(store.findHex(hashToHex(other)), NONE);
  assert.equal(store.findHex(hashToHex(nodes[5]!.hash).toUpperCase()), NONE, 'display hex is lower case, as hashToHex writes it');
  assert.equal(store.findHex('zz'), NONE);
});

test('GetAncestor through the skip pointers finds the same block as walking the parents, at every height', () => {
  const { store, nodes } = build(2500, 11);
  const rng = makeRng(3);
  for (let k = 0; k < 400; k++) {
    const i = Math.floor(rng() * nodes.length);
    const n = nodes[i]!;
    for (const h of [0, 1, n.height, n.height - 1, Math.floor(rng() * (n.height + 1)), n.height + 1, -1]) {
      const want = h < 0 ? undefined : walk(n, h);
      assert.equal(store.ancestor(i, h), want ? nodes.indexOf(want) : NONE, `ancestor of ${i} (height ${n.height}) at ${h}`);
    }
  }
});

test('compareWork orders as the chain work does; median time past is of the last 11 timestamps', () => {
  const { store, nodes } = build(600, 5);
  const rng = makeRng(9);
  for (let k = 0; k < 2000; k++) {
    const a = Math.floor(rng() * nodes.length), b = Math.floor(rng() * nodes.length);
    assert.equal(Math.sign(store.compareWork(a, b)), nodes[a]!.work > nodes[b]!.work ? 1 : nodes[a]!.work < nodes[b]!.work ? -1 : 0);
  }
  nodes.forEach((n, i) => {
    const times: number[] = [];
    for (let x: Node | undefined = n; x && times.length < 11; x = x.parent) times.push(x.time);
    times.sort((p, q) => p - q);
    assert.equal(store.medianTimePast(i), times[Math.floor(times.length / 2)]);
    assert.equal(store.medianTimePast(i), times[Math.floor(times.length / 2)], 'cached');
  });
});

test('fork is the last common ancestor; markBranch marks a header and its descendants among those with the given bits', () => {
  const { store, nodes } = build(800, 13);
  const rng = makeRng(21);
  const root = store.add(new Uint8Array(80), hash256(Uint8Array.of(9)), NONE);
  assert.equal(store.fork(root, 0), NONE, 'two genesis blocks');
  assert.equal(store.fork(300, root), NONE);
  for (let k = 0; k < 300; k++) {
    const a = Math.floor(rng() * nodes.length), b = Math.floor(rng() * nodes.length);
    const ancestorsOfA = new Set<Node>();
    for (let x: Node | undefined = nodes[a]; x; x = x.parent) ancestorsOfA.add(x);
    let f: Node | undefined = nodes[b];
    while (f && !ancestorsOfA.has(f)) f = f.parent;
    assert.equal(store.fork(a, b), nodes.indexOf(f!));
  }
  for (let i = 0; i < nodes.length; i += 2) store.setStatus(i, ACCEPTED);
  assert.equal(store.accepted, nodes.length / 2);
  store.setStatus(root, FAILED);
  // The header at height 5 with the most descendants.
  const desc = (i: number) => nodes.filter((n) => walk(n, 5) === nodes[i]).length;
  const bad = nodes.map((_, i) => i).filter((i) => nodes[i]!.height === 5).sort((x, y) => desc(y) - desc(x))[0]!;
  assert.ok(desc(bad) > 20);
  store.markBranch(bad, FAILED, ACCEPTED);
  nodes.forEach((n, i) => {
    const below = walk(n, nodes[bad]!.height) === nodes[bad];
    const want = i === bad || (below && i % 2 === 0);
    assert.equal((store.status(i) & FAILED) !== 0, want, `header ${i}`);
  });
});

test('truncate drops the newest headers: they are not found, and adding again reuses their numbers', () => {
  const { store, nodes } = build(1500, 17);
  for (let i = 1000; i < 1500; i += 3) store.setStatus(i, ACCEPTED);
  store.setStatus(10, ACCEPTED);
  store.truncate(1000);
  assert.equal(store.count, 1000);
  assert.equal(store.accepted, 1);
  for (let i = 0; i < 1500; i++) assert.equal(store.find(nodes[i]!.hash), i < 1000 ? i : NONE);
  const raw = new Uint8Array(80);
  raw.set(nodes[999]!.hash, 4);
  const h = hash256(raw);
  assert.equal(store.add(raw, h, 999), 1000);
  assert.equal(store.find(h), 1000);
  assert.equal(store.height(1000), nodes[999]!.height + 1);
  assert.equal(store.status(1000), 0);
});
