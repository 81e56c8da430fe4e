/**
 * Consensus constants (consensus/consensus.h, consensus/amount.h, primitives/transaction.h).
 */
export const COIN = 100_000_000n;
/** consensus/amount.h MAX_MONEY: 21 million BTC. */
export const MAX_MONEY = 21_000_000n * COIN;
/** MoneyRange (consensus/amount.h). */
export function moneyRange(v: bigint): boolean {
  return v >= 0n && v <= MAX_MONEY;
}

/** The maximum allowed weight for a block (BIP 141). */
export const MAX_BLOCK_WEIGHT = 4_000_000;
/** The maximum allowed number of signature check operations in a block (BIP 141). */
export const MAX_BLOCK_SIGOPS_COST = 80_000;
/** Coinbase transaction outputs can only be spent after this number of new blocks. */
export const COINBASE_MATURITY = 100;
export const WITNESS_SCALE_FACTOR = 4;

/** Interpret sequence numbers as relative lock-time constraints (BIP 68) — LOCKTIME_VERIFY_SEQUENCE. */
export const LOCKTIME_VERIFY_SEQUENCE = 1 << 0;

/** nLockTime below this is a block height, otherwise a UNIX time (script/script.h). */
export const LOCKTIME_THRESHOLD = 500_000_000;

/** CTxIn sequence constants (primitives/transaction.h). */
export const SEQUENCE_FINAL = 0xffffffff;
export const SEQUENCE_LOCKTIME_DISABLE_FLAG = 0x80000000;
export const SEQUENCE_LOCKTIME_TYPE_FLAG = 0x00400000;
export const SEQUENCE_LOCKTIME_MASK = 0x0000ffff;
export const SEQUENCE_LOCKTIME_GRANULARITY = 9;

/** Witness commitment (consensus/validation.h): OP_RETURN, push 36, 0xaa21a9ed, 32-byte hash. */
export const MINIMUM_WITNESS_COMMITMENT = 38;
/** Maximum amount of time a block timestamp may be ahead of the node's clock (chain.h). */
export const MAX_FUTURE_BLOCK_TIME = 2 * 60 * 60;
/** BIP94 timewarp limit (consensus/consensus.h MAX_TIMEWARP). */
export const MAX_TIMEWARP = 600;
/** Core's BIP34_IMPLIES_BIP30_LIMIT (validation.cpp): first height where a BIP34 coinbase could repeat. */
export const BIP34_IMPLIES_BIP30_LIMIT = 1_983_702;
