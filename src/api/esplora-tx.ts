/**
 * A mempool transaction as Esplora's GET /api/tx/:txid answers it (electrs rest.rs
 * TransactionValue / TxInValue / TxOutValue): amounts in satoshis, scripts as hex and in
 * rust-bitcoin's asm (OP_PUSHBYTES_20 <hex>, OP_PUSHNUM_1, OP_CLTV...), the spent outputs
 * as `prevout`, and `status: { confirmed: false }`.
 */
import { hashToHex, toHex } from '../primitives/bytes.ts';
import { isCoinBase, type TxOut } from '../primitives/tx.ts';
import { solver, type TxoutType } from '../policy/solver.ts';
import { OPCODE_NAMES, OP } from '../script/opcodes.ts';
import { readOp } from '../script/script.ts';
import type { MempoolEntry } from '../mempool/types.ts';
import type { ChainInfo, MempoolDeps } from './deps.ts';
import { scriptPubKeyJson } from './rpc-script.ts';

/** rust-bitcoin's opcode names where they differ from Core's. */
function opName(op: number): string {
  if (op >= OP.OP_1 && op <= OP.OP_16) return `OP_PUSHNUM_${op - 0x50}`;
  if (op === OP.OP_1NEGATE) return 'OP_PUSHNUM_NEG1';
  if (op === OP.OP_0) return 'OP_0';
  if (op === 0xb1) return 'OP_CLTV';
  if (op === 0xb2) return 'OP_CSV';
  if (op >= 0xbb && op <= 0xfe) return `OP_RETURN_${op}`;
  return OPCODE_NAMES.get(op) ?? 'OP_INVALIDOPCODE';
}

/** rust-bitcoin Script::to_asm_string, as electrs prints scripts. */
export function esploraAsm(script: Uint8Array): string {
  const parts: string[] = [];
  let pc = 0;
  while (pc < script.length) {
    const op = readOp(script, pc);
    if (!op) {
      parts.push('<unexpected end>');
      break;
    }
    pc = op.end;
    if (op.opcode === 0) parts.push('OP_0');
    else if (op.opcode < OP.OP_PUSHDATA1) parts.push(`OP_PUSHBYTES_${op.opcode} ${toHex(op.data!)}`);
    else if (op.opcode <= OP.OP_PUSHDATA4) parts.push(`${OPCODE_NAMES.get(op.opcode)} ${toHex(op.data!)}`);
    else parts.push(opName(op.opcode));
  }
  return parts.join(' ');
}

/** electrs script_type names for Core's Solver types. */
const TYPE: Partial<Record<TxoutType, string>> = {
  pubkey: 'p2pk', pubkeyhash: 'p2pkh', scripthash: 'p2sh', witness_v0_keyhash: 'v0_p2wpkh', witness_v0_scripthash: 'v0_p2wsh',
  witness_v1_taproot: 'v1_p2tr', nulldata: 'op_return', multisig: 'multisig', anchor: 'anchor',
};

function outputJson(o: TxOut, chain: ChainInfo['chain']): Record<string, unknown> {
  const type = o.scriptPubKey.length === 0 ? 'empty' : TYPE[solver(o.scriptPubKey).type] ?? 'unknown';
  const out: Record<string, unknown> = { scriptpubkey: toHex(o.scriptPubKey), scriptpubkey_asm: esploraAsm(o.scriptPubKey), scriptpubkey_type: type };
  const address = scriptPubKeyJson(o.scriptPubKey, chain).address;
  if (address !== undefined && type !== 'p2pk') out.scriptpubkey_address = address;
  out.value = Number(o.value);
  return out;
}

/** The output an input spends: a mempool parent's, else the confirmed coin. */
function spentOutput(deps: MempoolDeps, txid: Uint8Array, vout: number): TxOut | undefined {
  const parent = deps.mempool.get(hashToHex(txid));
  if (parent) return parent.tx.outputs[vout];
  const coin = deps.getTxOut(txid, vout, false)?.coin;
  return coin && { value: coin.value, scriptPubKey: coin.scriptPubKey };
}

export function esploraTxJson(deps: MempoolDeps, e: MempoolEntry): Record<string, unknown> {
  const tx = e.tx;
  const chain = deps.chainInfo().chain;
  const coinbase = isCoinBase(tx);
  return {
    txid: e.txid, version: tx.version, locktime: tx.locktime,
    vin: tx.inputs.map((i) => {
      const prev = coinbase ? undefined : spentOutput(deps, i.prevout.txid, i.prevout.vout);
      const vin: Record<string, unknown> = {
        txid: hashToHex(i.prevout.txid), vout: i.prevout.vout, prevout: prev ? outputJson(prev, chain) : null,
        scriptsig: toHex(i.scriptSig), scriptsig_asm: esploraAsm(i.scriptSig),
      };
      if (i.witness.length > 0) vin.witness = i.witness.map(toHex);
      vin.is_coinbase = coinbase;
      vin.sequence = i.sequence;
      return vin;
    }),
    vout: tx.outputs.map((o) => outputJson(o, chain)),
    size: tx.totalSize, weight: tx.weight, fee: e.fee,
    status: { confirmed: false },
  };
}
