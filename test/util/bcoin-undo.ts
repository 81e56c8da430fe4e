/**
 * bcoin's test undo files (test/util/common.js parseUndo): a plain concatenation of
 * serialized outputs, `value int64 LE ‖ CompactSize script length ‖ script`, until EOF.
 */
import { ByteReader } from '../../src/primitives/codec.ts';
import type { TxOut } from '../../src/primitives/tx.ts';

export function parseBcoinUndo(bytes: Uint8Array): TxOut[] {
  const r = new ByteReader(bytes, 'bcoin undo');
  const out: TxOut[] = [];
  while (r.remaining > 0) {
    const value = r.i64('value');
    const scriptPubKey = r.varBytes('script');
    out.push({ value, scriptPubKey });
  }
  return out;
}
