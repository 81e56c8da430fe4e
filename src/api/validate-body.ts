/**
 * POST /validate's body as items to validate: raw bytes, hex, one JSON item or a JSON batch.
 * The common JSON body, `[{"tx":"<hex>"}, …]` (or one `{"tx":"<hex>"}`), is read straight
 * from the bytes (bareTxBody): each transaction's hex is decoded once into its own bytes,
 * with no text, no JSON values and no hex strings made. Any other body goes through
 * JSON.parse and the item schema.
 */
import { fromHex, hexBytesAt } from '../primitives/bytes.ts';
import { DecodeError } from '../primitives/decode-error.ts';
import { decodeTx } from '../primitives/tx.ts';
import { btcPerKvBToSatPerKvB } from '../policy/feerate.ts';
import type { ValidateItem } from './deps.ts';
import { bodyText, parseJsonBody } from './body.ts';
import { ApiError } from './http-error.ts';
import { describeZodError, validateItemSchema, type ValidateItemBody } from './schemas.ts';
import type { TimeSlicer } from './time-slice.ts';
import { traceField, type TraceMode } from './trace.ts';

/** The items of a body, whether it was a batch, and the batch items whose transaction did not decode (index → message). */
export interface ValidateBody {
  items: ValidateItem[];
  batch: boolean;
  malformed: Map<number, string>;
}

/** A transaction as raw bytes (application/octet-stream) or hex (text/plain). */
export function bytesOrHex(type: string, body: Uint8Array): Uint8Array {
  return type === 'application/octet-stream' ? body : fromHex(bodyText(body).trim());
}

/**
 * The items of a POST /validate body of media type `type`. A batch's items are read and
 * decoded in time slices (`slicer`): other requests are answered between them.
 */
export async function validateItems(type: string, body: Uint8Array, trace: TraceMode | undefined, maxBatch: number, slicer: TimeSlicer): Promise<ValidateBody> {
  const malformed = new Map<number, string>();
  if (type !== 'application/json') {
    return { items: [{ tx: decodeTx(bytesOrHex(type, body)), ...(trace ? { trace } : {}) }], batch: false, malformed };
  }
  const bare = bareTxBody(body);
  if (bare && bare.txs.length <= maxBatch) {
    const mode = traceField(undefined, trace);
    const items: ValidateItem[] = [];
    for (let i = 0; i < bare.txs.length; i++) {
      const p = slicer.pause();
      if (p) await p;
      try {
        items.push(mode ? { tx: decodeTx(bare.txs[i]!), trace: mode } : { tx: decodeTx(bare.txs[i]!) });
      } catch (e) {
        if (!(e instanceof DecodeError) || !bare.array) throw e;
        malformed.set(i, e.message);
      }
    }
    return { items, batch: bare.array, malformed };
  }
  const json = parseJsonBody(body);
  if (!Array.isArray(json)) return { items: [toItem(parseItem(json, ''), '', trace)], batch: false, malformed };
  if (json.length === 0) throw new ApiError(400, 'bad-request', 'the batch is empty');
  if (json.length > maxBatch) throw new ApiError(400, 'bad-request', `at most ${maxBatch} transactions per request, got ${json.length}`);
  const parsed: ValidateItemBody[] = [];
  for (let i = 0; i < json.length; i++) {
    const p = slicer.pause();
    if (p) await p;
    parsed.push(parseItem(json[i], `[${i}] `));
  }
  const items: ValidateItem[] = [];
  for (let i = 0; i < parsed.length; i++) {
    const p = slicer.pause();
    if (p) await p;
    try {
      items.push(toItem(parsed[i]!, `[${i}] `, trace));
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      malformed.set(i, e.message);
    }
  }
  return { items, batch: true, malformed };
}

/** JSON whitespace from `i` on: the index of the next other byte. */
function skipWs(b: Uint8Array, i: number): number {
  while (i < b.length) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/**
 * The transactions of a body that is exactly `{"tx":"<hex>"}` or a non-empty JSON array of
 * such objects (JSON whitespace anywhere between tokens), decoded from the hex; undefined for
 * any other body (another key, a second "tx", an escape, a byte that is not a hex digit, an
 * empty or odd-length string, a byte-order mark...). What it accepts, JSON.parse and the item
 * schema accept with the same transactions.
 */
export function bareTxBody(b: Uint8Array): { txs: Uint8Array[]; array: boolean } | undefined {
  let i = skipWs(b, 0);
  const array = b[i] === 0x5b; // [
  if (array) i = skipWs(b, i + 1);
  const txs: Uint8Array[] = [];
  for (;;) {
    if (b[i] !== 0x7b) return undefined; // {
    i = skipWs(b, i + 1);
    if (b[i] !== 0x22 || b[i + 1] !== 0x74 || b[i + 2] !== 0x78 || b[i + 3] !== 0x22) return undefined; // "tx"
    i = skipWs(b, i + 4);
    if (b[i] !== 0x3a) return undefined; // :
    i = skipWs(b, i + 1);
    if (b[i] !== 0x22) return undefined;
    const start = i + 1;
    const end = b.indexOf(0x22, start);
    if (end <= start) return undefined;
    const tx = hexBytesAt(b, start, end);
    if (!tx) return undefined;
    txs.push(tx);
    i = skipWs(b, end + 1);
    if (b[i] !== 0x7d) return undefined; // }
    i = skipWs(b, i + 1);
    if (!array) break;
    if (b[i] === 0x2c) { // ,
      i = skipWs(b, i + 1);
      continue;
    }
    if (b[i] !== 0x5d) return undefined; // ]
    i = skipWs(b, i + 1);
    break;
  }
  return i === b.length ? { txs, array } : undefined;
}

function hexField(s: string, field: string): Uint8Array {
  try {
    return fromHex(s);
  } catch (e) {
    if (e instanceof DecodeError) throw new ApiError(400, 'malformed', `${field}: ${e.message}`);
    throw e;
  }
}

/** Turns a JSON item into a ValidateItem; DecodeError from the tx propagates. */
function toItem(body: ValidateItemBody, where: string, trace: TraceMode | undefined): ValidateItem {
  const tx = decodeTx(fromHex(body.tx));
  const item: ValidateItem = { tx };
  const mode = traceField(body.trace, trace);
  if (mode) item.trace = mode;
  if (body.prevouts) {
    if (body.prevouts.length !== tx.inputs.length) {
      throw new ApiError(400, 'bad-request',
        `${where}prevouts has ${body.prevouts.length} entries but the transaction has ${tx.inputs.length} inputs`);
    }
    item.prevouts = body.prevouts.map((p, i) => {
      const prevout: NonNullable<ValidateItem['prevouts']>[number] = {
        scriptPubKey: hexField(p.scriptPubKey, `${where}prevouts.${i}.scriptPubKey`),
        amount: BigInt(p.amount),
      };
      if (p.height !== undefined) prevout.height = p.height;
      if (p.coinbase !== undefined) prevout.coinbase = p.coinbase;
      return prevout;
    });
  }
  if (body.maxfeerate !== undefined) item.maxFeeRate = btcPerKvBToSatPerKvB(body.maxfeerate);
  if (body.at) item.at = body.at;
  return item;
}

function parseItem(raw: unknown, where: string): ValidateItemBody {
  // The common item, { tx: "<hex>" } and nothing else, is what the schema lets through as it is.
  if (isBareTxItem(raw)) return raw;
  const r = validateItemSchema.safeParse(raw);
  if (!r.success) throw new ApiError(400, 'bad-request', where + describeZodError(r.error));
  return r.data;
}

/** An object whose only own key is a non-empty string `tx`. */
function isBareTxItem(raw: unknown): raw is { tx: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const tx = (raw as { tx?: unknown }).tx;
  if (typeof tx !== 'string' || tx.length === 0) return false;
  for (const k in raw) if (k !== 'tx') return false;
  return Object.getPrototypeOf(raw) === Object.prototype;
}
