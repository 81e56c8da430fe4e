/**
 * GenericTransactionSignatureChecker (script/interpreter.cpp): the signature checks of one
 * transaction input (ECDSA over the legacy or BIP143 sighash, Schnorr over the BIP341
 * sighash) on an injected SigVerifier, optionally through a signature cache, and the
 * CHECKLOCKTIMEVERIFY / CHECKSEQUENCEVERIFY comparisons.
 */
import type { TxFields } from '../primitives/tx.ts';
import { ecdsaCompactForVerify, pubkeyForVerify } from './ecdsa.ts';
import { SigVersion, type ExecData, type SignatureChecker } from './exec.ts';
import type { ScriptError } from './script-error.ts';
import { legacySighash, segwitV0Sighash, taprootSighash, type PrecomputedTxData } from './sighash.ts';
import type { SigVerifier } from './sigcheck.ts';

/**
 * Caches of signature checks (Core's CSignatureCache); keys are salted by the owner. On a
 * miss the cache calls `verifier` and remembers a success.
 */
export interface SigCache {
  ecdsa(sig64: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array, verifier: SigVerifier): boolean;
  schnorr(sig64: Uint8Array, msg32: Uint8Array, xonly: Uint8Array, verifier: SigVerifier): boolean;
}

const SEQUENCE_FINAL = 0xffffffff;
const SEQUENCE_LOCKTIME_DISABLE_FLAG = 0x80000000;
const SEQUENCE_LOCKTIME_TYPE_FLAG = 1 << 22;
const SEQUENCE_LOCKTIME_MASK = 0x0000ffff;
const LOCKTIME_THRESHOLD = 500000000;

/** GenericTransactionSignatureChecker. */
export class TxSignatureChecker implements SignatureChecker {
  constructor(
    readonly tx: TxFields,
    readonly nIn: number,
    readonly amount: bigint,
    readonly txdata: PrecomputedTxData,
    readonly verifier: SigVerifier,
    readonly cache?: SigCache,
  ) {}

  checkEcdsa(sigIn: Uint8Array, pubkeyIn: Uint8Array, scriptCode: Uint8Array, sv: SigVersion): boolean {
    const pubkey = pubkeyForVerify(pubkeyIn);
    if (!pubkey) return false;
    if (sigIn.length === 0) return false;
    // Hash type is one byte tacked on to the end of the signature.
    const hashType = sigIn[sigIn.length - 1]!;
    const compact = ecdsaCompactForVerify(sigIn.subarray(0, sigIn.length - 1));
    if (!compact) return false;
    const sighash = sv === SigVersion.WITNESS_V0
      ? segwitV0Sighash(this.tx, this.nIn, scriptCode, this.amount, hashType, this.txdata)
      : legacySighash(this.tx, this.nIn, scriptCode, hashType, this.txdata);
    if (this.cache) return this.cache.ecdsa(compact, sighash, pubkey, this.verifier);
    return this.verifier.verifyEcdsa(compact, sighash, pubkey);
  }

  checkSchnorr(sigIn: Uint8Array, pubkey: Uint8Array, sv: SigVersion, exec: ExecData): true | ScriptError {
    if (sigIn.length !== 64 && sigIn.length !== 65) return 'SCHNORR_SIG_SIZE';
    let hashType = 0;
    let sig = sigIn;
    if (sigIn.length === 65) {
      hashType = sigIn[64]!;
      if (hashType === 0) return 'SCHNORR_SIG_HASHTYPE';
      sig = sigIn.subarray(0, 64);
    }
    const ext = sv === SigVersion.TAPSCRIPT ? { leafHash: exec.tapleafHash!, codesepPos: exec.codesepPos } : undefined;
    const sighash = taprootSighash(this.tx, this.nIn, hashType, this.txdata, ext, exec.annexHash);
    if (!sighash) return 'SCHNORR_SIG_HASHTYPE';
    const ok = this.cache
      ? this.cache.schnorr(sig, sighash, pubkey, this.verifier)
      : this.verifier.verifySchnorr(sig, sighash, pubkey);
    return ok ? true : 'SCHNORR_SIG';
  }

  checkLockTime(lockTime: number): boolean {
    const txLock = this.tx.locktime;
    // Both must be the same kind (height or time).
    if (!((txLock < LOCKTIME_THRESHOLD && lockTime < LOCKTIME_THRESHOLD) || (txLock >= LOCKTIME_THRESHOLD && lockTime >= LOCKTIME_THRESHOLD))) return false;
    if (lockTime > txLock) return false;
    // A final input would bypass nLockTime (IsFinalTx), so CLTV requires a non-final one.
    if (this.tx.inputs[this.nIn]!.sequence === SEQUENCE_FINAL) return false;
    return true;
  }

  checkSequence(sequence: number): boolean {
    const txSeq = this.tx.inputs[this.nIn]!.sequence;
    // BIP68 applies from version 2 (compared unsigned).
    if ((this.tx.version >>> 0) < 2) return false;
    if (txSeq & SEQUENCE_LOCKTIME_DISABLE_FLAG) return false;
    const mask = SEQUENCE_LOCKTIME_TYPE_FLAG | SEQUENCE_LOCKTIME_MASK;
    const txMasked = txSeq & mask;
    // `sequence` may exceed 32 bits (5-byte operand): mask its low 32 bits as Core's int64 & uint32.
    const seqMasked = Number(BigInt(sequence) & BigInt(mask));
    if (!((txMasked < SEQUENCE_LOCKTIME_TYPE_FLAG && seqMasked < SEQUENCE_LOCKTIME_TYPE_FLAG) ||
      (txMasked >= SEQUENCE_LOCKTIME_TYPE_FLAG && seqMasked >= SEQUENCE_LOCKTIME_TYPE_FLAG))) return false;
    return seqMasked <= txMasked;
  }
}

