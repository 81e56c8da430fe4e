/**
 * POST /validate's body as items (src/api/validate-body.ts): the common JSON body read
 * straight from the bytes (bareTxBody) gives the transactions JSON.parse and fromHex give;
 * every other body is left to JSON.parse and the item schema (undefined here); and
 * validateItems gives the same items, batch flag and per-item decode failures whichever way
 * a body is read.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, hexBytesAt, toHex } from '../../src/primitives/bytes.ts';
import { decodeTx } from '../../src/primitives/tx.ts';
import { TimeSlicer } from '../../src/api/time-slice.ts';
import { bareTxBody, validateItems } from '../../src/api/validate-body.ts';
import { ApiError } from '../../src/api/http-error.ts';

const enc = new TextEncoder();
const bytes = (s: string) => enc.encode(s);
/** A 1-in/1-out transaction; `n` varies its spent txid. */
const txHex = (n: number) =>
  '02000000' + '01' + n.toString(16).padStart(2, '0').repeat(32) + '00000000' + '00' + 'ffffffff' + '01' + 'e803000000000000' + '0151' + '00000000';
const A = txHex(1), B = txHex(2);
/** A slicer whose slices never end: no pause waits. */
const slicer = () => new TimeSlicer(1e9, 1e9, (f) => f(), () => 0);

describe('bareTxBody', () => {
  test('a batch and a single item, JSON whitespace anywhere between tokens, either hex case', () => {
    const batch = bareTxBody(bytes(`[{"tx":"${A}"},{"tx":"${B}"}]`))!;
    assert.equal(batch.array, true);
    assert.deepEqual(batch.txs, [fromHex(A), fromHex(B)]);
    const spaced = bareTxBody(bytes(` \r\n[ {\t"tx" :  "${A.toUpperCase()}" } ,\n{ "tx":"${B}"}\n] \n`))!;
    assert.deepEqual(spaced, { txs: [fromHex(A), fromHex(B)], array: true });
    assert.deepEqual(bareTxBody(bytes(`{"tx":"${A}"}`)), { txs: [fromHex(A)], array: false });
  });

  test('every other body is left to JSON.parse and the item schema', () => {
    const others = [
      `[{"tx":"${A}","maxfeerate":0}]`, // another key
      `[{"maxfeerate":0,"tx":"${A}"}]`,
      `[{"tx":"${A}","tx":"${B}"}]`, // JSON.parse keeps the last of a repeated key
      `[{"tx":"\\u0030${A.slice(1)}"}]`, // an escape
      `[{"tx":"${A.slice(1)}"}]`, // odd length
      `[{"tx":""}]`, // empty
      `[{"tx":"${A.slice(2)}zz"}]`, // not hex
      `[{"tx":${JSON.stringify(A)}}`, // unclosed array
      `[{"tx":"${A}"},]`, // trailing comma
      `[{"tx":"${A}"}] x`, // trailing bytes
      `\ufeff[{"tx":"${A}"}]`, // a byte-order mark (TextDecoder drops it; JSON.parse then reads the rest)
      `[]`, `{}`, `[[{"tx":"${A}"}]]`, `[{"TX":"${A}"}]`, `"${A}"`, '',
    ];
    for (const body of others) assert.equal(bareTxBody(bytes(body)), undefined, body);
  });

  test('hexBytesAt decodes what fromHex decodes, and nothing that it refuses', () => {
    const b = bytes(`xx${A}yy`);
    assert.deepEqual(hexBytesAt(b, 2, 2 + A.length), fromHex(A));
    assert.equal(hexBytesAt(b, 2, 3 + A.length), undefined);
    assert.equal(hexBytesAt(b, 1, 1 + A.length), undefined);
    for (const c of ['g', 'G', '/', ':', '@', '`', ' ']) assert.equal(hexBytesAt(bytes(`0${c}`), 0, 2), undefined, c);
    assert.deepEqual(hexBytesAt(bytes('09afAF'), 0, 6), Uint8Array.of(0x09, 0xaf, 0xaf));
  });
});

describe('validateItems: the same items whichever way the body is read', () => {
  // The same body twice: once in the shape bareTxBody reads, once with a byte-order mark in
  // front (the same JSON, which only JSON.parse reads).
  const both = async (body: string, trace?: 'all' | 'failed') => {
    const fast = await validateItems('application/json', bytes(body), trace, 100, slicer());
    const slow = await validateItems('application/json', bytes('\ufeff' + body), trace, 100, slicer());
    return { fast, slow };
  };
  const view = (r: Awaited<ReturnType<typeof validateItems>>) =>
    ({ txs: r.items.map((i) => toHex(i.tx.wtxid)), traces: r.items.map((i) => i.trace), batch: r.batch, malformed: [...r.malformed] });

  test('a batch with an undecodable transaction among good ones', async () => {
    const truncated = A.slice(0, 40);
    const { fast, slow } = await both(`[{"tx":"${A}"},{"tx":"${truncated}"},{"tx":"${B}"}]`);
    assert.deepEqual(view(fast), view(slow));
    assert.deepEqual(view(fast).txs, [toHex(decodeTx(fromHex(A)).wtxid), toHex(decodeTx(fromHex(B)).wtxid)]);
    assert.equal(fast.batch, true);
    assert.deepEqual([...fast.malformed.keys()], [1]);
  });

  test('a single item, with the query trace', async () => {
    const { fast, slow } = await both(`{"tx":"${A}"}`, 'failed');
    assert.deepEqual(view(fast), view(slow));
    assert.equal(fast.batch, false);
    assert.deepEqual(view(fast).traces, ['failed']);
  });

  test('a single undecodable item throws the decode error; a batch over the limit is refused', async () => {
    const one = (b: string) => validateItems('application/json', bytes(b), undefined, 100, slicer()).then(() => 'ok', (e: Error) => e.message);
    const message = await one(`{"tx":"${A.slice(0, 40)}"}`);
    assert.notEqual(message, 'ok');
    assert.equal(await one(`\ufeff{"tx":"${A.slice(0, 40)}"}`), message);
    const over = `[${Array.from({ length: 3 }, () => `{"tx":"${A}"}`).join(',')}]`;
    await assert.rejects(validateItems('application/json', bytes(over), undefined, 2, slicer()),
      (e: unknown) => e instanceof ApiError && e.message === 'at most 2 transactions per request, got 3');
  });
});
