'use strict';
/*
 * One bcoin 1.0.2 regtest full node in this process. Always run by Node (bcoin is a CommonJS
 * Node program), started by test/util/bcoin-node.ts whatever runtime runs the tests.
 *
 * argv[2] is a JSON object: { datadir, p2pPort, httpPort, apiKey, requireStandard, logLevel }.
 * A null datadir keeps the chain in memory; otherwise the chain lives in LevelDB under
 * `<datadir>/regtest` (leveldown's prebuilt N-API binary, no compiler needed). Port 0 takes a
 * free port. Once both servers listen, one line goes to stdout:
 *   BCOIN-READY {"p2pPort":…,"httpPort":…,"pid":…}
 * The node closes (chain flushed) and the process exits 0 on a `stop` line on stdin, on the end
 * of stdin (the parent went away) or on SIGTERM/SIGINT.
 */

// bcoin's native modules (mrmr, bsip, bstring, bcrypto, secp256k1@3) are never needed: with
// NODE_BACKEND=js each loads its JavaScript implementation, so no install script has to run.
process.env.NODE_BACKEND = 'js';

const net = require('node:net');
const bcoin = require('bcoin');
const layout = require('bcoin/lib/blockchain/layout');
const CoinEntry = require('bcoin/lib/coins/coinentry');
const { RPCError } = require('bweb');

const opts = JSON.parse(process.argv[2] || '{}');

/*
 * bdb 0.2 (bcoin's database layer) passes every unset range bound of an iterator as null;
 * abstract-leveldown 6, under leveldown 5.6.0, serializes a null bound as the key "null", so
 * each LevelDB iteration of bcoin's (tips, coins, reset) came back empty. Unset bounds are
 * dropped before they reach leveldown.
 */
function dropNullRangeBounds() {
  const path = require('node:path');
  const LevelDOWN = require(require.resolve('leveldown', { paths: [path.dirname(require.resolve('bdb'))] }));
  const iterator = LevelDOWN.prototype.iterator;
  LevelDOWN.prototype.iterator = function (options) {
    const o = { ...options };
    for (const k of ['gt', 'gte', 'lt', 'lte']) if (o[k] == null) delete o[k];
    return iterator.call(this, o);
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const revHex = (hex) => Buffer.from(hex, 'hex').reverse().toString('hex');

/**
 * `listutxoset`: not a Bitcoin Core RPC. Every coin of the chain's UTXO set (the mempool left
 * out), sorted by txid then vout: { txid, vout, value (satoshis), scriptPubKey, height,
 * coinbase }. Read straight from bcoin's coin table (`c` keys), for comparing whole sets.
 */
async function listUtxoSet(chain) {
  const rows = await chain.db.db.range({ gte: layout.c.min(), lte: layout.c.max() });
  const out = rows.map(({ key, value }) => {
    const [hash, index] = layout.c.parse(key);
    const entry = CoinEntry.fromRaw(value);
    return {
      txid: revHex(hash),
      vout: index,
      value: entry.output.value,
      scriptPubKey: entry.output.script.toRaw().toString('hex'),
      height: entry.height,
      coinbase: entry.coinbase,
    };
  });
  out.sort((a, b) => (a.txid < b.txid ? -1 : a.txid > b.txid ? 1 : a.vout - b.vout));
  return out;
}

/**
 * `generatetoscript n hex`: not a Bitcoin Core RPC. generatetoaddress with the coinbase paying
 * a scriptPubKey, so tests need not write bcoin's regtest addresses (base58 0x3c/0x26, bech32
 * `rb`, and pre-BIP350 bech32 for every witness version).
 */
async function generateToScript(node, args) {
  const [n, hex] = args;
  const addr = bcoin.Address.fromScript(bcoin.Script.fromRaw(Buffer.from(String(hex), 'hex')));
  if (!Number.isSafeInteger(n) || n < 0 || !addr) throw new Error('generatetoscript n scriptPubKey-hex (P2PKH, P2SH or witness program)');
  return node.rpc.mineBlocks(n, addr);
}

/**
 * `submittx hex`: not a Bitcoin Core RPC. bcoin's own sendrawtransaction adds to the mempool in
 * the background, answers the txid whatever happens and broadcasts a transaction its mempool
 * refused for policy anyway; this one answers the mempool's verdict: the txid once accepted
 * (and announced to peers), else error -26 with bcoin's reject reason as the message, or -25
 * `missing-inputs` for an orphan (kept in bcoin's orphan pool).
 */
async function submitTx(node, args) {
  const tx = bcoin.TX.fromRaw(Buffer.from(String(args[0]), 'hex'));
  let missing;
  try {
    missing = await node.mempool.addTX(tx);
  } catch (e) {
    if (e.type === 'VerifyError') throw new RPCError(-26, e.reason);
    throw e;
  }
  if (missing) throw new RPCError(-25, 'missing-inputs');
  return tx.txid();
}

async function main() {
  if (opts.datadir) dropNullRangeBounds();
  const p2pPort = opts.p2pPort || await freePort();
  const httpPort = opts.httpPort || await freePort();
  const node = new bcoin.FullNode({
    network: 'regtest',
    memory: !opts.datadir,
    prefix: opts.datadir || undefined,
    host: '127.0.0.1',
    publicHost: '127.0.0.1',
    port: p2pPort,
    listen: true,
    // No outbound peer unless asked for (addnode): regtest's seed list is 127.0.0.1:48444.
    seeds: [],
    httpHost: '127.0.0.1',
    httpPort,
    apiKey: opts.apiKey,
    requireStandard: opts.requireStandard !== false,
    indexTX: true,
    workers: false,
    logLevel: opts.logLevel || 'warning',
    logFile: false,
  });
  node.rpc.add('listutxoset', () => listUtxoSet(node.chain));
  node.rpc.add('generatetoscript', (args) => generateToScript(node, args));
  node.rpc.add('submittx', (args) => submitTx(node, args));
  if (opts.datadir) await node.ensure();
  await node.open();
  await node.connect();
  // As bcoin's own launcher does: without it the pool ignores its peers' block announcements.
  node.startSync();

  let closing = null;
  const stop = () => {
    closing = closing || node.close().then(
      () => process.exit(0),
      (e) => {
        console.error('bcoin close failed:', e);
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d) => {
    if (/^stop$/m.test(d)) stop();
  });
  process.stdin.on('end', stop);
  process.stdout.write(`BCOIN-READY ${JSON.stringify({ p2pPort, httpPort, pid: process.pid })}\n`);
}

main().catch((e) => {
  console.error('bcoin failed to start:', e);
  process.exit(1);
});
