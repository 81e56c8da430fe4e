/**
 * A plain re-statement of Core's BlockAssembler::addPackageTxs (node/miner.cpp) for the
 * block-assembly tests: mapModifiedTx as a Map scanned linearly, mapTx's ancestor_score
 * order as a sorted copy of the entries (compareAncestorScore), failedTx as a Set,
 * UpdatePackagesForAdded by CalculateDescendants. No ordered index, no flags, no state
 * kept between blocks: what src/mempool/miner.ts optimises must give the same blocks.
 */
import { compareBytes } from '../../src/primitives/bytes.ts';
import { compareAncestorScore } from '../../src/mempool/scores.ts';
import type { Mempool } from '../../src/mempool/mempool.ts';
import type { MempoolEntry } from '../../src/mempool/types.ts';

export interface RefOptions {
  maxWeight: number;
  reservedWeight: number;
  maxSigOpsCost: number;
  reservedSigOps: number;
  minFeeRate: number;
}

export const REF_DEFAULTS: RefOptions = { maxWeight: 4_000_000, reservedWeight: 8_000, maxSigOpsCost: 80_000, reservedSigOps: 400, minFeeRate: 1 };

/** One selected ancestor package: its transactions (unordered) and the totals it was selected with. */
export interface RefPackage { txs: Set<MempoolEntry>; fee: number; size: number }

interface Mod { size: number; fee: number; sig: number }

/** All descendants of e (without e), by walking children. */
function descendants(e: MempoolEntry): Set<MempoolEntry> {
  const out = new Set<MempoolEntry>();
  const st = [...e.children];
  while (st.length) {
    const d = st.pop()!;
    if (out.has(d)) continue;
    out.add(d);
    st.push(...d.children);
  }
  return out;
}

function ancestors(e: MempoolEntry): Set<MempoolEntry> {
  const out = new Set<MempoolEntry>();
  const st = [...e.parents];
  while (st.length) {
    const a = st.pop()!;
    if (out.has(a)) continue;
    out.add(a);
    st.push(...a.parents);
  }
  return out;
}

/** CTxMemPoolModifiedEntry ordering (CompareTxMemPoolEntryByAncestorFee): min(own, package) rate, then txid. */
function modKey(e: MempoolEntry, m: Mod): [number, number] {
  return e.modFee * m.size > m.fee * e.vsize ? [m.fee, m.size] : [e.modFee, e.vsize];
}
function better(a: MempoolEntry, am: Mod, b: MempoolEntry, bm: Mod): boolean {
  const [af, as] = modKey(a, am);
  const [bf, bs] = modKey(b, bm);
  if (af * bs !== as * bf) return af * bs > as * bf;
  return compareBytes(a.tx.txid, b.tx.txid) < 0;
}

/**
 * One block template: the packages in selection order. `inBlock` (transactions of earlier
 * blocks, as if confirmed) is extended with this block's.
 */
export function refAssemble(pool: Mempool, o: Partial<RefOptions>, inBlock: Set<MempoolEntry>): RefPackage[] {
  const opt = { ...REF_DEFAULTS, ...o };
  const mapTx = [...pool.entries()].sort(compareAncestorScore);
  const modified = new Map<MempoolEntry, Mod>();
  const failed = new Set<MempoolEntry>();
  const update = (added: Iterable<MempoolEntry>): void => {
    for (const a of added) {
      for (const d of descendants(a)) {
        if (inBlock.has(d)) continue;
        let m = modified.get(d);
        if (!m) modified.set(d, (m = { size: d.ancSize, fee: d.ancFee, sig: d.ancSigOps }));
        m.size -= a.vsize;
        m.fee -= a.modFee;
        m.sig -= a.sigOpCost;
      }
    }
  };
  // Earlier blocks' transactions are confirmed: their descendants start with the exact remaining totals.
  update(inBlock);
  const out: RefPackage[] = [];
  let weight = opt.reservedWeight;
  let sigops = opt.reservedSigOps;
  let mi = 0;
  let consecutiveFailed = 0;
  while (mi < mapTx.length || modified.size > 0) {
    if (mi < mapTx.length) {
      const c = mapTx[mi]!;
      if (modified.has(c) || inBlock.has(c) || failed.has(c)) {
        mi++;
        continue;
      }
    }
    let best: MempoolEntry | undefined;
    for (const [e, m] of modified) if (!best || better(e, m, best, modified.get(best)!)) best = e;
    let iter: MempoolEntry;
    let usingModified = false;
    if (mi >= mapTx.length) {
      iter = best!;
      usingModified = true;
    } else {
      iter = mapTx[mi]!;
      const own = { size: iter.ancSize, fee: iter.ancFee, sig: iter.ancSigOps };
      if (best && better(best, modified.get(best)!, iter, own)) {
        iter = best;
        usingModified = true;
      } else {
        mi++;
      }
    }
    const m = usingModified ? modified.get(iter)! : { size: iter.ancSize, fee: iter.ancFee, sig: iter.ancSigOps };
    if (m.fee < Math.ceil((opt.minFeeRate * m.size) / 1000)) break;
    if (weight + 4 * m.size >= opt.maxWeight || sigops + m.sig >= opt.maxSigOpsCost) {
      if (usingModified) {
        modified.delete(iter);
        failed.add(iter);
      }
      consecutiveFailed++;
      if (consecutiveFailed > 1000 && weight > opt.maxWeight - opt.reservedWeight) break;
      continue;
    }
    consecutiveFailed = 0;
    const pkg = new Set([...ancestors(iter)].filter((a) => !inBlock.has(a)));
    pkg.add(iter);
    for (const e of pkg) {
      inBlock.add(e);
      modified.delete(e);
      weight += e.weight;
      sigops += e.sigOpCost;
    }
    out.push({ txs: pkg, fee: m.fee, size: m.size });
    update(pkg);
  }
  return out;
}
