/**
 * Mempool notifications and Core's mempool sequence (getrawmempool mempool_sequence):
 * the sequence starts at 1 (CTxMemPool::m_sequence_number) and every addition
 * (MemPoolAccept::Finalize's GetAndIncrementSequence) and every removal
 * (CTxMemPool::removeUnchecked, block inclusion included) takes the current number and
 * advances it; each listener sees every change with the number it took.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { admit } from '../../src/mempool/admit.ts';
import { removeForBlock } from '../../src/mempool/block.ts';
import { MempoolEvents, type MempoolEvent } from '../../src/mempool/events.ts';
import { cand, coinTxid, hex, newPool, tx } from './helpers.ts';

/** A mempool entry to announce. */
function someEntry() {
  const { pool } = newPool();
  const t = tx({ ins: [[coinTxid(), 0]] });
  assert.ok(admit(pool, cand(t, 1000)).ok);
  return pool.get(hex(t))!;
}

const brief = (e: MempoolEvent) => [e.type, e.entry.txid, e.type === 'removed' ? e.reason : '', e.sequence];

describe('mempool events and sequence', () => {
  test('additions, replacements and confirmations each take the next sequence number', () => {
    const { pool } = newPool();
    assert.equal(pool.events.sequence, 1);
    const seen: MempoolEvent[] = [];
    pool.events.on((e) => seen.push(e));
    const coin = coinTxid();
    const a = tx({ ins: [[coin, 0]] });
    const b = tx({ ins: [[coin, 0]], tag: 1 });
    const c = tx({ ins: [[coinTxid(), 0]] });
    assert.ok(admit(pool, cand(a, 1000, 100)).ok);
    assert.ok(admit(pool, cand(b, 5000, 100)).ok); // replaces a
    assert.ok(admit(pool, cand(c, 1000, 100)).ok);
    removeForBlock(pool, [c]);
    assert.deepEqual(seen.map(brief), [
      ['added', hex(a), '', 1],
      ['removed', hex(a), 'replaced', 2],
      ['added', hex(b), '', 3],
      ['added', hex(c), '', 4],
      ['removed', hex(c), 'confirmed', 5],
    ]);
    assert.equal(seen[0]!.entry, seen[1]!.entry);
    assert.equal(pool.events.sequence, 6);
  });

  test('the sequence advances with no listener too; a listener removed hears nothing more', () => {
    const ev = new MempoolEvents();
    const entry = someEntry();
    ev.emitAdded(entry);
    ev.emitRemoved(entry, 'confirmed');
    assert.equal(ev.sequence, 3);
    const got: MempoolEvent[] = [];
    const off = ev.on((e) => got.push(e));
    ev.emitRemoved(entry, 'expired');
    ev.emitAdded(entry);
    assert.deepEqual(got, [
      { type: 'removed', entry, reason: 'expired', sequence: 3 },
      { type: 'added', entry, sequence: 4 },
    ]);
    assert.equal(off(), true);
    ev.emitAdded(entry);
    assert.equal(got.length, 2);
    assert.equal(ev.sequence, 6);
  });

  test('every listener sees every event once', () => {
    const ev = new MempoolEvents();
    const entry = someEntry();
    const one: number[] = [];
    const two: number[] = [];
    ev.on((e) => one.push(e.sequence));
    const offTwo = ev.on((e) => two.push(e.sequence));
    ev.emitAdded(entry);
    offTwo();
    ev.emitRemoved(entry, 'evicted');
    assert.deepEqual([one, two], [[1, 2], [1]]);
  });
});
