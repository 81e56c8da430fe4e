/**
 * Replacement rules (policy/rbf.cpp, Core v28+ with full RBF: every conflicting mempool tx is
 * replaceable). Each function returns Core's debug string on failure.
 */
import { hashToHex } from '../primitives/bytes.ts';
import type { Transaction } from '../primitives/tx.ts';
import { feeAtRate, feeRatePerK, formatFeeRate, formatMoney } from './format.ts';
import type { Mempool } from './mempool.ts';
import { MAX_REPLACEMENT_CANDIDATES, type MempoolEntry } from './types.ts';

/** GetEntriesForConflicts (rule 5): direct conflicts plus descendants, at most 100. */
export function getEntriesForConflicts(
  pool: Mempool, txid: string, direct: Set<MempoolEntry>, all: Set<MempoolEntry>,
): string | undefined {
  let n = 0;
  for (const c of direct) {
    n += c.descCount;
    // Counts shared descendants more than once: conservative, as Core.
    if (n > MAX_REPLACEMENT_CANDIDATES) {
      return `rejecting replacement ${txid}; too many potential replacements (${n} > ${MAX_REPLACEMENT_CANDIDATES})`;
    }
  }
  for (const c of direct) pool.descendantsOf(c, all);
  return undefined;
}

/** HasNoNewUnconfirmed (rule 2): no input may spend an unconfirmed output not already spent by a conflict's parent set. */
export function hasNoNewUnconfirmed(pool: Mempool, tx: Transaction, txid: string, conflicts: Set<MempoolEntry>): string | undefined {
  const parentsOfConflicts = new Set<string>();
  for (const c of conflicts) for (const i of c.tx.inputs) parentsOfConflicts.add(hashToHex(i.prevout.txid));
  for (let j = 0; j < tx.inputs.length; j++) {
    const p = hashToHex(tx.inputs[j]!.prevout.txid);
    if (!parentsOfConflicts.has(p) && pool.has(p)) {
      return `replacement ${txid} adds unconfirmed input, idx ${j}`;
    }
  }
  return undefined;
}

/** EntriesAndTxidsDisjoint: a tx may not spend (descend from) what it replaces. */
export function entriesAndTxidsDisjoint(ancestors: Iterable<MempoolEntry>, direct: Set<string>, txid: string): string | undefined {
  if (direct.size === 0) return undefined;
  for (const a of sortByTxid(ancestors)) {
    if (direct.has(a.txid)) return `${txid} spends conflicting transaction ${a.txid}`;
  }
  return undefined;
}

/** PaysMoreThanConflicts (rule 6): higher fee rate than every direct conflict. */
export function paysMoreThanConflicts(direct: Iterable<MempoolEntry>, replacementRate: number, txid: string): string | undefined {
  for (const c of sortByTxid(direct)) {
    const original = feeRatePerK(c.modFee, c.vsize);
    if (replacementRate <= original) {
      return `rejecting replacement ${txid}; new feerate ${formatFeeRate(replacementRate)} <= old feerate ${formatFeeRate(original)}`;
    }
  }
  return undefined;
}

/** PaysForRBF (rules 3 and 4): at least the replaced fees, plus relay of its own size. */
export function paysForRBF(
  originalFees: number, replacementFees: number, replacementVsize: number, incrementalRate: number, txid: string,
): string | undefined {
  if (replacementFees < originalFees) {
    return `rejecting replacement ${txid}, less fees than conflicting txs; ${formatMoney(replacementFees)} < ${formatMoney(originalFees)}`;
  }
  const additional = replacementFees - originalFees;
  const needed = feeAtRate(incrementalRate, replacementVsize);
  if (additional < needed) {
    return `rejecting replacement ${txid}, not enough additional fees to relay; ${formatMoney(additional)} < ${formatMoney(needed)}`;
  }
  return undefined;
}

/** Core's setEntries iterate in txid (internal byte) order. */
export function sortByTxid(xs: Iterable<MempoolEntry>): MempoolEntry[] {
  const arr = [...xs];
  if (arr.length > 1) arr.sort((a, b) => compareInternal(a.tx.txid, b.tx.txid));
  return arr;
}

function compareInternal(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

// ---- Package RBF feerate diagram (txmempool.cpp CheckConflictTopology / CalculateChunksForRBF, feefrac.cpp CompareChunks) ----

export interface FeeFrac {
  fee: number;
  size: number;
}

/** CheckConflictTopology: package RBF only handles clusters of up to 2 transactions. */
export function checkConflictTopology(direct: Iterable<MempoolEntry>): string | undefined {
  for (const c of sortByTxid(direct)) {
    const hasAncestor = c.ancCount > 1;
    const hasDescendant = c.descCount > 1;
    if (c.ancCount > 2) return `${c.txid} has ${c.ancCount - 1} ancestors, max 1 allowed`;
    if (c.descCount > 2) return `${c.txid} has ${c.descCount - 1} descendants, max 1 allowed`;
    if (hasAncestor && hasDescendant) return `${c.txid} has both ancestor and descendant, exceeding cluster limit of 2`;
    if (hasDescendant) {
      const child = [...c.children][0]!;
      if (child.ancCount > 2) return `${c.txid} is not the only parent of child ${child.txid}`;
    } else if (hasAncestor) {
      const parent = [...c.parents][0]!;
      if (parent.descCount > 2) return `${c.txid} is not the only child of parent ${parent.txid}`;
    }
  }
  return undefined;
}

function higherRate(a: FeeFrac, b: FeeFrac): boolean {
  return a.fee * b.size > b.fee * a.size;
}

const byRateDesc = (a: FeeFrac, b: FeeFrac): number => b.fee * a.size - a.fee * b.size;

/** The old and new chunk lists of the affected clusters (CalculateChunksForRBF). */
function chunksForRBF(
  direct: Set<MempoolEntry>, all: Set<MempoolEntry>, replacementFees: number, replacementVsize: number,
): { old: FeeFrac[]; new: FeeFrac[] } {
  const old: FeeFrac[] = [];
  for (const e of all) {
    if (e.descCount > 1) continue;
    const individual = { fee: e.modFee, size: e.vsize };
    if (e.ancCount > 1) {
      const pkg = { fee: e.ancFee, size: e.ancSize };
      if (higherRate(individual, pkg)) old.push(pkg);
      else old.push({ fee: pkg.fee - individual.fee, size: pkg.size - individual.size }, individual);
    } else {
      old.push(individual);
    }
  }
  old.sort(byRateDesc);
  const neu: FeeFrac[] = [];
  for (const d of direct) {
    const parent = [...d.parents][0];
    if (parent && !all.has(parent)) neu.push({ fee: parent.modFee, size: parent.vsize });
  }
  neu.push({ fee: replacementFees, size: replacementVsize });
  neu.sort(byRateDesc);
  return { old, new: neu };
}

/** CompareChunks: -1, 0, 1, or NaN when the diagrams cross (incomparable). */
function compareDiagrams(a: FeeFrac[], b: FeeFrac[]): number {
  const pts = (cs: FeeFrac[]): [number, number][] => {
    const out: [number, number][] = [[0, 0]];
    let s = 0, f = 0;
    for (const c of cs) out.push([(s += c.size), (f += c.fee)]);
    return out;
  };
  const pa = pts(a);
  const pb = pts(b);
  const evalAt = (p: [number, number][], x: number): number => {
    for (let i = 1; i < p.length; i++) {
      const [x1, y1] = p[i]!;
      if (x <= x1) {
        const [x0, y0] = p[i - 1]!;
        return x1 === x0 ? y1 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
      }
    }
    return p[p.length - 1]![1]; // extended horizontally
  };
  let better = false, worse = false;
  for (const x of new Set([...pa.map((p) => p[0]), ...pb.map((p) => p[0])])) {
    const d = evalAt(pa, x) - evalAt(pb, x);
    if (d > 1e-9) better = true;
    else if (d < -1e-9) worse = true;
  }
  if (better && worse) return NaN;
  return better ? 1 : worse ? -1 : 0;
}

/** ImprovesFeerateDiagram: the replacement must strictly improve the diagram. */
export function improvesFeerateDiagram(
  direct: Set<MempoolEntry>, all: Set<MempoolEntry>, fees: number, vsize: number,
): string | undefined {
  const err = checkConflictTopology(direct);
  if (err) return err;
  const { old, new: neu } = chunksForRBF(direct, all, fees, vsize);
  if (!(compareDiagrams(neu, old) > 0)) return 'insufficient feerate: does not improve feerate diagram';
  return undefined;
}
