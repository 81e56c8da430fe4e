/**
 * ConnectBlock's transaction-level rules (validation.cpp): BIP30, CheckTxInputs, BIP68
 * sequence locks, the sigop cost limit, the coinbase amount and every input script. Changes go
 * to a CoinsCache over the caller's view; the caller applies `batch` only on success.
 * CheckBlock/ContextualCheckBlock are the caller's job (as AcceptBlock does before ConnectBlock).
 */
import type { Block } from '../primitives/block.ts';
import { equalBytes, hashToHex, hexToHash } from '../primitives/bytes.ts';
import { isCoinBase, txidHex, type Transaction, type TxOut } from '../primitives/tx.ts';
import { scriptErrorString } from '../script/script-error.ts';
import type { Coin, CoinView } from '../utxo/coin.ts';
import { CoinsCache, type CoinBatch } from './coins-cache.ts';
import { BIP34_IMPLIES_BIP30_LIMIT, LOCKTIME_VERIFY_SEQUENCE, MAX_BLOCK_SIGOPS_COST, moneyRange } from './constants.ts';
import { deploymentActiveAt, type ConsensusParams } from './params.ts';
import { checkInputsSync, type CheckInputs, type InputsCheckResult } from './script-check.ts';
import { getBlockScriptFlags } from './script-flags.ts';
import { getBlockSubsidy } from './subsidy.ts';
import { checkTxInputs, getTransactionSigOpCost, sequenceLocks } from './tx-verify.ts';

export interface ConnectOptions {
  height: number;
  /** Script flags; default getBlockScriptFlags(params, height, block hash). */
  flags?: number;
  /** MTP of the parent block (BIP68 time locks are not evaluated when undefined). */
  prevMtp?: number;
  /** MTP of the ancestor at a height (BIP68 time locks); undefined answers skip that input's time lock. */
  ancestorMtp?: (height: number) => number | undefined;
  /** Hash (internal order) of this block's ancestor at params.bip34Height, when height > bip34Height. */
  bip34AncestorHash?: Uint8Array;
  /** Script checker; default checkInputsSync. */
  checkInputs?: CheckInputs;
  /** false: skip scripts (assumevalid-style); default true. */
  scriptChecks?: boolean;
}

export type ConnectResult =
  | { ok: true; fees: bigint; sigOpCost: number; inputs: number; undo: Coin[][]; batch: CoinBatch }
  | { ok: false; reason: string; debug?: string; txid?: string; input?: number };

/** IsBIP30Repeat: the two historical blocks whose coinbase duplicates an earlier one. */
export function isBIP30Repeat(p: ConsensusParams, height: number, hash: Uint8Array): boolean {
  return p.bip30Repeat.some((b) => b.height === height && b.hash === hashToHex(hash));
}

/** Whether BIP30 (no overwriting of unspent outputs) is checked for this block, as ConnectBlock decides. */
export function enforceBIP30(p: ConsensusParams, height: number, hash: Uint8Array, bip34AncestorHash?: Uint8Array): boolean {
  let enforce = !isBIP30Repeat(p, height, hash);
  // Once BIP34 activated (on this chain, identified by the block at BIP34Height) duplicate coinbases are impossible.
  if (bip34AncestorHash && height > p.bip34Height && equalBytes(bip34AncestorHash, hexToHash(p.bip34Hash))) enforce = false;
  return enforce || height >= BIP34_IMPLIES_BIP30_LIMIT;
}

export async function connectBlock(block: Block, base: CoinView, p: ConsensusParams, opts: ConnectOptions): Promise<ConnectResult> {
  const height = opts.height;
  const hash = block.header.hash;
  // Special case for the genesis block: its coinbase is not spendable.
  if (hashToHex(hash) === p.genesisHash) return { ok: true, fees: 0n, sigOpCost: 0, inputs: 0, undo: [], batch: { add: [], spend: [] } };

  let touched = 0;
  for (const tx of block.txs) touched += tx.inputs.length + tx.outputs.length;
  const view = new CoinsCache(base, touched);
  if (enforceBIP30(p, height, hash, opts.bip34AncestorHash)) {
    for (const tx of block.txs) {
      for (let o = 0; o < tx.outputs.length; o++) {
        if (view.haveCoin(tx.txid, o)) return { ok: false, reason: 'bad-txns-BIP30', debug: 'tried to overwrite transaction', txid: txidHex(tx) };
      }
    }
  }

  const lockTimeFlags = deploymentActiveAt(p, height, 'csv') ? LOCKTIME_VERIFY_SEQUENCE : 0;
  const flags = opts.flags ?? getBlockScriptFlags(p, height, hash);
  const ancestorMtp = opts.ancestorMtp ?? (() => undefined);
  const scriptChecks = opts.scriptChecks ?? true;
  // Script checks start as each transaction's inputs are known (Core's CCheckQueue: workers
  // verify while this loop goes on); their results are read only after it, so a failure the
  // loop finds later in the block still wins, as in Core.
  const checks = new ScriptChecks(opts.checkInputs ?? checkInputsSync, flags);
  const undo: Coin[][] = [];
  let fees = 0n;
  let sigOpCost = 0;
  let inputs = 0;

  for (let i = 0; i < block.txs.length; i++) {
    const tx = block.txs[i]!;
    inputs += tx.inputs.length;
    const cb = isCoinBase(tx);
    let coins: Coin[] = [];
    if (!cb) {
      const found = tx.inputs.map((inp) => view.getCoin(inp.prevout.txid, inp.prevout.vout));
      const r = checkTxInputs(tx, found, height);
      if (!r.ok) {
        return { ok: false, reason: r.reason, debug: `${r.debug ?? r.reason} in transaction ${txidHex(tx)}`, txid: txidHex(tx) };
      }
      coins = found as Coin[];
      fees += r.fee;
      if (!moneyRange(fees)) return { ok: false, reason: 'bad-txns-accumulated-fee-outofrange', debug: 'accumulated fee in the block out of range', txid: txidHex(tx) };
      // BIP68 lock checks (as opposed to nLockTime checks) must be here because they need the UTXO set.
      const prevHeights = coins.map((c) => c.height);
      if (!sequenceLocks(tx, lockTimeFlags, prevHeights, height, opts.prevMtp, ancestorMtp)) {
        return { ok: false, reason: 'bad-txns-nonfinal', debug: `contains a non-BIP68-final transaction ${txidHex(tx)}`, txid: txidHex(tx) };
      }
    }
    // The coins themselves as the spent outputs (a Coin is a TxOut with more fields).
    const spent: TxOut[] = coins;
    sigOpCost += getTransactionSigOpCost(tx, spent, flags);
    if (sigOpCost > MAX_BLOCK_SIGOPS_COST) return { ok: false, reason: 'bad-blk-sigops', debug: 'too many sigops', txid: txidHex(tx) };
    if (!cb) {
      if (scriptChecks) checks.add(tx, spent);
      for (const inp of tx.inputs) view.spendCoin(inp.prevout.txid, inp.prevout.vout);
      undo.push(coins);
    }
    // UpdateCoins / AddCoins
    for (let o = 0; o < tx.outputs.length; o++) {
      const out = tx.outputs[o]!;
      view.addCoin(tx.txid, o, { value: out.value, scriptPubKey: out.scriptPubKey, height, coinbase: cb });
    }
  }

  const reward = fees + getBlockSubsidy(height, p);
  let cbOut = 0n;
  for (const out of block.txs[0]!.outputs) cbOut += out.value;
  if (cbOut > reward) return { ok: false, reason: 'bad-cb-amount', debug: `coinbase pays too much (actual=${cbOut} vs limit=${reward})` };

  const failure = await checks.firstFailure();
  if (failure) {
    return {
      ok: false,
      reason: `block-script-verify-flag-failed (${scriptErrorString(failure.error)})`,
      debug: `input ${failure.input} of ${txidHex(failure.tx)}`,
      txid: txidHex(failure.tx),
      input: failure.input,
    };
  }
  return { ok: true, fees, sigOpCost, inputs, undo, batch: view.diff() };
}

type Failure = { tx: Transaction; error: Extract<InputsCheckResult, { ok: false }>['error']; input: number };

/**
 * The block's script checks, started one transaction at a time. A synchronous failure stops
 * further checks (nothing after it can change the verdict); asynchronous ones all run. The
 * first failure in block order wins.
 */
class ScriptChecks {
  private readonly pending: { tx: Transaction; r: Promise<InputsCheckResult> | InputsCheckResult }[] = [];
  private stopped = false;

  constructor(private readonly check: CheckInputs, private readonly flags: number) {}

  add(tx: Transaction, spent: TxOut[]): void {
    if (this.stopped) return;
    const r = this.check(tx, spent, this.flags);
    // A check still running when the loop rejects the block is never awaited: keep its
    // failure (e.g. a crashed worker) from surfacing as an unhandled rejection.
    if (r instanceof Promise) r.catch(() => undefined);
    this.pending.push({ tx, r });
    if (!(r instanceof Promise) && !r.ok) this.stopped = true;
  }

  async firstFailure(): Promise<Failure | undefined> {
    const results = await Promise.all(this.pending.map((x) => x.r));
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      if (!r.ok) return { tx: this.pending[i]!.tx, error: r.error, input: r.input };
    }
    return undefined;
  }
}
