// A JSON-RPC client nobody here wrote — the `bitcoin-core` npm package — against a real
// listening txgate socket (the runtime's own HTTP server): testmempoolaccept,
// sendrawtransaction, getrawmempool, getmempoolinfo, a batch, estimateSmartFee,
// getRawTransaction, decodeRawTransaction, and its error handling (RPC
// errors, and Core's bodiless 401 for a wrong password).
// Reported as skipped, by name, when the package is not installed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { hashToHex, toHex } from '../../src/primitives/bytes.ts';
import { listen } from '../../src/runtime/serve-main.ts';
import { mempoolApp, RPC_PASS, RPC_USER, spend, TestMempoolNode } from './mempool-deps.ts';

type Client = { command(...args: unknown[]): Promise<any> };
type ClientCtor = new (o: Record<string, unknown>) => Client;

let BitcoinCore: ClientCtor | undefined;
let version = '';
try {
  const require = createRequire(import.meta.url);
  BitcoinCore = require('bitcoin-core') as ClientCtor;
  version = (require('bitcoin-core/package.json') as { version: string }).version;
} catch {
  BitcoinCore = undefined;
}
const skip = BitcoinCore ? false : 'the bitcoin-core npm client is not installed (npm install --no-save bitcoin-core)';

describe(`bitcoin-core npm client${version ? ' ' + version : ''} against a listening server`, () => {
  test('testmempoolaccept, sendrawtransaction, getrawmempool, getmempoolinfo', { skip, timeout: 30_000 }, async () => {
    const node = new TestMempoolNode();
    const { app, mount } = mempoolApp(node);
    const server = await listen({ fetch: app.fetch, port: 0, host: '127.0.0.1', maxBodyBytes: 32 * 1024 * 1024 });
    try {
      const logger = { debug() {}, info() {}, warn() {}, error() {}, child() { return logger; } };
      const client = new BitcoinCore!({ host: `http://127.0.0.1:${server.port}`, username: RPC_USER, password: RPC_PASS, logger, timeout: 10_000 });
      const tx = spend([node.fund(100_000n)], [99_000n]);
      const txid = hashToHex(tx.txid);

      const tested = await client.command('testmempoolaccept', [toHex(tx.raw)]);
      assert.equal(tested.length, 1);
      assert.equal(tested[0].txid, txid);
      assert.equal(tested[0].allowed, true);
      assert.equal(tested[0].vsize, tx.vsize);
      assert.equal(tested[0].fees.base, 0.00001);

      assert.equal(await client.command('sendrawtransaction', toHex(tx.raw)), txid);
      assert.deepEqual(await client.command('getrawmempool'), [txid]);
      const verbose = await client.command('getrawmempool', true);
      assert.equal(verbose[txid].fees.base, 0.00001);
      assert.equal(verbose[txid].vsize, tx.vsize);

      const info = await client.command('getmempoolinfo');
      assert.equal(info.loaded, true);
      assert.equal(info.size, 1);
      assert.equal(info.bytes, tx.vsize);
      assert.equal(info.total_fee, 0.00001);
      assert.equal(info.mempoolminfee, 0.000001);

      const batch = await client.command([{ method: 'getblockcount' }, { method: 'getmempoolentry', parameters: ['00'.repeat(32)] }]);
      assert.equal(batch[0], node.height);
      assert.equal(batch[1].code, -5);
      assert.equal(batch[1].message, 'Transaction not in mempool');

      const orphan = spend([{ txid: new Uint8Array(32).fill(8), vout: 0 }], [1000n]);
      await assert.rejects(client.command('sendrawtransaction', toHex(orphan.raw)),
        (e: { code?: number; message?: string }) => e.code === -25 && e.message === 'bad-txns-inputs-missingorspent');
      await assert.rejects(client.command('nosuchmethod'), (e: { code?: number }) => e.code === -32601);
      // Core's bodiless 401: the client reports it as an HTTP error (its RpcError with the
      // status as code), not a TypeError from reading a JSON body as a JSON-RPC error.
      const wrong = new BitcoinCore!({ host: `http://127.0.0.1:${server.port}`, username: RPC_USER, password: 'wrong', logger, timeout: 10_000 });
      await assert.rejects(wrong.command('getblockcount'),
        (e: { name?: string; code?: number; message?: string }) => e.name === 'RpcError' && e.code === 401 && e.message === 'Unauthorized');
      const raw = await fetch(`http://127.0.0.1:${server.port}/`, {
        method: 'POST', body: '{"method":"getblockcount"}', headers: { authorization: 'Basic ' + btoa(`${RPC_USER}:wrong`) },
      });
      assert.equal(raw.status, 401);
      assert.equal(raw.headers.get('www-authenticate'), 'Basic realm="jsonrpc"');
      assert.equal(await raw.text(), '');
    } finally {
      mount.close();
      await server.close();
    }
  });

  test('estimateSmartFee, getRawTransaction, decodeRawTransaction (its named methods)', { skip, timeout: 30_000 }, async () => {
    const node = new TestMempoolNode();
    const { app, mount } = mempoolApp(node);
    const server = await listen({ fetch: app.fetch, port: 0, host: '127.0.0.1', maxBodyBytes: 32 * 1024 * 1024 });
    try {
      const logger = { debug() {}, info() {}, warn() {}, error() {}, child() { return logger; } };
      const client = new BitcoinCore!({ host: `http://127.0.0.1:${server.port}`, username: RPC_USER, password: RPC_PASS, logger, timeout: 10_000 }) as Client & Record<string, (...a: unknown[]) => Promise<any>>;
      // The client parses into null-prototype objects.
      const plain = (x: unknown) => JSON.parse(JSON.stringify(x));
      assert.deepEqual(plain(await client.estimateSmartFee!(6)), { errors: ['Insufficient data or no feerate found'], blocks: 0 });
      const tx = spend([node.fund(100_000n)], [99_000n]);
      const hex = toHex(tx.raw);
      const txid = hashToHex(tx.txid);
      const decoded = await client.decodeRawTransaction!(hex);
      assert.equal(decoded.txid, txid);
      assert.equal(decoded.vout[0].value, 0.00099);
      await client.command('sendrawtransaction', hex);
      assert.equal(await client.getRawTransaction!(txid), hex);
      assert.deepEqual(plain(await client.getRawTransaction!(txid, true)), { ...plain(decoded), hex });
      assert.deepEqual(plain(await client.estimateSmartFee!(2, 'economical')), { feerate: 0.000001, blocks: 2 });
      await assert.rejects(client.getRawTransaction!('00'.repeat(32)), (e: { code?: number }) => e.code === -5);
    } finally {
      mount.close();
      await server.close();
    }
  });
});
