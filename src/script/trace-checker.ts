/**
 * The transaction signature checker of a traced run: GenericTransactionSignatureChecker
 * (tx-checker.ts) answering exactly as in validation, and reporting every check it made —
 * the hash type, the algorithm (legacy SignatureHash, BIP143, BIP341 SignatureHashSchnorr),
 * the parts that algorithm hashed, the message hash, the key, the signature and the answer.
 * The reported hashes come from the same sighash functions the check itself calls.
 */
import { toHex } from '../primitives/bytes.ts';
import type { TxFields } from '../primitives/tx.ts';
import { SigVersion, type ExecData } from './exec.ts';
import type { ScriptError } from './script-error.ts';
import {
  bip341Hashes, legacySighash, segwitV0Parts, segwitV0Sighash, shaSingleOutput, taprootSigMsg, taprootSighash, type PrecomputedTxData,
} from './sighash.ts';
import type { SigVerifier } from './sigcheck.ts';
import { TxSignatureChecker } from './tx-checker.ts';

/** One signature check as a trace reports it (hex strings; hashes in the byte order signed). */
export interface SigCheckTrace {
  /** Index of the step (in its phase) whose opcode made the check; absent on the taproot key path. */
  step?: number;
  algorithm: 'legacy' | 'bip143' | 'bip341';
  /** The hash type byte (the signature's last byte; BIP341 SIGHASH_DEFAULT is 0); null for an empty signature. */
  sighashType: number | null;
  sighashTypeName: string | null;
  /** The 32-byte message the signature is checked against; null when none is defined (no signature, bad hash type). */
  sighash: string | null;
  /**
   * What the algorithm hashed: the scriptCode; BIP143's hashPrevouts/hashSequence/hashOutputs;
   * BIP341's sha_* fields and sigMsg (the epoch byte 0x00 ‖ SigMsg, as the BIP341 vectors print it).
   */
  parts: Record<string, string | number>;
  pubkey: string;
  signature: string;
  result: boolean;
  /** The ScriptError a failing Schnorr check raises. */
  error?: ScriptError;
}

const BASE_NAMES = ['', 'ALL', 'NONE', 'SINGLE'];

/** "ALL", "SINGLE|ANYONECANPAY", "DEFAULT" (BIP341 0x00); "UNDEFINED(0x..)" for a base type Core does not define. */
export function sighashTypeName(hashType: number, schnorr: boolean): string {
  if (schnorr && hashType === 0) return 'DEFAULT';
  const base = hashType & (schnorr ? 0x7f : 0x1f);
  const name = base >= 1 && base <= 3 ? BASE_NAMES[base]! : `UNDEFINED(0x${hashType.toString(16).padStart(2, '0')})`;
  return hashType & 0x80 ? `${name}|ANYONECANPAY` : name;
}

export class TracingChecker extends TxSignatureChecker {
  constructor(
    tx: TxFields, nIn: number, amount: bigint, txdata: PrecomputedTxData, verifier: SigVerifier,
    private readonly report: (check: SigCheckTrace) => void,
  ) {
    super(tx, nIn, amount, txdata, verifier);
  }

  override checkEcdsa(sig: Uint8Array, pubkey: Uint8Array, scriptCode: Uint8Array, sv: SigVersion): boolean {
    const result = super.checkEcdsa(sig, pubkey, scriptCode, sv);
    const segwit = sv === SigVersion.WITNESS_V0;
    const hashType = sig.length ? sig[sig.length - 1]! : null;
    const parts: Record<string, string | number> = { scriptCode: toHex(scriptCode) };
    let sighash: Uint8Array | null = null;
    if (hashType !== null && segwit) {
      const p = segwitV0Parts(this.tx, this.nIn, hashType, this.txdata);
      parts.hashPrevouts = toHex(p.hashPrevouts);
      parts.hashSequence = toHex(p.hashSequence);
      parts.hashOutputs = toHex(p.hashOutputs);
      parts.amount = Number(this.amount);
      parts.nSequence = this.tx.inputs[this.nIn]!.sequence;
      sighash = segwitV0Sighash(this.tx, this.nIn, scriptCode, this.amount, hashType, this.txdata);
    } else if (hashType !== null) {
      sighash = legacySighash(this.tx, this.nIn, scriptCode, hashType, this.txdata);
    }
    this.report({
      algorithm: segwit ? 'bip143' : 'legacy', sighashType: hashType, sighashTypeName: hashType === null ? null : sighashTypeName(hashType, false),
      sighash: sighash && toHex(sighash), parts, pubkey: toHex(pubkey), signature: toHex(sig), result,
    });
    return result;
  }

  override checkSchnorr(sig: Uint8Array, pubkey: Uint8Array, sv: SigVersion, exec: ExecData): true | ScriptError {
    const result = super.checkSchnorr(sig, pubkey, sv, exec);
    const sized = sig.length === 64 || sig.length === 65;
    const hashType = sized ? (sig.length === 65 ? sig[64]! : 0) : null;
    const parts: Record<string, string | number> = {};
    let sighash: Uint8Array | undefined;
    if (hashType !== null) {
      const ext = sv === SigVersion.TAPSCRIPT ? { leafHash: exec.tapleafHash!, codesepPos: exec.codesepPos } : undefined;
      const msg = taprootSigMsg(this.tx, this.nIn, hashType, this.txdata, ext, exec.annexHash);
      if (msg) {
        sighash = taprootSighash(this.tx, this.nIn, hashType, this.txdata, ext, exec.annexHash);
        Object.assign(parts, bip341Parts(this.tx, this.nIn, hashType, this.txdata, exec, ext !== undefined), { sigMsg: `00${toHex(msg)}` });
      }
    }
    const out: SigCheckTrace = {
      algorithm: 'bip341', sighashType: hashType, sighashTypeName: hashType === null ? null : sighashTypeName(hashType, true),
      sighash: sighash ? toHex(sighash) : null, parts, pubkey: toHex(pubkey), signature: toHex(sig), result: result === true,
    };
    if (result !== true) out.error = result;
    this.report(out);
    return result;
  }
}

function u32le(v: number): Uint8Array {
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
}

/** The BIP341 SigMsg fields `hashType` commits to (their names as in BIP341). */
function bip341Parts(tx: TxFields, nIn: number, hashType: number, pre: PrecomputedTxData, exec: ExecData, tapscript: boolean): Record<string, string | number> {
  const h = bip341Hashes(tx, pre)!;
  const out: Record<string, string | number> = {};
  const anyone = (hashType & 0x80) !== 0;
  const outputType = hashType === 0 ? 1 : hashType & 3;
  if (!anyone) {
    out.sha_prevouts = toHex(h.prevouts);
    out.sha_amounts = toHex(h.amounts);
    out.sha_scriptpubkeys = toHex(h.scriptPubKeys);
    out.sha_sequences = toHex(h.sequences);
  }
  if (outputType === 1) out.sha_outputs = toHex(h.outputs);
  out.spend_type = (tapscript ? 2 : 0) + (exec.annexHash ? 1 : 0);
  if (anyone) {
    const me = tx.inputs[nIn]!, spent = pre.spent![nIn]!;
    out.outpoint = `${toHex(me.prevout.txid)}${toHex(u32le(me.prevout.vout))}`;
    out.amount = Number(spent.value);
    out.scriptPubKey = toHex(spent.scriptPubKey);
    out.nSequence = me.sequence;
  } else {
    out.input_index = nIn;
  }
  if (exec.annexHash) out.sha_annex = toHex(exec.annexHash);
  if (outputType === 3) out.sha_single_output = toHex(shaSingleOutput(tx, nIn));
  if (tapscript) {
    out.tapleaf_hash = toHex(exec.tapleafHash!);
    out.key_version = 0;
    out.codesep_pos = exec.codesepPos;
  }
  return out;
}
