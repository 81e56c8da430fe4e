/** CreateGenesisBlock (kernel/chainparams.cpp): the genesis block of each network, as raw bytes. */
import { ByteWriter } from '../primitives/codec.ts';
import { concatBytes, fromHex } from '../primitives/bytes.ts';
import { hash256 } from '../primitives/hash.ts';
import { encodeTx } from '../primitives/tx.ts';
import { pushData } from '../script/script.ts';
import { OP } from '../script/opcodes.ts';

const TIMES = 'The Times 03/Jan/2009 Chancellor on brink of second bailout for banks';
const SATOSHI_KEY = '04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f';
const TESTNET4_MSG = '03/May/2024 000000000000000000001ebd58c244970b3aa9d783bb001011fbe8ea8e98e00e';
const TESTNET4_KEY = '000000000000000000000000000000000000000000000000000000000000000000';

export interface GenesisSpec {
  message: string;
  /** The output's public key (hex); the script is <key> OP_CHECKSIG. */
  pubkey: string;
  time: number;
  nonce: number;
  bits: number;
  version: number;
  reward: bigint;
}

export const GENESIS_SPECS = {
  mainnet: { message: TIMES, pubkey: SATOSHI_KEY, time: 1231006505, nonce: 2083236893, bits: 0x1d00ffff, version: 1, reward: 5_000_000_000n },
  testnet3: { message: TIMES, pubkey: SATOSHI_KEY, time: 1296688602, nonce: 414098458, bits: 0x1d00ffff, version: 1, reward: 5_000_000_000n },
  testnet4: { message: TESTNET4_MSG, pubkey: TESTNET4_KEY, time: 1714777860, nonce: 393743547, bits: 0x1d00ffff, version: 1, reward: 5_000_000_000n },
  signet: { message: TIMES, pubkey: SATOSHI_KEY, time: 1598918400, nonce: 52613770, bits: 0x1e0377ae, version: 1, reward: 5_000_000_000n },
  regtest: { message: TIMES, pubkey: SATOSHI_KEY, time: 1296688602, nonce: 2, bits: 0x207fffff, version: 1, reward: 5_000_000_000n },
} satisfies Record<string, GenesisSpec>;

/** The raw genesis block: one coinbase with scriptSig `486604799 4 <message>`. */
export function createGenesisBlock(g: GenesisSpec): Uint8Array {
  // CScript() << 486604799 << CScriptNum(4) << message
  const scriptSig = concatBytes(Uint8Array.of(0x04, 0xff, 0xff, 0x00, 0x1d, 0x01, 0x04), pushData(new TextEncoder().encode(g.message)));
  const scriptPubKey = concatBytes(pushData(fromHex(g.pubkey)), Uint8Array.of(OP.OP_CHECKSIG));
  const coinbase = encodeTx({
    version: 1,
    inputs: [{ prevout: { txid: new Uint8Array(32), vout: 0xffffffff }, scriptSig, sequence: 0xffffffff, witness: [] }],
    outputs: [{ value: g.reward, scriptPubKey }],
    locktime: 0,
  });
  const w = new ByteWriter(80 + 1 + coinbase.length);
  w.u32(g.version).bytes(new Uint8Array(32)).bytes(hash256(coinbase)).u32(g.time).u32(g.bits).u32(g.nonce);
  w.compactSize(1).bytes(coinbase);
  return w.finish();
}
