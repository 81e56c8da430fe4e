/**
 * The JSON-RPC methods a Core user reaches for first, beside the mempool ones:
 * help (rpc/server.cpp CRPCTable::help), uptime, getnetworkinfo (rpc/net.cpp),
 * getrawtransaction, decoderawtransaction, decodescript (rpc/rawtransaction.cpp) and
 * estimatesmartfee (rpc/fees.cpp), with Core's parameters, result shapes and errors.
 */
import { fromHex } from '../primitives/bytes.ts';
import type { ProjectedBlockJson } from './mempool-views.ts';
import type { MempoolDeps } from './deps.ts';
import { RPC, RpcError, usage, type RpcMethod } from './rpc.ts';
import { amount } from './rpc-json.ts';
import { decodeHexTx, getStr, parseHash } from './rpc-args.ts';
import { decodeScriptJson, txToUniv } from './rpc-tx.ts';

/** Core's RPC categories (each CRPCCommand's category), for help's grouping. */
const CATEGORY: Record<string, string> = {
  getbestblockhash: 'blockchain', getblockchaininfo: 'blockchain', getblockcount: 'blockchain', getmempoolancestors: 'blockchain',
  getmempooldescendants: 'blockchain', getmempoolentry: 'blockchain', getmempoolinfo: 'blockchain', getrawmempool: 'blockchain',
  gettxout: 'blockchain', help: 'control', uptime: 'control', getnetworkinfo: 'network', decoderawtransaction: 'rawtransactions',
  decodescript: 'rawtransactions', getrawtransaction: 'rawtransactions', sendrawtransaction: 'rawtransactions',
  submitpackage: 'rawtransactions', testmempoolaccept: 'rawtransactions', estimatesmartfee: 'util',
};

/** CRPCTable::help: every command's usage line by category, or one command's full help. */
function help(methods: ReadonlyMap<string, RpcMethod>, command: string): string {
  const sorted = [...methods.values()].map((m) => ({ m, key: (CATEGORY[m.name] ?? 'txgate') + m.name })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  let out = '';
  let category = '';
  for (const { m } of sorted) {
    if (command !== '' && m.name !== command) continue;
    let text = usage(m);
    if (command === '') {
      text = text.slice(0, text.indexOf('\n'));
      const cat = CATEGORY[m.name] ?? 'txgate';
      if (cat !== category) {
        if (category !== '') out += '\n';
        category = cat;
        out += `== ${cat[0]!.toUpperCase()}${cat.slice(1)} ==\n`;
      }
    }
    out += text + '\n';
  }
  if (out === '') out = `help: unknown command: ${command}\n`;
  return out.slice(0, -1);
}

/** fee_estimator.HighestTargetTracked(LONG_HALFLIFE) once the estimator has history. */
const MAX_CONF_TARGET = 1008;

/**
 * estimatesmartfee from the projected blocks: the median fee rate of the block a transaction
 * must make to confirm within `target` blocks, or, when the mempool clears sooner, the
 * mempool's minimum; never below the mempool minimum fee or the minimum relay fee (as
 * Core raises its estimate). No projected block (an empty mempool) is too little data.
 */
export function estimateFromBlocks(blocks: readonly ProjectedBlockJson[], target: number, floorKvB: number): { feerateKvB?: number; blocks: number } {
  if (blocks.length === 0) return { blocks: 0 };
  // Core: "It's not possible to get reasonable estimates for confTarget of 1".
  const t = Math.max(2, target);
  const block = blocks[t - 1];
  // The last projected block holds everything left: it is not a block a miner fills in turn.
  const rateVb = block && t < blocks.length ? block.medianFee : 0;
  return { feerateKvB: Math.max(Math.ceil(rateVb * 1000), floorKvB), blocks: t };
}

/** ParseConfirmTarget. */
function parseConfTarget(v: unknown): number {
  if (!Number.isInteger(v) || (v as number) < -0x80000000 || (v as number) > 0x7fffffff) throw new RpcError(RPC.MISC_ERROR, 'JSON integer out of range');
  const t = v as number;
  if (t < 1 || t > MAX_CONF_TARGET) throw new RpcError(RPC.INVALID_PARAMETER, `Invalid conf_target, must be between 1 and ${MAX_CONF_TARGET}`);
  return t;
}

/** ParseVerbosity(param, default 0, allow_bool): verbose true/false or a verbosity number. */
function parseVerbosity(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (!Number.isInteger(v)) throw new RpcError(RPC.TYPE_ERROR, `JSON value of type ${typeof v === 'string' ? 'string' : typeof v} is not of expected type number`);
  return v as number;
}

export interface NodeMethodOptions {
  /** Server start, ms since the epoch (uptime). */
  startedAt: number;
  /** Projected blocks and the mempool minimum fee (sat/kvB), from the shared mining views. */
  blocks(): ProjectedBlockJson[];
  minFeeKvB(): number;
  /** Version string for getnetworkinfo's subversion. */
  version: string;
}

/** The methods; `all` is the complete table help reads (these included). */
export function nodeRpcMethods(deps: MempoolDeps, all: ReadonlyMap<string, RpcMethod>, o: NodeMethodOptions): RpcMethod[] {
  const chain = () => deps.chainInfo().chain;
  return [
    {
      name: 'help',
      description: 'List all commands, or get help for a specified command.',
      args: [{ name: 'command', type: 'str', optional: true, doc: 'The command to get help on' }],
      run: ([command]) => help(all, command === null || command === undefined ? '' : command as string),
    },
    {
      name: 'uptime',
      description: 'Returns the total uptime of the server.',
      args: [],
      run: () => Math.floor((Date.now() - o.startedAt) / 1000),
    },
    {
      name: 'getnetworkinfo',
      description: 'Returns an object containing various state info regarding P2P networking.',
      args: [],
      run() {
        // No listening socket and no reachable network; with --connect, the outbound peers and
        // the services txgate offers them (NODE_WITNESS | NODE_NETWORK_LIMITED).
        const networks = ['ipv4', 'ipv6', 'onion', 'i2p', 'cjdns'].map((name) => ({ name, limited: true, reachable: false, proxy: '', proxy_randomize_credentials: false }));
        const peers = deps.peerCount?.();
        const p2p = peers !== undefined;
        return {
          version: 300000, subversion: `/txgate:${o.version}/`, protocolversion: 70016,
          localservices: p2p ? '0000000000000408' : '0000000000000000', localservicesnames: p2p ? ['WITNESS', 'NETWORK_LIMITED'] : [],
          localrelay: true, timeoffset: 0, networkactive: p2p, connections: peers ?? 0, connections_in: 0, connections_out: peers ?? 0, networks,
          relayfee: amount(deps.mempool.opts.minRelayFeeRate), incrementalfee: amount(deps.mempool.opts.incrementalRelayFeeRate),
          localaddresses: [], warnings: [],
        };
      },
    },
    {
      name: 'getrawtransaction',
      description: 'Return the raw transaction data. txgate keeps no transaction index: only mempool transactions are found.',
      args: [{ name: 'txid', type: 'str_hex', doc: 'The transaction id' },
        { name: 'verbosity', type: 'any', optional: true, doc: '0 for hex-encoded data, 1 for a JSON object (true and false are accepted too)' },
        { name: 'blockhash', type: 'str_hex', optional: true, doc: 'The block in which to look for the transaction' }],
      run([txid, verbosity, blockhash]) {
        const id = parseHash(txid, 'parameter 1');
        const level = parseVerbosity(verbosity);
        if (blockhash !== null && blockhash !== undefined) {
          parseHash(blockhash, 'parameter 3');
          throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY, 'Block not available: txgate keeps no block transactions to search');
        }
        const e = deps.mempool.get(id);
        if (!e) {
          throw new RpcError(RPC.INVALID_ADDRESS_OR_KEY,
            'No such mempool transaction. Use -txindex or provide a block hash to enable blockchain transaction queries. Use gettransaction for wallet transactions.');
        }
        return level <= 0 ? txToUniv(e.tx, chain(), true).hex : txToUniv(e.tx, chain(), true);
      },
    },
    {
      name: 'decoderawtransaction',
      description: 'Return a JSON object representing the serialized, hex-encoded transaction.',
      args: [{ name: 'hexstring', type: 'str_hex', doc: 'The transaction hex string' },
        { name: 'iswitness', type: 'bool', optional: true, doc: 'Whether the transaction hex is a serialized witness transaction.' }],
      run([hex]) {
        const tx = decodeHexTx(getStr(hex));
        if (!tx) throw new RpcError(RPC.DESERIALIZATION_ERROR, 'TX decode failed');
        return txToUniv(tx, chain(), false);
      },
    },
    {
      name: 'decodescript',
      description: 'Decode a hex-encoded script.',
      args: [{ name: 'hexstring', type: 'str_hex', doc: 'the hex-encoded script' }],
      run([hex]) {
        const s = getStr(hex);
        if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new RpcError(RPC.INVALID_PARAMETER, `argument must be hexadecimal string (not '${s}')`);
        return decodeScriptJson(s === '' ? new Uint8Array(0) : fromHex(s), chain());
      },
    },
    {
      name: 'estimatesmartfee',
      description: 'Estimates the approximate fee per kilobyte needed for a transaction to begin confirmation within conf_target blocks, ' +
        'from the blocks a miner would build from this mempool now.',
      args: [{ name: 'conf_target', type: 'num', doc: 'Confirmation target in blocks (1 - 1008)' },
        { name: 'estimate_mode', type: 'str', optional: true, doc: 'The fee estimate mode: "unset", "economical" or "conservative" (the same answer here).' }],
      run([target, mode]) {
        const t = parseConfTarget(target);
        if (mode !== null && mode !== undefined && !['unset', 'economical', 'conservative'].includes((mode as string).toLowerCase())) {
          throw new RpcError(RPC.INVALID_PARAMETER, 'Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"');
        }
        const floor = Math.max(o.minFeeKvB(), deps.mempool.opts.minRelayFeeRate);
        const est = estimateFromBlocks(o.blocks(), t, floor);
        if (est.feerateKvB === undefined) return { errors: ['Insufficient data or no feerate found'], blocks: est.blocks };
        return { feerate: amount(est.feerateKvB), blocks: est.blocks };
      },
    },
  ];
}
