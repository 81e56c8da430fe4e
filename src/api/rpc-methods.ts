/**
 * The RPC methods over MempoolDeps, with Core's parameters, result fields and errors:
 * rpc/mempool.cpp (sendrawtransaction, testmempoolaccept, submitpackage, getrawmempool,
 * getmempoolinfo, getmempoolentry, getmempoolancestors, getmempooldescendants),
 * rpc/blockchain.cpp (gettxout, getblockcount, getbestblockhash, getblockchaininfo),
 * node/transaction.cpp BroadcastTransaction and rpc/util.cpp JSONRPCTransactionError.
 */
import { bitsToTarget } from '../primitives/block.ts';
import { compareBytes, hashToHex, hexToHash } from '../primitives/bytes.ts';
import type { Transaction } from '../primitives/tx.ts';
import { DEFAULT_MAX_RAW_TX_FEE_RATE } from '../policy/constants.ts';
import { feeForVsize } from '../policy/feerate.ts';
import { OP } from '../script/opcodes.ts';
import { isUnspendable, MAX_SCRIPT_ELEMENT_SIZE, readOp } from '../script/script.ts';
import { isChildWithParentsTree } from '../mempool/package.ts';
import type { MempoolDeps, SubmitTxOutcome, TestAcceptItem } from './deps.ts';
import { shownDetails } from './http-error.ts';
import { RPC, RpcBusy, RpcError, type RpcMethod } from './rpc.ts';
import { amount, amountFromValue } from './rpc-json.ts';
import { byInternal, entriesJson, entryJsonBytes, sortedForDump } from './rpc-mempool-json.ts';
import { scriptPubKeyJson } from './rpc-script.ts';
import { mempoolViews, type MempoolViews } from './mempool-views.ts';
import { nodeRpcMethods } from './rpc-node-methods.ts';
import { snapshotRpcMethods } from './rpc-snapshot.ts';
import { decodeHexTx, getStr, parseHash } from './rpc-args.ts';
import { TXGATE_VERSION } from './openapi/mount.ts';

const COIN = 100_000_000n;
const MAX_PACKAGE_COUNT = 25;
/** TX_DECODE_ERROR_HINT (core_io.h). */
const DECODE_HINT = 'Make sure the tx has at least one input.';

/** Display hex → the key Core's uint256 ordering (memcmp of the internal bytes) sorts by. */
function internalOrder(a: string, b: string): number {
  return compareBytes(hexToHash(a), hexToHash(b));
}

/** ParseFeeRate (rpc/util.cpp): BTC/kvB → sat/kvB; default DEFAULT_MAX_RAW_TX_FEE_RATE. */
function parseFeeRate(v: unknown): number {
  if (v === null || v === undefined) return DEFAULT_MAX_RAW_TX_FEE_RATE;
  const a = amountFromValue(v);
  if (!a.ok) throw new RpcError(RPC.TYPE_ERROR, a.message);
  if (a.sats >= COIN) throw new RpcError(RPC.INVALID_PARAMETER, 'Fee rates larger than or equal to 1BTC/kvB are not accepted');
  return Number(a.sats);
}

function parseBurnAmount(v: unknown): bigint {
  if (v === null || v === undefined) return 0n;
  const a = amountFromValue(v);
  if (!a.ok) throw new RpcError(RPC.TYPE_ERROR, a.message);
  return a.sats;
}

/** CScript::HasValidOps. */
function hasValidOps(s: Uint8Array): boolean {
  let pc = 0;
  while (pc < s.length) {
    const op = readOp(s, pc);
    if (!op || op.opcode > OP.OP_NOP10 || (op.data && op.data.length > MAX_SCRIPT_ELEMENT_SIZE)) return false;
    pc = op.end;
  }
  return true;
}

/** The maxburnamount check of sendrawtransaction / submitpackage (TransactionError::MAX_BURN_EXCEEDED). */
function checkBurn(tx: Transaction, maxBurn: bigint): void {
  for (const o of tx.outputs) {
    if ((isUnspendable(o.scriptPubKey) || !hasValidOps(o.scriptPubKey)) && o.value > maxBurn) {
      throw new RpcError(RPC.VERIFY_ERROR, 'Unspendable output exceeds maximum configured by user (maxburnamount)');
    }
  }
}

function checkCount(v: unknown): unknown[] {
  const raw = v as unknown[];
  if (raw.length < 1 || raw.length > MAX_PACKAGE_COUNT) {
    throw new RpcError(RPC.INVALID_PARAMETER, `Array must contain between 1 and ${MAX_PACKAGE_COUNT} transactions.`);
  }
  return raw;
}

function decodeRawTxs(raw: unknown[]): Transaction[] {
  return raw.map((x, i) => {
    const tx = decodeHexTx(getStr(x));
    if (!tx) throw new RpcError(RPC.DESERIALIZATION_ERROR, `TX decode failed for tx ${i}. ${DECODE_HINT}`);
    return tx;
  });
}

/** TxValidationState::ToString(): "reason, debug" or "reason". */
function stateString(reason: string, details?: string): string {
  return details ? `${reason}, ${details}` : reason;
}

const MISSING_INPUTS = 'bad-txns-inputs-missingorspent';

/** BroadcastTransaction's outcome as JSONRPCTransactionError. */
function submitError(o: Exclude<SubmitTxOutcome, { busy: true }>): RpcError {
  if (o.reason === 'max-fee-exceeded') {
    return new RpcError(RPC.VERIFY_ERROR, 'Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)');
  }
  const reason = o.reason ?? 'rejected';
  const text = stateString(reason, shownDetails(o.kind, o.details));
  if (o.kind === 'missing-inputs' || reason === MISSING_INPUTS) return new RpcError(RPC.VERIFY_ERROR, text);
  return new RpcError(RPC.VERIFY_REJECTED, text);
}

function busy<T extends { busy: boolean }>(o: T): Exclude<T, { busy: true }> {
  if (o.busy) throw new RpcBusy((o as unknown as { retryAfter: number }).retryAfter);
  return o as Exclude<T, { busy: true }>;
}

function testAcceptJson(tx: Transaction, item: TestAcceptItem | undefined, maxRate: number, state: { exitEarly: boolean }): Record<string, unknown> {
  const out: Record<string, unknown> = { txid: hashToHex(tx.txid), wtxid: hashToHex(tx.wtxid) };
  if (item?.packageError !== undefined) out['package-error'] = item.packageError;
  if (state.exitEarly || !item || item.allowed === undefined) return out;
  if (item.allowed) {
    const fee = item.fee ?? 0n;
    const vsize = item.vsize ?? tx.vsize;
    const maxFee = feeForVsize(maxRate, vsize);
    if (maxFee && fee > maxFee) {
      out.allowed = false;
      out['reject-reason'] = 'max-fee-exceeded';
      state.exitEarly = true;
    } else {
      out.allowed = true;
      out.vsize = vsize;
      out.fees = {
        base: amount(fee),
        'effective-feerate': amount(item.effectiveFeeRate ?? 0),
        'effective-includes': item.effectiveIncludes ?? [hashToHex(tx.wtxid)],
      };
    }
  } else {
    out.allowed = false;
    const reason = item.reason ?? 'rejected';
    if (reason === MISSING_INPUTS || reason === 'missing-inputs') out['reject-reason'] = 'missing-inputs';
    else {
      out['reject-reason'] = reason;
      out['reject-details'] = stateString(reason, item.details);
    }
  }
  return out;
}

const txidArg = { name: 'txid', type: 'str_hex', doc: 'The transaction id (must be in mempool)' } as const;
const verboseArg = { name: 'verbose', type: 'bool', optional: true, doc: 'True for a json object, false for array of transaction ids' } as const;
const maxFeeArg = { name: 'maxfeerate', type: 'amount', optional: true, doc: 'Reject transactions whose fee rate is higher than the specified value, expressed in BTC/kvB.' } as const;
const maxBurnArg = { name: 'maxburnamount', type: 'amount', optional: true, doc: 'Reject transactions with provably unspendable outputs greater than the specified value, expressed in BTC.' } as const;

/** The method table; `views` are the mining views the routes share (estimatesmartfee reads them). */
export function mempoolRpcMethods(deps: MempoolDeps, views: MempoolViews = mempoolViews(deps.mempool)): Map<string, RpcMethod> {
  const startedAt = Date.now();
  const pool = deps.mempool;
  const methods: RpcMethod[] = [
    {
      name: 'sendrawtransaction',
      description: 'Submit a raw transaction (serialized, hex-encoded) to local node and network.',
      args: [{ name: 'hexstring', type: 'str_hex', doc: 'The hex string of the raw transaction' }, maxFeeArg, maxBurnArg],
      async run([hex, maxfeerate, maxburn]) {
        const burn = parseBurnAmount(maxburn);
        const tx = decodeHexTx(hex as string);
        if (!tx) throw new RpcError(RPC.DESERIALIZATION_ERROR, `TX decode failed. ${DECODE_HINT}`);
        checkBurn(tx, burn);
        const rate = parseFeeRate(maxfeerate);
        const txid = hashToHex(tx.txid);
        // BroadcastTransaction: an output already in the UTXO set means the tx is confirmed.
        for (let o = 0; o < tx.outputs.length; o++) {
          if (deps.getTxOut(tx.txid, o, false)) throw new RpcError(RPC.VERIFY_ALREADY_IN_UTXO_SET, 'Transaction outputs already in utxo set');
        }
        // Already in the mempool (same txid, any witness): nothing to submit, but announced
        // again, the mempool's copy, as BroadcastTransaction does.
        if (pool.get(txid)) {
          deps.relayExisting?.(txid);
          return txid;
        }
        const r = busy(await deps.submitTx(tx, { maxFeeRate: rate }));
        if (!r.allowed) throw submitError(r);
        return txid;
      },
    },
    {
      name: 'testmempoolaccept',
      description: 'Returns result of mempool acceptance tests indicating if raw transaction(s) (serialized, hex-encoded) would be accepted by mempool.',
      args: [{ name: 'rawtxs', type: 'arr', doc: 'An array of hex strings of raw transactions.' }, maxFeeArg],
      async run([rawtxs, maxfeerate]) {
        const raw = checkCount(rawtxs);
        const rate = parseFeeRate(maxfeerate);
        const txs = decodeRawTxs(raw);
        // The fee-rate cap is applied here, as Core's RPC does (after validation, in order).
        const r = busy(await deps.testAccept(txs));
        const byWtxid = new Map(r.results.map((x) => [x.wtxid, x]));
        const state = { exitEarly: false };
        return txs.map((tx, i) => testAcceptJson(tx, r.results[i]?.wtxid === hashToHex(tx.wtxid) ? r.results[i] : byWtxid.get(hashToHex(tx.wtxid)), rate, state));
      },
    },
    {
      name: 'submitpackage',
      description: 'Submit a package of raw transactions (serialized, hex-encoded) to local node.',
      args: [{ name: 'package', type: 'arr', doc: 'An array of raw transactions.' }, maxFeeArg, maxBurnArg],
      async run([rawtxs, maxfeerate, maxburn]) {
        const raw = checkCount(rawtxs);
        const rate = parseFeeRate(maxfeerate);
        const burn = parseBurnAmount(maxburn);
        const txs = raw.map((x, i) => {
          const tx = decodeHexTx(getStr(x));
          if (!tx) throw new RpcError(RPC.DESERIALIZATION_ERROR, `TX decode failed for tx ${i}. ${DECODE_HINT}`);
          checkBurn(tx, burn);
          return tx;
        });
        if (txs.length > 1 && !isChildWithParentsTree(txs)) {
          throw new RpcError(RPC.VERIFY_ERROR, 'package topology disallowed. not child-with-parents or parents depend on each other.');
        }
        const { result, relayed } = busy(await deps.submitPackage(txs));
        const message = result.message === 'success' ? 'success' : stateString(result.message, result.details);
        const txResults: Record<string, unknown> = {};
        const replaced = new Set<string>(result.replaced);
        for (const tx of txs) {
          const wtxid = hashToHex(tx.wtxid);
          const inner: Record<string, unknown> = { txid: hashToHex(tx.txid) };
          const r = result.results.get(wtxid);
          if (!r) inner.error = 'package-not-validated';
          else if (r.status === 'different-witness') inner['other-wtxid'] = r.otherWtxid;
          else if (r.status === 'rejected') inner.error = stateString(r.reject?.reason ?? 'rejected', r.reject?.details);
          else {
            inner.vsize = r.vsize;
            const fees: Record<string, unknown> = { base: amount(r.fee ?? 0n) };
            if (r.status === 'accepted') {
              fees['effective-feerate'] = amount(r.effectiveFeeRate ?? 0);
              fees['effective-includes'] = r.effectiveIncludes ?? [wtxid];
            }
            inner.fees = fees;
            for (const x of r.replaced ?? []) replaced.add(x);
          }
          txResults[wtxid] = inner;
        }
        const out: Record<string, unknown> = { package_msg: message, 'tx-results': txResults, 'replaced-transactions': [...replaced].sort(internalOrder) };
        // Not a Core field: the peers the accepted transactions were announced to (with P2P).
        if (relayed !== undefined) out.relayed = relayed;
        return out;
      },
    },
    {
      name: 'getrawmempool',
      description: 'Returns all transaction ids in memory pool as a json array of string transaction ids.',
      args: [verboseArg, { name: 'mempool_sequence', type: 'bool', optional: true, doc: 'If verbose=false, returns a json object with transaction list and mempool sequence number attached.' }],
      run([verbose, withSeq]) {
        const entries = sortedForDump(pool);
        if (verbose === true) {
          if (withSeq === true) throw new RpcError(RPC.INVALID_PARAMETER, 'Verbose results cannot contain mempool sequence values.');
          return entriesJson(entries);
        }
        const txids = entries.map((e) => e.txid);
        return withSeq === true ? { txids, mempool_sequence: pool.events.sequence } : txids;
      },
    },
    {
      name: 'getmempoolinfo',
      description: 'Returns details on the active state of the TX memory pool.',
      args: [],
      run() {
        // MempoolInfoToJSON (v30), in its field order; maxdatacarriersize is 0 with -datacarrier=0.
        const o = pool.opts;
        return {
          loaded: true, size: pool.size, bytes: pool.totalVsize, usage: pool.memoryUsage, total_fee: amount(pool.totalFee),
          maxmempool: o.maxSizeBytes, mempoolminfee: amount(Math.max(pool.getMinFee(), o.minRelayFeeRate)),
          minrelaytxfee: amount(o.minRelayFeeRate), incrementalrelayfee: amount(o.incrementalRelayFeeRate),
          unbroadcastcount: 0, fullrbf: o.fullRbf,
          permitbaremultisig: deps.policy.permitBareMultisig, maxdatacarriersize: deps.policy.maxDatacarrierBytes ?? 0,
        };
      },
    },
    {
      name: 'getmempoolentry',
      description: 'Returns mempool data for given transaction',
      args: [txidArg],
      run([txid]) {
        const e = pool.get(parseHash(txid, 'txid'));
        if (!e) throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, 'Transaction not in mempool');
        return entryJsonBytes(e);
      },
    },
    {
      name: 'getmempoolancestors',
      description: 'If txid is in the mempool, returns all in-mempool ancestors.',
      args: [txidArg, verboseArg],
      run([txid, verbose]) {
        const e = pool.get(parseHash(txid, 'txid'));
        if (!e) throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, 'Transaction not in mempool');
        const list = [...pool.ancestorsOf(e)].sort(byInternal);
        return verbose === true ? entriesJson(list) : list.map((x) => x.txid);
      },
    },
    {
      name: 'getmempooldescendants',
      description: 'If txid is in the mempool, returns all in-mempool descendants.',
      args: [txidArg, verboseArg],
      run([txid, verbose]) {
        const e = pool.get(parseHash(txid, 'txid'));
        if (!e) throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, 'Transaction not in mempool');
        const set = pool.descendantsOf(e);
        set.delete(e);
        const list = [...set].sort(byInternal);
        return verbose === true ? entriesJson(list) : list.map((x) => x.txid);
      },
    },
    {
      name: 'gettxout',
      description: 'Returns details about an unspent transaction output.',
      args: [{ name: 'txid', type: 'str_hex', doc: 'The transaction id' }, { name: 'n', type: 'num', doc: 'vout number' },
        { name: 'include_mempool', type: 'bool', optional: true, doc: 'Whether to include the mempool. Default: true.' }],
      run([txid, n, includeMempool]) {
        const hash = parseHash(txid, 'txid');
        // getInt<uint32_t>.
        if (!Number.isInteger(n) || (n as number) < 0 || (n as number) > 0xffffffff) throw new RpcError(RPC.MISC_ERROR, 'JSON integer out of range');
        const r = deps.getTxOut(hexToHash(hash), n as number, includeMempool !== false);
        if (!r) return null;
        return {
          bestblock: r.bestblock, confirmations: r.confirmations, value: amount(r.coin.value),
          scriptPubKey: scriptPubKeyJson(r.coin.scriptPubKey, deps.chainInfo().chain), coinbase: r.coin.coinbase,
        };
      },
    },
    {
      name: 'getblockcount',
      description: 'Returns the height of the most-work fully-validated chain.',
      args: [],
      run: () => deps.chainInfo().blocks,
    },
    {
      name: 'getbestblockhash',
      description: 'Returns the hash of the best (tip) block in the most-work fully-validated chain.',
      args: [],
      run: () => deps.chainInfo().bestblockhash,
    },
    {
      name: 'getblockchaininfo',
      description: 'Returns an object containing various state info regarding blockchain processing.',
      args: [],
      run() {
        const c = deps.chainInfo();
        const target = bitsToTarget(parseInt(c.bits, 16)).target.toString(16).padStart(64, '0');
        return {
          chain: c.chain, blocks: c.blocks, headers: c.headers, bestblockhash: c.bestblockhash, bits: c.bits, target,
          difficulty: c.difficulty, time: c.time, mediantime: c.mediantime, chainwork: c.chainwork, pruned: c.pruned,
          warnings: [],
        };
      },
    },
  ];
  const table = new Map([...methods, ...snapshotRpcMethods(deps)].map((m) => [m.name, m]));
  for (const m of nodeRpcMethods(deps, table, { startedAt, blocks: views.blocks, minFeeKvB: views.minFeeKvB, version: TXGATE_VERSION })) table.set(m.name, m);
  return table;
}
