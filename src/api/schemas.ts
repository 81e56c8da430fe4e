/**
 * Request body schemas (zod). Hex stays a string here: decoding happens afterwards so a bad
 * transaction reports the decoder's own DecodeError message.
 */
import { z } from 'zod';

const MAX_MONEY = 2_100_000_000_000_000;

const amount = z.union([
  z.number().int().min(0).max(MAX_MONEY),
  z.string().regex(/^\d{1,16}$/, 'amount must be a whole number of satoshis'),
]);

/**
 * maxfeerate in BTC/kvB, as testmempoolaccept and sendrawtransaction take it; 0 disables
 * the check. Core refuses rates of 1 BTC/kvB and more.
 */
export const maxFeeRateSchema = z.number().min(0).lt(1, 'maxfeerate is in BTC/kvB; rates of 1 BTC/kvB or more are not accepted');

const prevoutSchema = z.strictObject({
  scriptPubKey: z.string(),
  amount,
  height: z.number().int().min(0).max(0x7fffffff).optional(),
  coinbase: z.boolean().optional(),
});

export const validateItemSchema = z.strictObject({
  tx: z.string().min(1, 'tx must be a non-empty hex string'),
  prevouts: z.array(prevoutSchema).optional(),
  maxfeerate: maxFeeRateSchema.optional(),
  at: z.strictObject({
    height: z.number().int().min(0).max(0x7ffffffe),
    mtp: z.number().int().min(0).max(0xffffffff),
  }).optional(),
  /** Script trace of every input (true) or of the failing ones ("failed"); src/api/trace.ts. */
  trace: z.union([z.boolean(), z.literal('failed')]).optional(),
});

/** POST /validate's JSON body: one item, or a batch of independent items. */
export const validateBodySchema = z.union([validateItemSchema, z.array(validateItemSchema).min(1)]);

/** POST /tx's JSON body (maxfeerate in BTC/kvB; 0 disables the check). */
export const txBodySchema = z.strictObject({
  tx: z.string().min(1, 'tx must be a non-empty hex string'),
  maxfeerate: maxFeeRateSchema.optional(),
});

/** A txid in a path: 64 hex digits (display order). */
export const txidParamSchema = z.string().regex(/^[0-9a-fA-F]{64}$/);

export type ValidateItemBody = z.infer<typeof validateItemSchema>;

/** "path: message; path: message" from a zod error. */
export function describeZodError(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}
