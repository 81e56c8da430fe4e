/**
 * The block journal: every block the node acknowledged since its last save of the chain and
 * UTXO set, appended and fsynced before POST /blocks answers, so a process killed between
 * saves loses no acknowledged block: on restart the journal's blocks are connected again on
 * top of the saved state (TxgateNode.start). The journal is emptied after each save.
 *
 *   <datadir>/blocks.journal   ("txgj" ‖ u32 length ‖ block ‖ first 4 bytes of SHA256d(block))*
 *
 * A crash while appending leaves a torn last record: it fails its length or checksum and is
 * ignored (that block was not acknowledged).
 */
import { hash256 } from '../primitives/hash.ts';
import { appendDurable, joinPath, writeFileAtomic } from '../runtime/fs.ts';
import { readAll } from './persist.ts';

const MAGIC = [0x74, 0x78, 0x67, 0x6a]; // "txgj"
const HEAD = 8;
const TAIL = 4;

export class BlockJournal {
  readonly path: string;
  constructor(datadir: string) {
    this.path = joinPath(datadir, 'blocks.journal');
  }

  /** Appends one block durably. */
  async append(raw: Uint8Array): Promise<void> {
    const rec = new Uint8Array(HEAD + raw.length + TAIL);
    rec.set(MAGIC, 0);
    new DataView(rec.buffer).setUint32(4, raw.length, true);
    rec.set(raw, HEAD);
    rec.set(hash256(raw).subarray(0, TAIL), HEAD + raw.length);
    await appendDurable(this.path, rec);
  }

  /** Empties the journal (after a save: its blocks are in the saved state). */
  async clear(): Promise<void> {
    await writeFileAtomic(this.path, []);
  }

  /** The journal's complete records in order; a torn or corrupt record ends it. */
  async read(): Promise<Uint8Array[]> {
    const all = await readAll(this.path);
    if (!all) return [];
    const out: Uint8Array[] = [];
    const view = new DataView(all.buffer, all.byteOffset, all.byteLength);
    for (let at = 0; at + HEAD <= all.length;) {
      if (MAGIC.some((m, i) => all[at + i] !== m)) break;
      const len = view.getUint32(at + 4, true);
      const end = at + HEAD + len + TAIL;
      if (end > all.length) break;
      const raw = all.subarray(at + HEAD, at + HEAD + len);
      const sum = hash256(raw);
      if (sum.subarray(0, TAIL).some((b, i) => all[at + HEAD + len + i] !== b)) break;
      out.push(raw);
      at = end;
    }
    return out;
  }
}
