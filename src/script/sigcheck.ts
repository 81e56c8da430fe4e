/**
 * The signature-checking interface. The interpreter parses, checks encodings and
 * normalises before calling it, so a backend only ever sees well-formed inputs:
 *   - ECDSA: a 64-byte compact r‖s (already lax-DER-parsed, r,s < n, S normalised to
 *     low-S as Core's CPubKey::Verify does) and a 33-byte compressed or 65-byte 0x04
 *     uncompressed public key (hybrid 0x06/0x07 keys are converted before the call).
 *   - Schnorr (BIP340): a 64-byte signature, a 32-byte x-only key, a message of any length
 *     (BIP341/342 always use 32).
 * Backends: @noble/curves (the default, here) and faster ones injected by src/runtime.
 */
export interface SigVerifier {
  readonly name: string;
  verifyEcdsa(sig64: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean;
  verifySchnorr(sig64: Uint8Array, msg: Uint8Array, xonly32: Uint8Array): boolean;
}
