/**
 * The node behind the P2P manager, and the app's deps with P2P: the sync state (/info,
 * /health, /ready, /metrics), the connected peers in /info, and every transaction the API
 * accepts (POST /tx, sendrawtransaction, Esplora POST /api/tx, submitpackage) announced to
 * the peers, with how many were told (`relayed`); sendrawtransaction of a transaction already
 * in the mempool announces it again; getnetworkinfo counts the peers. POST
 * /validate admits nothing and relays nothing.
 */
import type { AppDeps, MempoolDeps, PackageOutcome, SubmitTxOutcome } from '../api/deps.ts';
import type { P2PManager } from '../p2p/manager.ts';
import type { P2PNode } from '../p2p/node-deps.ts';
import type { Transaction } from '../primitives/tx.ts';
import { hashToHex } from '../primitives/bytes.ts';
import type { TxgateNode } from './node.ts';

/** What the P2P manager needs of a TxgateNode (its orphan pool included). */
export function p2pNode(node: TxgateNode): P2PNode {
  return {
    // Read at every use: loading a UTXO snapshot replaces the node's chain state.
    get chain() {
      return node.chain;
    },
    get mempool() {
      return node.mempool;
    },
    submitBlock: (block) => node.submitBlock(block),
    // maxfeerate is a check of the RPC and REST submissions, not of relay (as Core).
    submitTx: (tx) => node.submitTx(tx, { maxFeeRate: 0 }),
    hasOrphan: (wtxid) => node.mempoolService.orphans.has(wtxid),
    attachSnapshotHeaders: (headers) => node.attachSnapshotHeaders(headers),
  };
}

type Deps = AppDeps & MempoolDeps;

/** `deps` seen through a proxy that adds the sync state and announces what the API accepts. */
export function withP2P<D extends Deps>(deps: D, p2p: P2PManager): D {
  const submitTx = async (tx: Transaction, opts?: { maxFeeRate?: number }): Promise<SubmitTxOutcome> => {
    const out = await deps.submitTx(tx, opts);
    if (out.busy || !out.allowed) return out;
    return { ...out, relayed: p2p.announceOwn([tx]) };
  };
  const submitPackage = async (txs: Transaction[]): Promise<PackageOutcome> => {
    const out = await deps.submitPackage(txs);
    if (out.busy) return out;
    // In the package's order (parents before the child), those now in the mempool.
    const inPool = txs.filter((tx) => {
      const r = out.result.results.get(hashToHex(tx.wtxid));
      return r && (r.status === 'accepted' || r.status === 'already-in-mempool');
    });
    return inPool.length ? { ...out, relayed: p2p.announceOwn(inPool) } : out;
  };
  const info = () => ({ ...deps.info(), peers: p2p.peerInfo() });
  const sync = () => p2p.status();
  const peerCount = () => p2p.status().peers;
  const relayExisting = (txid: string): number => {
    const e = deps.mempool.get(txid);
    return e ? p2p.announce([e.tx]) : 0;
  };
  return new Proxy(deps, {
    get(target, prop) {
      if (prop === 'submitTx') return submitTx;
      if (prop === 'submitPackage') return submitPackage;
      if (prop === 'info') return info;
      if (prop === 'sync') return sync;
      if (prop === 'peerCount') return peerCount;
      if (prop === 'relayExisting') return relayExisting;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
