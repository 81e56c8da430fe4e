/**
 * The descriptions of the core routes (app.ts, mempool-routes.ts), each a describeRoute
 * middleware the route is registered with. Request bodies and parameters use the zod
 * schemas the handlers validate with (schemas.ts); responses the shapes in responses.ts.
 */
import { z } from 'zod';
import { txBodySchema, txidParamSchema, validateBodySchema } from '../schemas.ts';
import * as R from './responses.ts';
import { describeRoute, E400, E401, E404, E408, E413, E415, E429, E501, E503, errors, json, ok, param } from './spec.ts';

const rawTx = {
  'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
  'text/plain': { schema: { type: 'string', pattern: '^\\s*[0-9a-fA-F]*\\s*$' } },
} as const;

const txid = param('path', 'txid', txidParamSchema, 'transaction id, 64 hex digits');

export const routeDocs = {
  validate: describeRoute({
    tags: ['validation'],
    summary: 'Validate transactions (testmempoolaccept semantics)',
    description: 'Raw bytes, hex, or JSON (one item or a batch of independent items; stateless with `prevouts` and `at`). ' +
      "The verdict is Bitcoin Core's for the same transaction against the node's chain and mempool; nothing is admitted.",
    parameters: [param('query', 'trace', z.enum(['1', 'true', 'all', 'failed', '0', 'false']), 'script trace of every input (1, true, all) or of the failing ones (failed); past the step and byte budget the answer is 413')],
    requestBody: { required: true, content: { ...rawTx, ...json(validateBodySchema) } },
    responses: {
      200: ok('the verdict, or an array of verdicts for a batch', z.union([R.verdictSchema, z.array(R.verdictSchema)])),
      ...errors(E400, E408, E413, E415, E429, E503),
    },
  }),
  blocks: describeRoute({
    tags: ['chain'],
    summary: 'Submit a raw block',
    description: 'Connects the block or reorganises to it. Access as --submit-auth says (default: the bearer token when the server runs with --token).',
    requestBody: { required: true, content: rawTx },
    responses: {
      200: ok('accepted (tip says whether it became the chain tip)', R.blockResultSchema),
      422: ok("rejected, with Core's reason", R.blockResultSchema),
      ...errors(E400, E401, E408, E413, E415, E429, E501, E503),
    },
  }),
  tip: describeRoute({
    tags: ['chain'], summary: 'The chain tip',
    responses: { 200: ok('height, hash, median time past', R.tipSchema), ...errors(E404, E501) },
  }),
  utxo: describeRoute({
    tags: ['chain'], summary: 'One unspent output',
    parameters: [txid, param('path', 'vout', z.string().regex(/^\d{1,10}$/), 'output index, 0..4294967295')],
    responses: { 200: ok('the coin; amount in satoshis', R.utxoSchema), ...errors(E400, E404, E501) },
  }),
  health: describeRoute({
    tags: ['operations'], summary: 'Liveness',
    responses: { 200: ok('healthy', R.healthSchema), 503: ok('unhealthy', R.healthSchema) },
  }),
  ready: describeRoute({
    tags: ['operations'], summary: 'Readiness: serving and synced with the peers it follows',
    description: 'For load balancers and orchestrators: 503 while starting, while shutting down, or while behind its peers. Liveness is /health.',
    responses: { 200: ok('ready', R.readySchema), 503: ok('not ready', R.readySchema) },
  }),
  info: describeRoute({ tags: ['operations'], summary: 'Version, runtime, network, tip, workers, backends', responses: { 200: ok('server facts', R.infoSchema) } }),
  metrics: describeRoute({
    tags: ['operations'], summary: 'Prometheus metrics',
    responses: { 200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } } },
  }),
  submitTx: describeRoute({
    tags: ['mempool'], summary: 'Validate and admit a transaction to the mempool',
    description: 'Full RBF, package limits; a transaction whose parent is unknown is kept as an orphan. Access as --submit-auth says.',
    requestBody: { required: true, content: { ...rawTx, ...json(txBodySchema) } },
    responses: {
      200: ok('admitted (or already in the mempool)', R.submitSchema),
      422: ok("refused, with Core's reject reason", R.submitSchema),
      ...errors(E400, E401, E408, E413, E415, E429, E503),
    },
  }),
  mempool: describeRoute({ tags: ['mempool'], summary: 'Mempool summary', responses: { 200: ok('count, sizes, fees, minimum fee rates', R.mempoolSummarySchema) } }),
  mempoolTxids: describeRoute({ tags: ['mempool'], summary: 'Every mempool txid', responses: { 200: ok('txids', R.txidListSchema) } }),
  orphans: describeRoute({ tags: ['mempool'], summary: 'Orphans waiting for a parent', responses: { 200: ok('kept orphans', R.orphansSchema) } }),
  mempoolTx: describeRoute({
    tags: ['mempool'], summary: 'One mempool entry', parameters: [txid],
    responses: { 200: ok("getmempoolentry's fields", R.mempoolEntrySchema), ...errors(E400, E404) },
  }),
  mempoolTop: describeRoute({
    tags: ['mempool'], summary: 'Best entries by ancestor fee rate',
    parameters: [param('query', 'limit', z.string().regex(/^\d{1,7}$/), 'how many, 1..1000 (default 25)')],
    responses: { 200: ok('entries, best first', R.topSchema), ...errors(E400) },
  }),
  mempoolBlocks: describeRoute({ tags: ['mempool'], summary: 'Projected blocks', responses: { 200: ok('the next blocks as a miner would build them', R.projectedBlocksSchema) } }),
  feesRecommended: describeRoute({ tags: ['mempool'], summary: 'Fee recommendations (mempool.space style)', responses: { 200: ok('sat/vB', R.recommendedSchema) } }),
  events: describeRoute({
    tags: ['mempool'], summary: 'Server-Sent Events: transactions added and removed',
    description: 'Events `added` and `removed` (reason confirmed, replaced, conflict, evicted, expired, reorg); ' +
      'Last-Event-ID replays the kept events, or sends `missed` first when some were lost.',
    parameters: [{ name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' }, description: 'resume after this event id' }],
    responses: {
      200: { description: 'an event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
      ...errors(E503),
    },
  }),
  rpc: describeRoute({
    tags: ['json-rpc'], summary: 'Bitcoin Core JSON-RPC',
    description: "Core's methods, parameters, result fields and error codes (call `help` for the list); single requests and batches, " +
      'JSON-RPC 1.0 and 2.0; HTTP basic auth (--rpcuser/--rpcpassword or the .cookie). Other HTTP methods answer 405.',
    security: [{ basic: [] }],
    requestBody: { required: true, content: json(R.jsonRpcRequestSchema) },
    responses: {
      200: ok('the reply (or an array of replies)', R.jsonRpcReplySchema),
      204: { description: 'JSON-RPC 2.0 notification: no reply' },
      400: ok('1.0 request: invalid request', R.jsonRpcReplySchema),
      401: { description: 'missing or wrong credentials (empty body, WWW-Authenticate: Basic)' },
      404: ok('1.0 request: method not found', R.jsonRpcReplySchema),
      500: ok('1.0 request: any other error', R.jsonRpcReplySchema),
      ...errors(E413, E503),
    },
  }),
};
