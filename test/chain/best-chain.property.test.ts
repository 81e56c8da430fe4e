/**
 * ActivateBestChain over random block trees (fast-check): after every submitted block the
 * tip is the block a whole-tree search picks — among the blocks whose whole branch is
 * valid, the most work, ties to the first received (CBlockIndexWorkComparator) — although
 * FindMostWorkChain looks only at its candidate set (setBlockIndexCandidates); and the
 * "headers" height equals the highest block not marked failed, as a scan of the tree finds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChainState } from '../../src/chain/chainstate.ts';
import { MemoryCoinStore } from '../../src/chain/coin-store.ts';
import { REGTEST } from '../../src/chain/params.ts';
import { hashToHex } from '../../src/primitives/bytes.ts';
import { RegtestChainBuilder } from '../util/regtest-builder.ts';

/** One step: extend branch `branch` (mod the branch count) with a valid or an invalid block, or fork a new branch off it. */
type Step = { op: 'extend' | 'invalid' | 'fork'; branch: number };
const step = fc.record({
  op: fc.constantFrom<Step['op']>('extend', 'extend', 'extend', 'invalid', 'fork'),
  branch: fc.nat(20),
});

interface Known {
  hex: string;
  height: number;
  seq: number;
  /** The block and all its ancestors are valid. */
  valid: boolean;
}

test('the tip is always the most-work fully valid block, first received on ties; headers is the highest block not failed', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
      const chain = new ChainState(REGTEST, new MemoryCoinStore());
      const root = new RegtestChainBuilder();
      const known: Known[] = [];
      let seq = 0;
      let tag = 1;
      const submit = async (b: RegtestChainBuilder, parentValid: boolean, invalid: boolean) => {
        // A unique tag keeps blocks at the same height on different branches distinct.
        const m = b.next({ tag: tag++, ...(invalid ? { coinbaseValue: 50n * 100_000_000n + 1n } : {}) });
        await chain.submitBlock(m.raw);
        known.push({ hex: hashToHex(m.block.header.hash), height: b.height, seq: seq++, valid: parentValid && !invalid });
      };
      await submit(root, true, false);
      const branches = [{ b: root, valid: true }];
      for (const s of steps) {
        const br = branches[s.branch % branches.length]!;
        if (s.op === 'fork') {
          branches.push({ b: br.b.fork(), valid: br.valid });
          continue;
        }
        await submit(br.b, br.valid, s.op === 'invalid');
        br.valid = known.at(-1)!.valid;
        // Expected: the valid block with the most work (regtest: height), the first received on ties.
        let best: Known | undefined;
        for (const k of known) if (k.valid && (!best || k.height > best.height || (k.height === best.height && k.seq < best.seq))) best = k;
        assert.equal(chain.tip.hashHex, best?.hex ?? chain.genesis.hashHex);
        let headers = 0;
        for (const idx of chain.index.values()) if (idx.height > headers && idx.status !== 'failed') headers = idx.height;
        assert.equal(chain.headerHeight, headers);
      }
    }),
    { numRuns: 60 },
  );
});
