/**
 * Core's RPC argument helpers shared by the method tables (rpc/util.cpp, core_io.h):
 * get_str, ParseHashV, DecodeHexTx.
 */
import { DecodeError } from '../primitives/decode-error.ts';
import { decodeTx, type Transaction } from '../primitives/tx.ts';
import { RPC, RpcError } from './rpc.ts';

/** get_str() on a value of the wrong type (std::runtime_error → RPC_MISC_ERROR). */
export function getStr(v: unknown): string {
  if (typeof v !== 'string') {
    const t = v === null ? 'null' : typeof v === 'boolean' ? 'bool' : Array.isArray(v) ? 'array' : typeof v === 'number' ? 'number' : 'object';
    throw new RpcError(RPC.MISC_ERROR, `JSON value of type ${t} is not of expected type string`);
  }
  return v;
}

/** ParseHashV. */
export function parseHash(v: unknown, name: string): string {
  const s = getStr(v);
  if (/^[0-9a-fA-F]{64}$/.test(s)) return s.toLowerCase();
  if (s.length !== 64) throw new RpcError(RPC.INVALID_PARAMETER, `${name} must be of length 64 (not ${s.length}, for '${s}')`);
  throw new RpcError(RPC.INVALID_PARAMETER, `${name} must be hexadecimal string (not '${s}')`);
}

/** DecodeHexTx; undefined where Core's would fail. */
export function decodeHexTx(hex: string): Transaction | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  try {
    const bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    return decodeTx(bytes);
  } catch (e) {
    if (e instanceof DecodeError) return undefined;
    throw e;
  }
}
