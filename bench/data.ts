/**
 * The one shared data generator for the benchmarks (and the tests that check it), by part:
 *   - data-txs.ts: makeTxs(kind, count), deterministic signed transactions of each standard
 *     type with their spent outputs.
 *   - data-blocks.ts: loadRealBlock(name), real mainnet blocks with the outputs every input
 *     spends; loadTestnetBlock(name), the ~2 MB bcoin testnet3 blocks with theirs.
 *   - data-server.ts: loadServerBenchData(spec), a regtest chain (raw blocks) and thousands
 *     of distinct signed 1-in/2-out spends of its coins, cached in bench/out/.
 * Import from here; the parts are re-exported whole.
 */
export * from './data-txs.ts';
export * from './data-blocks.ts';
export * from './data-server.ts';
