/**
 * TRUC (v3) topology rules, BIP431 as Core v28+ implements them (policy/truc_policy.cpp).
 */
import { hashToHex } from '../primitives/bytes.ts';
import type { Transaction } from '../primitives/tx.ts';
import { TRUC_MAX_VSIZE, TRUC_VERSION } from '../policy/constants.ts';
import { sortByTxid } from './rbf.ts';
import { TRUC_ANCESTOR_LIMIT, TRUC_CHILD_MAX_VSIZE, TRUC_DESCENDANT_LIMIT, type MempoolEntry } from './types.ts';

const ids = (tx: Transaction): string => `${hashToHex(tx.txid)} (wtxid=${hashToHex(tx.wtxid)})`;
const eids = (e: MempoolEntry): string => `${e.txid} (wtxid=${e.wtxid})`;

/** The TRUC child size rule (TRUC_CHILD_MAX_VSIZE), shared by the single and package checks. */
function childTooBig(tx: Transaction, vsize: number): string | undefined {
  if (vsize > TRUC_CHILD_MAX_VSIZE) {
    return `version=3 child tx ${ids(tx)} is too big: ${vsize} > ${TRUC_CHILD_MAX_VSIZE} virtual bytes`;
  }
  return undefined;
}

export interface TrucError {
  error: string;
  /** A sibling whose eviction may be considered under RBF rules. */
  sibling?: MempoolEntry;
}

/** SingleTRUCChecks: one transaction against its in-mempool ancestors. */
export function singleTrucChecks(
  tx: Transaction, ancestors: Set<MempoolEntry>, directConflicts: Set<string>, vsize: number,
): TrucError | undefined {
  if (tx.version !== TRUC_VERSION) {
    // The common case: no TRUC ancestor, nothing to report (and nothing to sort).
    let truc = false;
    for (const a of ancestors) {
      if (a.tx.version === TRUC_VERSION) {
        truc = true;
        break;
      }
    }
    if (!truc) return undefined;
  }
  const sorted = sortByTxid(ancestors);
  for (const a of sorted) {
    if (tx.version !== TRUC_VERSION && a.tx.version === TRUC_VERSION) {
      return { error: `non-version=3 tx ${ids(tx)} cannot spend from version=3 tx ${eids(a)}` };
    } else if (tx.version === TRUC_VERSION && a.tx.version !== TRUC_VERSION) {
      return { error: `version=3 tx ${ids(tx)} cannot spend from non-version=3 tx ${eids(a)}` };
    }
  }
  if (tx.version !== TRUC_VERSION) return undefined;
  if (vsize > TRUC_MAX_VSIZE) {
    return { error: `version=3 tx ${ids(tx)} is too big: ${vsize} > ${TRUC_MAX_VSIZE} virtual bytes` };
  }
  if (ancestors.size + 1 > TRUC_ANCESTOR_LIMIT) return { error: `tx ${ids(tx)} would have too many ancestors` };
  if (ancestors.size > 0) {
    const tooBig = childTooBig(tx, vsize);
    if (tooBig) return { error: tooBig };
    const parent = sorted[0]!;
    const children = sortByTxid(parent.children);
    // A child that is about to be replaced does not count.
    const childWillBeReplaced = children.some((c) => directConflicts.has(c.txid));
    if (parent.descCount + 1 > TRUC_DESCENDANT_LIMIT && !childWillBeReplaced) {
      // Sibling eviction: only when the parent has exactly one child, itself without other ancestors.
      const consider = parent.descCount === 2 && children[0]!.ancCount === 2;
      return { error: `tx ${eids(parent)} would exceed descendant count limit`, sibling: consider ? children[0] : undefined };
    }
  }
  return undefined;
}

/** PackageTRUCChecks: a package transaction against mempool ancestors and package parents. */
export function packageTrucChecks(
  tx: Transaction, vsize: number, pkg: readonly Transaction[], ancestors: Set<MempoolEntry>,
): string | undefined {
  const parentTxids = new Set(tx.inputs.map((i) => hashToHex(i.prevout.txid)));
  const inPackageParents: Transaction[] = [];
  for (const p of pkg) {
    if (p === tx) break;
    if (parentTxids.has(hashToHex(p.txid))) inPackageParents.push(p);
  }
  const sorted = sortByTxid(ancestors);
  if (tx.version === TRUC_VERSION) {
    if (vsize > TRUC_MAX_VSIZE) return `version=3 tx ${ids(tx)} is too big: ${vsize} > ${TRUC_MAX_VSIZE} virtual bytes`;
    if (ancestors.size + inPackageParents.length + 1 > TRUC_ANCESTOR_LIMIT) return `tx ${ids(tx)} would have too many ancestors`;
    if (ancestors.size + inPackageParents.length > 0) {
      const tooBig = childTooBig(tx, vsize);
      if (tooBig) return tooBig;
      const mp = sorted[0];
      const parent = mp
        ? { txid: mp.txid, wtxid: mp.wtxid, version: mp.tx.version, hasMempoolDescendant: mp.descCount > 1 }
        : { txid: hashToHex(inPackageParents[0]!.txid), wtxid: hashToHex(inPackageParents[0]!.wtxid), version: inPackageParents[0]!.version, hasMempoolDescendant: false };
      if (parent.version !== TRUC_VERSION) {
        return `version=3 tx ${ids(tx)} cannot spend from non-version=3 tx ${parent.txid} (wtxid=${parent.wtxid})`;
      }
      const myTxid = hashToHex(tx.txid);
      for (const other of pkg) {
        if (other === tx) continue;
        for (const i of other.inputs) {
          const prev = hashToHex(i.prevout.txid);
          if (prev === parent.txid) return `tx ${parent.txid} (wtxid=${parent.wtxid}) would exceed descendant count limit`;
          if (prev === myTxid) return `tx ${ids(other)} would have too many ancestors`;
        }
      }
      if (parent.hasMempoolDescendant) return `tx ${parent.txid} (wtxid=${parent.wtxid}) would exceed descendant count limit`;
    }
  } else {
    for (const a of sorted) {
      if (a.tx.version === TRUC_VERSION) return `non-version=3 tx ${ids(tx)} cannot spend from version=3 tx ${eids(a)}`;
    }
    for (const p of inPackageParents) {
      if (p.version === TRUC_VERSION) return `non-version=3 tx ${ids(tx)} cannot spend from version=3 tx ${ids(p)}`;
    }
  }
  return undefined;
}
