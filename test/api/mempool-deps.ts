/**
 * A small MempoolDeps for the interface tests: a real Mempool, a map of confirmed coins,
 * Core's context-free CheckTransaction, input lookup through the mempool coin view, fee =
 * inputs − outputs, and admission through src/mempool (admit.ts, package.ts). Scripts are
 * not run (the mempool core takes validated candidates); signatures do not matter here.
 */
import { admit, prepare } from '../../src/mempool/admit.ts';
import { removeForBlock } from '../../src/mempool/block.ts';
import { MempoolCoinView, SpendableCoinView } from '../../src/mempool/coin-view.ts';
import { feeRatePerK } from '../../src/mempool/format.ts';
import { acceptPackage, isWellFormedPackage, type PackageHooks } from '../../src/mempool/package.ts';
import { Mempool } from '../../src/mempool/mempool.ts';
import type { AdmissionCandidate, MempoolOptions, MempoolReject } from '../../src/mempool/types.ts';
import { checkTransaction } from '../../src/consensus/tx-check.ts';
import { feeForVsize } from '../../src/policy/feerate.ts';
import { policyOptions, type PolicyOptions } from '../../src/policy/constants.ts';
import { hashToHex } from '../../src/primitives/bytes.ts';
import { makeTx, type Transaction } from '../../src/primitives/tx.ts';
import { MEMPOOL_HEIGHT, type Coin, type CoinView } from '../../src/utxo/coin.ts';
import type {
  ChainInfo, MempoolDeps, PackageOutcome, SubmitTxOutcome, TestAcceptItem, TestAcceptOutcome,
} from '../../src/api/deps.ts';

export const BEST = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';
/** P2WPKH to a fixed key hash. */
export const SPK = Uint8Array.of(0x00, 0x14, ...new Array(20).fill(7));

let counter = 0;
/** A fresh txid (internal order) for confirmed outputs. */
export function freshTxid(): Uint8Array {
  const b = new Uint8Array(32);
  const n = ++counter;
  b[0] = 0xc1;
  b[31] = n & 255;
  b[30] = (n >>> 8) & 255;
  return b;
}

export interface Outpoint {
  txid: Uint8Array;
  vout: number;
}

/** A transaction spending `ins`, paying `values` to SPK (padding in the scriptSig varies the txid). */
export function spend(ins: Outpoint[], values: bigint[], o: { sequence?: number; tag?: number; version?: number } = {}): Transaction {
  return makeTx({
    version: o.version ?? 2, locktime: 0,
    inputs: ins.map((i) => ({ prevout: { txid: i.txid, vout: i.vout }, scriptSig: Uint8Array.of(1, o.tag ?? 0), sequence: o.sequence ?? 0xfffffffd, witness: [] })),
    outputs: values.map((value) => ({ value, scriptPubKey: SPK })),
  });
}

/** A rejected verdict's fixed fields. */
function no(tx: Transaction) {
  return { busy: false as const, allowed: false as const, txid: hashToHex(tx.txid), wtxid: hashToHex(tx.wtxid), vsize: tx.vsize, weight: tx.weight, fee: null, feerate: null };
}

export class TestMempoolNode implements MempoolDeps {
  readonly mempool: Mempool;
  readonly coins = new Map<string, Coin>();
  height = 200;
  /** The next submissions answer busy. */
  busy = false;
  readonly datadir?: string;
  readonly chain: CoinView = { getCoin: (txid, vout) => this.coins.get(hashToHex(txid) + ':' + vout) };

  readonly policy: PolicyOptions;

  constructor(opts: Partial<MempoolOptions> = {}, policy: Partial<PolicyOptions> = {}) {
    this.policy = policyOptions(policy);
    this.mempool = new Mempool(opts);
    this.mempool.tipHeight = this.height;
  }

  /** A confirmed coin of `value` sats at height `height`. */
  fund(value: bigint, height = 100, coinbase = false): Outpoint {
    const txid = freshTxid();
    this.coins.set(hashToHex(txid) + ':0', { value, scriptPubKey: SPK, height, coinbase });
    return { txid, vout: 0 };
  }

  /** Mines a block with these transactions: outputs become coins, the mempool updates ('confirmed', 'conflict'). */
  mine(txs: Transaction[]): void {
    this.height++;
    for (const tx of txs) {
      for (const i of tx.inputs) this.coins.delete(hashToHex(i.prevout.txid) + ':' + i.prevout.vout);
      tx.outputs.forEach((o, n) => this.coins.set(hashToHex(tx.txid) + ':' + n, { value: o.value, scriptPubKey: o.scriptPubKey, height: this.height, coinbase: false }));
    }
    this.mempool.tipHeight = this.height;
    removeForBlock(this.mempool, txs, this.height);
  }

  /** PreChecks minus the mempool parts: CheckTransaction, inputs, fee. */
  preCheck(tx: Transaction, view: CoinView): AdmissionCandidate | MempoolReject {
    const ct = checkTransaction(tx);
    if (!ct.ok) return { ok: false, reason: ct.reason, kind: 'consensus' };
    let inValue = 0n;
    for (const i of tx.inputs) {
      const c = view.getCoin(i.prevout.txid, i.prevout.vout);
      if (!c) return { ok: false, reason: 'bad-txns-inputs-missingorspent', kind: 'missing-inputs' };
      inValue += c.value;
    }
    const out = tx.outputs.reduce((s, o) => s + o.value, 0n);
    if (inValue < out) return { ok: false, reason: 'bad-txns-in-belowout', details: `value in (${inValue}) < value out (${out})`, kind: 'consensus' };
    return { tx, fee: inValue - out, vsize: tx.vsize, weight: tx.weight, sigOpCost: 0 };
  }

  async submitTx(tx: Transaction, opts: { maxFeeRate?: number } = {}): Promise<SubmitTxOutcome> {
    if (this.busy) return { busy: true, retryAfter: 2 };
    const txid = hashToHex(tx.txid);
    const wtxid = hashToHex(tx.wtxid);
    const inPool = this.mempool.getByWtxid(wtxid);
    if (inPool) return { busy: false, allowed: true, txid, wtxid, fee: BigInt(inPool.fee), vsize: inPool.vsize, weight: tx.weight, feerate: inPool.fee / inPool.vsize, alreadyInMempool: true };
    const c = this.preCheck(tx, new MempoolCoinView(this.mempool, this.chain));
    if ('ok' in c) {
      return { ...no(tx), reason: c.reason, ...(c.details ? { details: c.details } : {}), kind: c.kind };
    }
    const max = opts.maxFeeRate ?? 0;
    if (max > 0 && c.fee > feeForVsize(max, c.vsize)) return { ...no(tx), reason: 'max-fee-exceeded', kind: 'fee' };
    const r = admit(this.mempool, c);
    if (!r.ok) return { ...no(tx), reason: r.reason, ...(r.details ? { details: r.details } : {}), kind: r.kind };
    return { busy: false, allowed: true, txid, wtxid, fee: c.fee, vsize: c.vsize, weight: tx.weight, feerate: Number(c.fee) / c.vsize, replaced: r.replaced.map((e) => e.txid) };
  }

  async testAccept(txs: Transaction[]): Promise<TestAcceptOutcome> {
    if (this.busy) return { busy: true, retryAfter: 2 };
    const ids = txs.map((t) => ({ txid: hashToHex(t.txid), wtxid: hashToHex(t.wtxid) }));
    if (txs.length > 1) {
      const wf = isWellFormedPackage(txs);
      if (!wf.ok) return { busy: false, results: ids.map((i) => ({ ...i, packageError: wf.reason })) };
    }
    const view = new MempoolCoinView(this.mempool, this.chain);
    const results: TestAcceptItem[] = [];
    for (const [k, tx] of txs.entries()) {
      const c = this.preCheck(tx, view);
      const p = 'ok' in c ? c : prepare(this.mempool, c);
      if (!p.ok) {
        results.push({ ...ids[k]!, allowed: false, reason: p.reason, ...(p.details ? { details: p.details } : {}) });
        // The rest of a package is left unvalidated.
        for (const rest of ids.slice(k + 1)) results.push({ ...rest });
        break;
      }
      const cand = c as AdmissionCandidate;
      view.addPackageTx(tx);
      results.push({
        ...ids[k]!, allowed: true, vsize: cand.vsize, fee: cand.fee, effectiveFeeRate: feeRatePerK(Number(cand.fee), cand.vsize),
        effectiveIncludes: [ids[k]!.wtxid],
      });
    }
    return { busy: false, results };
  }

  async submitPackage(txs: Transaction[], opts: { maxFeeRate?: number } = {}): Promise<PackageOutcome> {
    if (this.busy) return { busy: true, retryAfter: 2 };
    const max = opts.maxFeeRate ?? 0;
    const hooks: PackageHooks = {
      chain: this.chain,
      preCheck: async (tx, view) => {
        const c = this.preCheck(tx, view);
        if (!('ok' in c) && max > 0 && c.fee > feeForVsize(max, c.vsize)) return { ok: false, reason: 'max feerate exceeded', kind: 'fee' };
        return c;
      },
      checkScripts: async () => undefined,
    };
    return { busy: false, result: await acceptPackage(this.mempool, txs, hooks) };
  }

  getTxOut(txid: Uint8Array, vout: number, includeMempool: boolean): { coin: Coin; confirmations: number; bestblock: string } | undefined {
    const view = includeMempool ? new SpendableCoinView(this.mempool, this.chain) : this.chain;
    const coin = view.getCoin(txid, vout);
    if (!coin) return undefined;
    return { coin, confirmations: coin.height === MEMPOOL_HEIGHT ? 0 : this.height - coin.height + 1, bestblock: BEST };
  }

  chainInfo(): ChainInfo {
    return {
      chain: 'regtest', blocks: this.height, headers: this.height, bestblockhash: BEST, bits: '207fffff', time: 1_700_000_000,
      mediantime: 1_699_999_000, chainwork: (this.height * 2 + 2).toString(16).padStart(64, '0'), difficulty: 4.656542373906925e-10, pruned: false,
    };
  }
}

import { createApp } from '../../src/api/app.ts';
import { statelessDeps } from '../../src/api/stateless.ts';
import { mountMempool, type MempoolMount, type MempoolMountOptions } from '../../src/api/mempool-routes.ts';
import type { Hono } from 'hono';

export const RPC_USER = 'alice';
export const RPC_PASS = 's3cret';
export const AUTH = 'Basic ' + btoa(`${RPC_USER}:${RPC_PASS}`);

/** The app over stateless deps (prevouts in the request) with the mempool routes of `node` mounted. */
export function mempoolApp(node: TestMempoolNode, opts: MempoolMountOptions = {}, before?: (app: Hono) => void): { app: Hono; mount: MempoolMount } {
  const app = createApp(statelessDeps());
  before?.(app);
  const mount = mountMempool(app, node, { rpcUser: RPC_USER, rpcPassword: RPC_PASS, authFailureDelayMs: 5, ...opts });
  return { app, mount };
}

/** POST a JSON-RPC body with auth; the status and parsed body (raw text kept). */
export async function rpcCall(app: Hono, body: unknown, auth: string | null = AUTH, path = '/'): Promise<{ status: number; text: string; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth !== null) headers.authorization = auth;
  const res = await app.request(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, text, body: parsed };
}

/** One legacy (1.0) call: its result or error. */
export async function call(app: Hono, method: string, params: unknown = []): Promise<{ status: number; result: any; error: { code: number; message: string } | null; text: string }> {
  const r = await rpcCall(app, { id: 1, method, params });
  return { status: r.status, result: r.body?.result, error: r.body?.error ?? null, text: r.text };
}

/** Reads SSE text until `pred` matches or the timeout passes. */
export async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, pred: (s: string) => boolean, ms = 3000): Promise<string> {
  const dec = new TextDecoder();
  let text = '';
  const deadline = Date.now() + ms;
  while (!pred(text)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out; got: ${JSON.stringify(text)}`);
    const r = await Promise.race([reader.read(), new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), left))]);
    if (r === 'timeout') continue;
    if (r.done) break;
    text += dec.decode(r.value, { stream: true });
  }
  return text;
}
