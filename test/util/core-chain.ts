/**
 * Bitcoin Core's test/util/mining.cpp CreateBlockChain(n) on regtest, rebuilt: a fully
 * deterministic chain whose UTXO set at height 200 is Core's regtest assumeutxo entry
 * (kernel/chainparams.cpp, "for use by fuzz target src/test/fuzz/utxo_snapshot.cpp").
 * Block i (1..n) holds one coinbase: version 2, nLockTime i-1, one input with a null prevout,
 * nSequence 0xfffffffe, scriptSig `<i> OP_0`, one output of GetBlockSubsidy(i) to
 * P2WSH(OP_TRUE); header version 4, time genesis.nTime + i, the genesis bits, the nonce
 * ground up from 0 (GrindBlock).
 */
import { assembleBlock } from './regtest-builder.ts';
import { scriptNumPush } from '../../src/consensus/block-contextual.ts';
import { getBlockSubsidy } from '../../src/consensus/subsidy.ts';
import { REGTEST } from '../../src/chain/params.ts';
import { decodeBlock } from '../../src/primitives/block.ts';
import { compareBytes, hashToHex } from '../../src/primitives/bytes.ts';
import { sha256 } from '../../src/primitives/hash.ts';
import { decodeTx, encodeTx } from '../../src/primitives/tx.ts';
import type { SynthGroup } from '../utxo/synthetic.ts';

export interface CoreChain {
  /** Raw blocks of heights 1..n. */
  blocks: Uint8Array[];
  /** The UTXO set at the tip, as snapshot groups in Core's order (txid ascending). */
  groups: SynthGroup[];
  /** Tip hash, display order. */
  tip: string;
  /** Block hashes by height - 1, internal order. */
  hashes: Uint8Array[];
}

export function coreCreateBlockChain(n: number): CoreChain {
  const genesis = decodeBlock(REGTEST.genesisBlock).header;
  const p2wshOpTrue = new Uint8Array([0x00, 0x20, ...sha256(Uint8Array.of(0x51))]);
  const groups: SynthGroup[] = [];
  const blocks: Uint8Array[] = [];
  const hashes: Uint8Array[] = [];
  let prev = genesis.hash;
  let time = genesis.time;
  for (let h = 0; h < n; h++) {
    const value = getBlockSubsidy(h + 1, REGTEST);
    const scriptSig = new Uint8Array([...scriptNumPush(h + 1), 0x00]);
    const cb = decodeTx(encodeTx({
      version: 2, locktime: h,
      inputs: [{ prevout: { txid: new Uint8Array(32), vout: 0xffffffff }, scriptSig, sequence: 0xfffffffe, witness: [] }],
      outputs: [{ value, scriptPubKey: p2wshOpTrue }],
    }));
    const { raw, block } = assembleBlock({ version: 4, prevHash: prev, time: ++time, bits: genesis.bits }, [cb]);
    prev = block.header.hash;
    blocks.push(raw);
    hashes.push(prev);
    groups.push({ txid: cb.txid, coins: [{ vout: 0, coin: { value, scriptPubKey: p2wshOpTrue, height: h + 1, coinbase: true } }] });
  }
  groups.sort((a, b) => compareBytes(a.txid, b.txid));
  return { blocks, groups, tip: hashToHex(prev), hashes };
}
