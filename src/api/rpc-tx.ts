/**
 * Transactions and scripts as Core's RPCs print them: core_write.cpp TxToUniv
 * (decoderawtransaction; getrawtransaction verbose adds "hex") and rpc/rawtransaction.cpp
 * decodescript (ScriptToUniv without hex, plus the P2SH and segwit wrappings).
 */
import { hashToHex, toHex } from '../primitives/bytes.ts';
import { hash160, sha256 } from '../primitives/hash.ts';
import { isCoinBase, type Transaction } from '../primitives/tx.ts';
import { solver } from '../policy/solver.ts';
import { isCompressedPubKey } from '../script/ecdsa.ts';
import { isOpSuccess, OP } from '../script/opcodes.ts';
import { isUnspendable, readOp } from '../script/script.ts';
import type { ChainInfo } from './deps.ts';
import { amount } from './rpc-json.ts';
import { addressParams, base58Check, descriptorChecksum, scriptPubKeyJson, scriptToAsm } from './rpc-script.ts';

/** TxToUniv(tx, block_hash=null, include_hex): Core's field order. */
export function txToUniv(tx: Transaction, chain: ChainInfo['chain'], includeHex: boolean): Record<string, unknown> {
  const coinbase = isCoinBase(tx);
  const out: Record<string, unknown> = {
    txid: hashToHex(tx.txid), hash: hashToHex(tx.wtxid), version: tx.version, size: tx.totalSize, vsize: Math.ceil(tx.weight / 4),
    weight: tx.weight, locktime: tx.locktime,
    vin: tx.inputs.map((i) => {
      const vin: Record<string, unknown> = coinbase
        ? { coinbase: toHex(i.scriptSig) }
        : { txid: hashToHex(i.prevout.txid), vout: i.prevout.vout, scriptSig: { asm: scriptToAsm(i.scriptSig, true), hex: toHex(i.scriptSig) } };
      if (i.witness.length > 0) vin.txinwitness = i.witness.map(toHex);
      vin.sequence = i.sequence;
      return vin;
    }),
    vout: tx.outputs.map((o, n) => ({ value: amount(o.value), n, scriptPubKey: scriptPubKeyJson(o.scriptPubKey, chain) })),
  };
  if (includeHex) out.hex = toHex(tx.raw);
  return out;
}

/** CScript::HasValidOps plus decodescript's "no OP_CHECKSIGADD or OP_SUCCESSx" walk; false for a script that does not parse. */
function wrappableOps(script: Uint8Array): boolean {
  let pc = 0;
  while (pc < script.length) {
    const op = readOp(script, pc);
    if (!op || op.opcode > OP.OP_NOP10 || op.opcode === OP.OP_CHECKSIGADD || isOpSuccess(op.opcode) || (op.data && op.data.length > 520)) return false;
    pc = op.end;
  }
  return true;
}

/** decodescript: asm, desc, address, type; p2sh and segwit where Core offers the wrapping. */
export function decodeScriptJson(script: Uint8Array, chain: ChainInfo['chain']): Record<string, unknown> {
  const p = addressParams(chain);
  const { hex: _hex, ...base } = scriptPubKeyJson(script, chain);
  const out: Record<string, unknown> = { ...base };
  const { type, solutions } = solver(script);
  const canWrap = ['multisig', 'nonstandard', 'pubkey', 'pubkeyhash', 'witness_v0_keyhash', 'witness_v0_scripthash'].includes(type) &&
    !isUnspendable(script) && wrappableOps(script);
  if (!canWrap) return out;
  out.p2sh = base58Check(Uint8Array.of(p.scriptHash, ...hash160(script)));
  // Uncompressed keys cannot be used in segwit; witness programs are not wrapped again.
  const segwitOk = type === 'nonstandard' || type === 'pubkeyhash' ||
    ((type === 'multisig' || type === 'pubkey') && solutions.every((s) => s.length === 1 || isCompressedPubKey(s)));
  if (!segwitOk) return out;
  let segwit: Uint8Array;
  let desc: string | undefined;
  if (type === 'pubkey' || type === 'pubkeyhash') {
    segwit = Uint8Array.of(0x00, 0x14, ...(type === 'pubkey' ? hash160(solutions[0]!) : solutions[0]!));
  } else {
    segwit = Uint8Array.of(0x00, 0x20, ...sha256(script));
    // The signing provider knows the witness script: a multisig infers as wsh(multi(...)).
    if (type === 'multisig') desc = `wsh(multi(${solutions[0]![0]},${solutions.slice(1, -1).map(toHex).join(',')}))`;
  }
  const sr: Record<string, unknown> = { ...scriptPubKeyJson(segwit, chain) };
  if (desc !== undefined) sr.desc = `${desc}#${descriptorChecksum(desc)}`;
  sr['p2sh-segwit'] = base58Check(Uint8Array.of(p.scriptHash, ...hash160(segwit)));
  out.segwit = sr;
  return out;
}

