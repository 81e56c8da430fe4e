/**
 * Script checks started while a block is still being decoded, for validateBlock: each
 * transaction's job leaves as soon as the transaction is read, with the outputs its inputs
 * spend as ConnectBlock will find them, so the workers verify while this thread decodes,
 * runs CheckBlock and walks the block. ConnectBlock then takes a started check instead of
 * starting its own only when it asks for exactly the same one (the same transaction, spent
 * outputs and flags); otherwise it starts its own. Every verdict is still ConnectBlock's, in
 * its order: a block that fails CheckBlock, a contextual check or a rule of ConnectBlock's
 * loop fails as before, and the answers of checks started for it are dropped (Core's
 * CCheckQueue also verifies scripts while ConnectBlock goes on, and discards them when the
 * block fails).
 */
import { OutpointMap } from '../consensus/outpoint-map.ts';
import type { CheckInputs, InputsCheckResult } from '../consensus/script-check.ts';
import { getBlockScriptFlags } from '../consensus/script-flags.ts';
import type { ConsensusParams } from '../consensus/params.ts';
import type { BlockHeader } from '../primitives/block.ts';
import { equalBytes } from '../primitives/bytes.ts';
import { isCoinBase, type Transaction, type TxOut } from '../primitives/tx.ts';

interface Started {
  spent: TxOut[];
  flags: number;
  r: InputsCheckResult | Promise<InputsCheckResult>;
}

/** Whether two lists of spent outputs are the same outputs (same amounts and scripts). */
function sameSpent(a: readonly TxOut[], b: readonly TxOut[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!, y = b[i]!;
    if (x.value !== y.value) return false;
    if (x.scriptPubKey !== y.scriptPubKey && !equalBytes(x.scriptPubKey, y.scriptPubKey)) return false;
  }
  return true;
}

export class EarlyScriptChecks {
  private readonly started = new Map<Transaction, Started>();
  /** The block's transactions read so far, by txid (vout 0). */
  private readonly earlier = new OutpointMap<Transaction>();
  /** Index into `supplied` of the next non-coinbase input. */
  private k = 0;
  private flags: number | undefined;

  /**
   * `check` runs the scripts (the pool); `supplied` lists the outputs every non-coinbase
   * input spends, in block order: the very objects validateBlock's view answers with.
   */
  constructor(
    private readonly check: CheckInputs,
    private readonly supplied: readonly TxOut[],
    private readonly params: ConsensusParams,
    private readonly height: number,
  ) {}

  /**
   * A transaction of the block was read (in block order): its check starts when every
   * output it spends is known — supplied, or an output of a transaction read before it
   * (which is what ConnectBlock finds for a prevout created in the same block).
   */
  readonly onTx = (tx: Transaction, header: BlockHeader): void => {
    this.earlier.set(tx.txid, 0, tx);
    if (isCoinBase(tx)) return;
    const n = tx.inputs.length;
    const first = this.k;
    this.k += n;
    const spent: TxOut[] = new Array(n);
    for (let j = 0; j < n; j++) {
      const p = tx.inputs[j]!.prevout;
      const from = this.earlier.get(p.txid, 0);
      if (from) {
        const out = from.outputs[p.vout];
        if (!out || from === tx) return;
        spent[j] = out;
      } else {
        const s = this.supplied[first + j];
        if (!s) return;
        spent[j] = s;
      }
    }
    const flags = (this.flags ??= getBlockScriptFlags(this.params, this.height, header.hash));
    let r: Started['r'];
    try {
      r = this.check(tx, spent, flags);
    } catch {
      return; // ConnectBlock asks again and meets the error itself
    }
    // An answer nobody takes (the block failed first) must not surface as an unhandled rejection.
    if (r instanceof Promise) r.catch(() => undefined);
    this.started.set(tx, { spent, flags, r });
  };

  /** The checker for ConnectBlock: the started check when it is the same one, else a new one. */
  readonly checker: CheckInputs = (tx, spent, flags) => {
    const s = this.started.get(tx);
    if (s) {
      this.started.delete(tx);
      if (s.flags === flags && sameSpent(s.spent, spent)) return s.r;
    }
    return this.check(tx, spent, flags);
  };
}
