/**
 * loadtxoutset (rpc/blockchain.cpp): load a Core `dumptxoutset` file as the node's UTXO set
 * (src/node/snapshot-load.ts), with Core's result shape and error codes: a file that cannot
 * be opened RPC_INVALID_PARAMETER, a bad header RPC_DESERIALIZATION_ERROR ("Unable to parse
 * metadata: …"), any other refusal RPC_INTERNAL_ERROR ("Unable to load UTXO snapshot: …").
 */
import type { MempoolDeps } from './deps.ts';
import { RPC, RpcError, type RpcMethod } from './rpc.ts';
import { getStr } from './rpc-args.ts';

export function snapshotRpcMethods(deps: MempoolDeps): RpcMethod[] {
  const load = deps.loadTxOutSet?.bind(deps);
  if (!load) return [];
  return [
    {
      name: 'loadtxoutset',
      description:
        'Load the serialized UTXO set from a file. The base block must be one of the network\'s assumeutxo snapshots (unless the server runs with --trust-snapshot); ' +
        'its content hash is checked against the chain parameters. The node\'s tip becomes the snapshot base; the history below it is not validated.',
      args: [{ name: 'path', type: 'str', doc: 'path to the snapshot file. If relative, will be prefixed by datadir.' }],
      async run([path]) {
        const p = getStr(path);
        try {
          return await load(p);
        } catch (e) {
          const kind = (e as { kind?: unknown }).kind;
          const msg = e instanceof Error ? e.message : String(e);
          if (kind === 'open') throw new RpcError(RPC.INVALID_PARAMETER, msg);
          if (kind === 'metadata') throw new RpcError(RPC.DESERIALIZATION_ERROR, msg);
          if (kind === 'activation') throw new RpcError(RPC.INTERNAL_ERROR, `Unable to load UTXO snapshot: ${msg.replace(/\.$/, '')}. (${p})`);
          throw e;
        }
      },
    },
  ];
}
