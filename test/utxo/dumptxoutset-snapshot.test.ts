/**
 * Core's dumptxoutset format, version 2 (src/utxo/snapshot.ts): a million synthetic coins
 * with a realistic script mix (uncompressed P2PK and odd scripts included) round-trip byte
 * for byte (load -> write gives the same file), streamed in small chunks; sets built
 * batch by batch dump in Core's order; malformed files fail with Core's messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSnapshot, snapshotChunks, writeSnapshot } from '../../src/utxo/snapshot.ts';
import { UtxoSet, type CoinAdd } from '../../src/utxo/set.ts';
import { encodeSnapshot, synthGroups, type SynthGroup } from './synthetic.ts';
import { sameCoin } from './model.ts';
import { compareBytes, concatBytes } from '../../src/primitives/bytes.ts';

const MAIN = new Uint8Array([0xf9, 0xbe, 0xb4, 0xd9]);
const BASE = new Uint8Array(32).map((_, i) => i);


test('1 000 000 coins: load then write gives identical bytes; coins read back exactly', async () => {
  const N = 1_000_000;
  const file = concatBytes(...[...encodeSnapshot(synthGroups(N, 42), N, MAIN, BASE)]);
  // stream it in odd-sized chunks through a ReadableStream
  let off = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(ctl) {
      if (off >= file.length) return ctl.close();
      const n = 65_521;
      ctl.enqueue(file.subarray(off, off + n));
      off += n;
    },
  });
  let progress = 0;
  const { set, meta } = await loadSnapshot(stream, { networkMagic: MAIN, onProgress: (n) => (progress = n) });
  assert.equal(meta.coinsCount, N);
  assert.equal(progress, N);
  assert.equal(set.size, N);
  assert.deepEqual(meta.baseBlockHash, BASE);
  const out = writeSnapshot(set, meta);
  assert.equal(out.length, file.length);
  assert.ok(compareBytes(out, file) === 0, 'identical bytes');
  let n = 0;
  for (const g of synthGroups(N, 42)) {
    if (n++ % 13 !== 0) continue;
    for (const c of g.coins) assert.ok(sameCoin(set.getCoin(g.txid, c.vout), c.coin));
  }
});

test('a set built by batches dumps sorted by txid then vout, and loads back', async () => {
  const groups: SynthGroup[] = [...synthGroups(5000, 9)].reverse();
  const set = UtxoSet.create({ indexSegments: 1, heapSegments: 1 });
  for (let i = 0; i < groups.length; i += 200) {
    const add: CoinAdd[] = [];
    // vouts of a txid arrive in reverse order
    for (const g of groups.slice(i, i + 200)) for (const c of [...g.coins].reverse()) add.push({ txid: g.txid, vout: c.vout, coin: c.coin });
    set.applyBatch({ add });
  }
  const meta = { networkMagic: MAIN, baseBlockHash: BASE };
  const want = concatBytes(...[...encodeSnapshot([...groups].reverse(), 5000, MAIN, BASE)]);
  const chunks = [...snapshotChunks(set, meta)];
  assert.ok(compareBytes(concatBytes(...chunks), want) === 0);
  const loaded = await loadSnapshot(chunks);
  assert.equal(loaded.set.size, 5000);
});

test('the writer in passes over txid ranges gives the bytes of one pass: a loaded set, then the same set changed by batches', async () => {
  const N = 120_000;
  const groups = [...synthGroups(N, 23)];
  const file = concatBytes(...[...encodeSnapshot(groups, N, MAIN, BASE)]);
  const { set } = await loadSnapshot(file);
  const meta = { networkMagic: MAIN, baseBlockHash: BASE };
  const passes = (n: number) => concatBytes(...[...snapshotChunks(set, meta, n)]);
  // a loaded set lies in txid order in its heap: each pass reads its own chunks' groups
  for (const n of [500, 3000]) assert.ok(compareBytes(passes(n), file) === 0, `loaded set, passes of ${n} coins`);
  // one range: exactly the coins whose txid starts in it, at the edges of full chunks' bins too
  const v = set.version;
  const { minBin, maxBin } = set.txidBins();
  assert.ok(minBin[0]! >= 0 && maxBin[0]! > minBin[0]! && minBin[1]! >= maxBin[0]!, 'full chunks in txid order, their bins known');
  const all = set.handlesAt(v);
  const binOf = (h: number) => ((g) => (g.b[g.g]! << 8) | g.b[g.g + 1]!)(set.groupAt(Math.floor(h / 64)));
  for (const [lo, hi] of [[maxBin[0]!, maxBin[0]! + 1], [minBin[1]!, minBin[1]! + 1], [0, minBin[0]! + 1], [maxBin[0]!, 65536], [1234, 1300]] as const) {
    const want = all.filter((h) => binOf(h) >= lo && binOf(h) < hi);
    assert.ok(want.length > 0);
    assert.deepEqual([...set.handlesAt(v, { lo, hi, minBin, maxBin, expect: 0 })], [...want], `range [${lo}, ${hi})`);
  }
  // batches: spends everywhere, new txids (new chunks in no txid order), more outputs of old txids
  const r = { x: 7 };
  const rnd = () => (r.x = (r.x * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let b = 0; b < 6; b++) {
    const spend = groups.filter((_, i) => i % 11 === b).map((g) => ({ txid: g.txid, vout: g.coins[0]!.vout }));
    const add: CoinAdd[] = [];
    for (let i = 0; i < 4000; i++) {
      const txid = Uint8Array.from({ length: 32 }, () => Math.floor(rnd() * 256));
      add.push({ txid, vout: 0, coin: { value: 1000n + BigInt(i), scriptPubKey: Uint8Array.of(0, 20, ...new Uint8Array(20).fill(i & 0xff)), height: 100 + b, coinbase: false } });
    }
    add.push({ txid: groups[b * 5]!.txid, vout: 9999, coin: { value: 5n, scriptPubKey: Uint8Array.of(0x51), height: 100 + b, coinbase: false } });
    set.applyBatch({ spend, add });
  }
  const whole = passes(1 << 30);
  const reloaded = await loadSnapshot(whole);
  assert.equal(reloaded.set.size, set.size);
  assert.ok(compareBytes(writeSnapshot(reloaded.set, meta), whole) === 0, 'the dump is in Core order: a reload writes it again');
  for (const n of [2500, 40_000]) assert.ok(compareBytes(passes(n), whole) === 0, `changed set, passes of ${n} coins`);
});

function header(count: number): Uint8Array {
  const h = new Uint8Array(51);
  h.set([0x75, 0x74, 0x78, 0x6f, 0xff, 2, 0], 0);
  h.set(MAIN, 7);
  new DataView(h.buffer).setBigUint64(43, BigInt(count), true);
  return h;
}

test('malformed snapshots fail like Core (PopulateAndValidateSnapshot, SnapshotMetadata)', async () => {
  const good = concatBytes(...[...encodeSnapshot(synthGroups(3, 1), 3, MAIN, BASE)]);
  const bad = (f: (b: Uint8Array) => Uint8Array | void) => {
    const b = good.slice();
    return f(b) ?? b;
  };
  await assert.rejects(loadSnapshot(bad((b) => void (b[4] = 0))), /Invalid UTXO set snapshot magic bytes/);
  await assert.rejects(loadSnapshot(bad((b) => void (b[5] = 3))), /Version of snapshot 3 does not match any of the supported versions/);
  await assert.rejects(loadSnapshot(good, { networkMagic: new Uint8Array([0xfa, 0xbf, 0xb5, 0xda]) }), /The network of the snapshot \(main\) does not match the network of this node \(regtest\)/);
  await assert.rejects(loadSnapshot(bad((b) => void b.set([1, 2, 3, 4], 7)), { networkMagic: MAIN }), /unrecognized network/);
  // coins count one too high: truncated; one too low: left over (dumptxoutset functional test)
  const g4 = bad((b) => void new DataView(b.buffer).setBigUint64(43, 4n, true));
  await assert.rejects(loadSnapshot(g4), /Bad snapshot format or truncated snapshot after deserializing 3 coins/);
  const g2 = bad((b) => void new DataView(b.buffer).setBigUint64(43, 2n, true));
  await assert.rejects(loadSnapshot(g2), /Mismatch in coins count|coins left over after deserializing 2 coins/);
  // a txid claiming more coins than remain
  const over = concatBytes(...[header(1), new Uint8Array(32), Uint8Array.from([0xfd, 0xff, 0xff])]);
  await assert.rejects(loadSnapshot(over), /Mismatch in coins count in snapshot metadata and actual snapshot data/);
  // amount above MAX_MONEY: VARINT of CompressAmount(21e14+1)
  const money = concatBytes(...[header(1), new Uint8Array(32), Uint8Array.from([1, 0, 0, 0xca, 0xd2, 0x8f, 0x5a, 0, ...new Uint8Array(20)])]);
  await assert.rejects(loadSnapshot(money), /Bad snapshot data after deserializing 0 coins - bad tx out value/);
  // height above the base
  const high = concatBytes(...[header(1), new Uint8Array(32), Uint8Array.from([1, 0, 0x84, 0x58, 0, 0, ...new Uint8Array(20)])]);
  await assert.rejects(loadSnapshot(high, { baseHeight: 100 }), /Bad snapshot data after deserializing 0 coins/);
  assert.equal((await loadSnapshot(high, { baseHeight: 1000 })).set.size, 1);
  await assert.rejects(loadSnapshot(good.subarray(0, 40)), /header truncated/);
});

test('any chunking gives the same set: chunks smaller and larger than a coin, long and oversized scripts across boundaries', async () => {
  // groups with scripts of 9000 (kept) and 10001..12000 bytes (over MAX_SCRIPT_SIZE:
  // Core reads them as OP_RETURN and skips the bytes) among ordinary coins
  const groups = [...synthGroups(3000, 17)];
  for (let i = 5; i < groups.length; i += 97) {
    const c = groups[i]!.coins[0]!.coin;
    const len = i % 2 === 0 ? 9000 : 10_001 + (i % 2000);
    c.scriptPubKey = new Uint8Array(len).map((_, j) => (j * 31 + i) & 0xff);
    c.scriptPubKey[0] = 0x51;
  }
  const count = groups.reduce((a, g) => a + g.coins.length, 0);
  const file = concatBytes(...[...encodeSnapshot(groups, count, MAIN, BASE)]);
  const whole = writeSnapshot((await loadSnapshot(file)).set, { networkMagic: MAIN, baseBlockHash: BASE });
  for (const size of [1, 7, 4096, 10_063, 10_064, 10_065, 20_000, 65_521]) {
    const parts: Uint8Array[] = [];
    for (let o = 0; o < file.length; o += size) parts.push(file.subarray(o, o + size));
    const { set } = await loadSnapshot(parts);
    assert.equal(set.size, count, `chunks of ${size}`);
    assert.ok(compareBytes(writeSnapshot(set, { networkMagic: MAIN, baseBlockHash: BASE }), whole) === 0, `chunks of ${size}: same set`);
  }
});
