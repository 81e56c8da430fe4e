/**
 * Response shapes of the HTTP API as zod schemas, for the OpenAPI document only (the routes
 * build their answers directly). test/api/openapi.test.ts parses real answers with them, so
 * the document cannot drift from what the routes return.
 */
import { z } from 'zod';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const sats = z.number().int().min(0);

export const errorSchema = z.object({
  error: z.object({
    code: z.enum(['bad-request', 'malformed', 'unsupported-media-type', 'payload-too-large', 'unauthorized', 'not-found',
      'method-not-allowed', 'busy', 'rate-limited', 'not-implemented', 'internal', 'timeout', 'too-many-requests']),
    message: z.string(),
  }),
}).meta({ ref: 'Error', description: 'Every error of the REST API: a code and a human-readable message.' });

export const verdictSchema = z.object({
  txid: hex64.nullable(),
  wtxid: hex64.nullable(),
  allowed: z.boolean(),
  vsize: z.number().int().nullable(),
  weight: z.number().int().nullable(),
  fee: sats.nullable().describe('satoshis'),
  feerate: z.number().nullable().describe('sat/vB'),
  reason: z.string().optional().describe("Bitcoin Core's reject reason"),
  details: z.string().optional().describe('which input and why'),
  kind: z.enum(['malformed', 'consensus', 'policy', 'missing-inputs', 'fee', 'conflict', 'error']).optional(),
  trace: z.union([
    z.object({ inputs: z.array(z.record(z.string(), z.unknown())) }).passthrough(),
    z.object({ unavailable: z.string() }).passthrough(),
  ]).optional().describe('with ?trace=1|failed or "trace" in the item: each input\'s execution (phases, steps, stacks, signature checks, where it stopped)'),
}).meta({ ref: 'Verdict', description: "testmempoolaccept's verdict for one transaction" });

export const blockResultSchema = z.object({
  hash: z.string(),
  accepted: z.boolean(),
  tip: z.boolean().optional(),
  height: z.number().int().optional(),
  reason: z.string().optional(),
  details: z.string().optional(),
}).meta({ ref: 'BlockResult' });

export const tipSchema = z.object({ height: z.number().int(), hash: hex64, mtp: z.number().int(), time: z.number().int().optional() })
  .meta({ ref: 'Tip' });

export const utxoSchema = z.object({
  txid: hex64, vout: z.number().int(), amount: sats, scriptPubKey: z.string(), height: z.number().int(), coinbase: z.boolean(),
}).meta({ ref: 'Utxo' });

export const healthSchema = z.looseObject({
  status: z.enum(['ok', 'unhealthy']),
  synced: z.boolean().optional().describe('with --connect: the node has every block of the best header its peers offered'),
});
export const readySchema = z.looseObject({ ready: z.boolean(), state: z.enum(['starting', 'serving', 'stopping']), synced: z.boolean() })
  .meta({ ref: 'Ready' });
export const infoSchema = z.record(z.string(), z.unknown()).describe('version, runtime, network, tip, workers, coin count, crypto backend, `memory` (rss, heapUsed, heapTotal, external in bytes; arrayBuffers on Node); with --connect, `sync` (synced, height, headers, peers, blocksPerSecond, eta, inFlight) and `peers`');

export const submitSchema = z.object({
  accepted: z.boolean(),
  txid: hex64,
  wtxid: hex64,
  fee: sats.optional(),
  vsize: z.number().int().optional(),
  replaced: z.array(hex64).optional().describe('txids this transaction replaced'),
  relayed: z.number().int().optional().describe('with --connect: how many peers the transaction was announced to'),
  alreadyInMempool: z.boolean().optional(),
  reason: z.string().optional(),
  details: z.string().optional(),
  kind: z.string().optional(),
  orphan: z.boolean().optional().describe('kept until a parent arrives'),
}).meta({ ref: 'SubmitResult' });

export const mempoolSummarySchema = z.object({
  count: z.number().int(), vsize: z.number().int(), usage: z.number().int(), totalFee: sats,
  minFeeRate: z.number().describe('sat/vB'), minRelayFeeRate: z.number(), incrementalRelayFeeRate: z.number(), maxMempool: z.number().int(),
}).meta({ ref: 'MempoolSummary' });

export const txidListSchema = z.array(hex64);
export const orphansSchema = z.array(z.object({ txid: hex64, wtxid: hex64 }));

export const mempoolEntrySchema = z.object({
  txid: hex64, wtxid: hex64, vsize: z.number().int(), weight: z.number().int(), time: z.number().int(), height: z.number().int(),
  descendantcount: z.number().int(), descendantsize: z.number().int(), ancestorcount: z.number().int(), ancestorsize: z.number().int(),
  fees: z.object({ base: sats, modified: z.number().int(), ancestor: z.number().int(), descendant: z.number().int() }),
  feerate: z.number(), depends: z.array(hex64), spentby: z.array(hex64),
}).meta({ ref: 'MempoolEntry', description: "getmempoolentry's fields, fees in satoshis" });

export const topSchema = z.array(z.object({
  txid: hex64, wtxid: hex64, fee: sats, vsize: z.number().int(), ancestorcount: z.number().int(), ancestorfee: sats,
  ancestorsize: z.number().int(), score: z.number().describe('ancestor score, sat/vB'),
}));

export const projectedBlocksSchema = z.array(z.object({
  blockSize: z.number().int(), blockVSize: z.number(), nTx: z.number().int(), totalFees: sats, medianFee: z.number(),
  feeRange: z.array(z.number()),
}).meta({ ref: 'ProjectedBlock' }));

export const recommendedSchema = z.object({
  fastestFee: z.number(), halfHourFee: z.number(), hourFee: z.number(), economyFee: z.number(), minimumFee: z.number(),
}).meta({ ref: 'RecommendedFees', description: 'sat/vB' });

export const esploraMempoolSchema = z.object({
  count: z.number().int(), vsize: z.number().int(), total_fee: sats,
  fee_histogram: z.array(z.tuple([z.number(), z.number().int()])).describe('[feerate sat/vB, vsize] from the highest rate down'),
});

export const esploraTxSchema = z.object({
  txid: hex64, version: z.number().int(), locktime: z.number().int(),
  vin: z.array(z.looseObject({ txid: hex64, vout: z.number().int(), scriptsig: z.string(), scriptsig_asm: z.string(), is_coinbase: z.boolean(), sequence: z.number().int() })),
  vout: z.array(z.looseObject({ scriptpubkey: z.string(), scriptpubkey_asm: z.string(), scriptpubkey_type: z.string(), value: sats })),
  size: z.number().int(), weight: z.number().int(), fee: sats,
  status: z.object({ confirmed: z.boolean() }),
}).meta({ ref: 'EsploraTx' });

export const esploraStatusSchema = z.object({ confirmed: z.boolean() });

export const jsonRpcRequestSchema = z.union([
  z.object({
    jsonrpc: z.enum(['1.0', '2.0']).optional(),
    id: z.union([z.string(), z.number(), z.null()]).optional(),
    method: z.string(),
    params: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
  }).meta({ ref: 'JsonRpcRequest' }),
  z.array(z.unknown()).describe('a batch of requests'),
]);

export const jsonRpcReplySchema = z.union([
  z.object({
    jsonrpc: z.literal('2.0').optional(),
    result: z.unknown().optional(),
    error: z.object({ code: z.number().int(), message: z.string() }).nullable().optional(),
    id: z.unknown().optional(),
  }).meta({ ref: 'JsonRpcReply' }),
  z.array(z.unknown()),
]);
