/**
 * The mempool's memory estimate (CTxMemPool::DynamicMemoryUsage, memusage.h on 64-bit),
 * pinned against Core's formula worked out by hand. MallocUsage(n) = ((n + 31) >> 4) << 4,
 * 0 for n = 0. Per entry: MallocUsage(sizeof(CTxMemPoolEntry) 264 + 15 index pointers × 8)
 * + RecursiveDynamicUsage(tx) + one mapNextTx node (MallocUsage(32 + 48)) per input + one
 * txns_randomized slot (40); per parent/child link one std::set node (MallocUsage(32 + 8))
 * on each side.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeTx, type Transaction } from '../../src/primitives/tx.ts';
import { admit } from '../../src/mempool/admit.ts';
import { removeForBlock } from '../../src/mempool/block.ts';
import { entryUsage, LINK_USAGE } from '../../src/mempool/memusage.ts';
import { cand, coinTxid, hex, newPool, tx } from './helpers.ts';

const bytes = (n: number): Uint8Array => new Uint8Array(n).fill(0x51);

function build(scriptSigs: number[], witnesses: number[][], scriptPubKeys: number[]): Transaction {
  return makeTx({
    version: 2, locktime: 0,
    inputs: scriptSigs.map((len, i) => ({
      prevout: { txid: coinTxid(), vout: 0 }, scriptSig: bytes(len), sequence: 0xfffffffd,
      witness: (witnesses[i] ?? []).map(bytes),
    })),
    outputs: scriptPubKeys.map((len) => ({ value: 1000n, scriptPubKey: bytes(len) })),
  });
}

test('one input, one P2WPKH output, no witness: 904 bytes', () => {
  // entry MallocUsage(384) 400; CTransaction MallocUsage(128) 144 + shared_ptr control
  // block MallocUsage(16) 32; vin MallocUsage(104) 128; vout MallocUsage(40) 64; empty
  // scriptSig, empty witness stack (MallocUsage(0) = 0) and a 22-byte scriptPubKey (inline
  // in the 28-byte prevector) 0; mapNextTx node MallocUsage(80) 96; txns_randomized 40.
  assert.equal(entryUsage(build([0], [[]], [22])), 400 + 144 + 32 + 128 + 64 + 96 + 40);
  assert.equal(entryUsage(build([0], [[]], [22])), 904);
});

test('scripts longer than the 28-byte prevector buffer and witness items count; at 28 they do not', () => {
  // Two inputs: scriptSig 28 (inline, 0) with witness [71, 33], scriptSig 29 (MallocUsage(29)
  // 48) with no witness; three outputs with scriptPubKeys of 28 (0), 29 (48) and 0 (0) bytes.
  //   entry 400 + tx 144 + 32 + vin MallocUsage(208) 224 + vout MallocUsage(120) 144
  //   + witness vector MallocUsage(2 × 24) 64 + items MallocUsage(71) 96 + MallocUsage(33) 64
  //   + scriptSig 48 + scriptPubKey 48 + 2 mapNextTx nodes 192 + 40 = 1496
  assert.equal(entryUsage(build([28, 29], [[71, 33], []], [28, 29, 0])), 1496);
  // The prevector limit exactly: 28 bytes inline, 29 allocated (MallocUsage(29) = 48).
  const base = entryUsage(build([0], [[]], [22]));
  assert.equal(entryUsage(build([28], [[]], [22])), base);
  assert.equal(entryUsage(build([29], [[]], [22])), base + 48);
  assert.equal(entryUsage(build([0], [[]], [28])), base);
  assert.equal(entryUsage(build([0], [[]], [29])), base + 48);
  // MallocUsage rounds n + 16 up to a multiple of 16: 29..32 bytes cost 48, 33 costs 64.
  assert.equal(entryUsage(build([32], [[]], [22])), base + 48);
  assert.equal(entryUsage(build([33], [[]], [22])), base + 64);
  // One empty witness item: the stack vector MallocUsage(24) 48, the item MallocUsage(0) 0.
  assert.equal(entryUsage(build([0], [[0]], [22])), base + 48);
});

test('a second input costs its CTxIn, its mapNextTx node and the vin vector growth', () => {
  // vin MallocUsage(208) 224 instead of 128, one more mapNextTx node 96.
  assert.equal(entryUsage(build([0, 0], [[], []], [22])), 904 + 96 + 96);
  // A second output: vout MallocUsage(80) 96 instead of 64.
  assert.equal(entryUsage(build([0], [[]], [22, 22])), 904 + 32);
});

test('DynamicMemoryUsage: the entries plus two set nodes (64 bytes each) per parent/child link', () => {
  assert.equal(LINK_USAGE, 64);
  const { pool } = newPool();
  const p = tx({ ins: [[coinTxid(), 0]], outs: 2 });
  const c1 = tx({ ins: [[p, 0]] });
  const c2 = tx({ ins: [[p, 1]] });
  assert.ok(admit(pool, cand(p, 1000)).ok);
  assert.equal(pool.memoryUsage, entryUsage(p));
  assert.ok(admit(pool, cand(c1, 1000)).ok);
  assert.ok(admit(pool, cand(c2, 1000)).ok);
  assert.equal(pool.memoryUsage, entryUsage(p) + entryUsage(c1) + entryUsage(c2) + 2 * 2 * 64);
  // The parent confirms: its entry and both links go.
  removeForBlock(pool, [p]);
  assert.equal(pool.size, 2);
  assert.ok(pool.has(hex(c1)));
  assert.equal(pool.memoryUsage, entryUsage(c1) + entryUsage(c2));
});
