/**
 * Core's tx_valid.json / tx_invalid.json harness pieces (transaction_tests.cpp): prevout
 * maps keyed by outpoint and CheckTxScripts over every input through the public
 * verifyScript.
 */
import { fromHex, hashToHex } from '../../src/primitives/bytes.ts';
import { decodeTx, type Transaction } from '../../src/primitives/tx.ts';
import { verifyScript } from '../../mod.ts';
import { parseAsm } from './asm.ts';

export type TxVectorRow = [[string, number, string, number?][], string, string];

export interface TxVector {
  /** Position in the JSON file. */
  index: number;
  row: TxVectorRow;
  /** The comment lines just above the row (the description). */
  comment: string;
  raw: Uint8Array;
  tx: Transaction;
  prevouts: { scriptPubKey: Uint8Array; amount: bigint }[];
  /** An input whose prevout the row does not give (Core's map.at() throws: a bad test). */
  missing: string | undefined;
  flagsText: string;
}

/** Rows with the comment strings before them; one-element rows are comments. */
export function txVectors(json: unknown[][]): TxVector[] {
  const out: TxVector[] = [];
  let comment: string[] = [];
  json.forEach((r, index) => {
    if (!Array.isArray(r[0])) {
      comment.push(...(r as string[]));
      return;
    }
    const row = r as TxVectorRow;
    if (row.length !== 3 || typeof row[1] !== 'string' || typeof row[2] !== 'string') throw new Error(`bad test: ${JSON.stringify(row)}`);
    const map = new Map<string, { scriptPubKey: Uint8Array; amount: bigint }>();
    for (const inp of row[0]) {
      if (inp.length < 3 || inp.length > 4) throw new Error(`bad test input: ${JSON.stringify(inp)}`);
      const [txid, vout, asm, amount] = inp;
      // COutPoint{Txid::FromHex(...), uint32_t(getInt<int>())}: -1 is the null index.
      map.set(`${txid.toLowerCase()}:${vout >>> 0}`, { scriptPubKey: parseAsm(asm), amount: BigInt(amount ?? 0) });
    }
    const raw = fromHex(row[1]);
    const tx = decodeTx(raw);
    let missing: string | undefined;
    const prevouts = tx.inputs.map((i) => {
      const key = `${hashToHex(i.prevout.txid)}:${i.prevout.vout}`;
      const p = map.get(key);
      if (!p) missing ??= key;
      return p ?? { scriptPubKey: new Uint8Array(0), amount: 0n };
    });
    out.push({ index, row, comment: comment.join(' '), raw, tx, prevouts, missing, flagsText: row[2] });
    comment = [];
  });
  return out;
}

export interface ScriptsResult {
  valid: boolean;
  /** First failing input and its error. */
  input?: number;
  error?: string;
}

/** CheckTxScripts: verify inputs in order, stop at the first failure. */
export function checkTxScripts(v: TxVector, flags: number): ScriptsResult {
  if (v.missing) throw new Error(`bad test: no prevout for input ${v.missing}`);
  for (let i = 0; i < v.tx.inputs.length; i++) {
    const r = verifyScript({ tx: v.raw, index: i, prevouts: v.prevouts, flags });
    if (!r.ok) return { valid: false, input: i, error: r.error };
  }
  return { valid: true };
}

export function describeVector(v: TxVector): string {
  return `#${v.index}${v.comment ? ` (${v.comment})` : ''}: ${JSON.stringify(v.row)}`;
}
