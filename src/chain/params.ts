/**
 * Chain parameters of the five networks (kernel/chainparams.cpp): consensus rules, genesis,
 * message magic, default port, and the assumeutxo snapshots (m_assumeutxo_data).
 */
import type { ConsensusParams, NetworkName } from '../consensus/params.ts';
import { SCRIPT_VERIFY } from '../script/flags.ts';
import { createGenesisBlock, GENESIS_SPECS } from './genesis.ts';

export type { NetworkName } from '../consensus/params.ts';

/**
 * A UTXO snapshot Core accepts without question (CChainParams::m_assumeutxo_data,
 * kernel/chainparams.cpp): the base block and the set's hash_serialized_3 there.
 */
export interface AssumeutxoData {
  height: number;
  /** hash_serialized_3, display order (as chainparams.cpp writes uint256). */
  hashSerialized: string;
  /** m_chain_tx_count: transactions in the chain up to and including the base block. */
  chainTxCount: number;
  /** The base block hash, display order. */
  blockHash: string;
}

export interface ChainParams extends ConsensusParams {
  /** pchMessageStart. */
  magic: Uint8Array;
  /** Snapshots loadable without --trust-snapshot (kernel/chainparams.cpp m_assumeutxo_data). */
  assumeutxo: readonly AssumeutxoData[];
  defaultPort: number;
  /** The raw genesis block (its hash is genesisHash). */
  genesisBlock: Uint8Array;
}

const ZERO_HASH = '0'.repeat(64);
const POW_LIMIT_MAIN = 0x00000000ffffffffffffffffffffffffffffffffffffffffffffffffffffffffn;

export const MAINNET: ChainParams = {
  network: 'mainnet',
  genesisHash: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
  genesisBlock: createGenesisBlock(GENESIS_SPECS.mainnet),
  magic: Uint8Array.of(0xf9, 0xbe, 0xb4, 0xd9),
  defaultPort: 8333,
  assumeutxo: [
    { height: 840_000, hashSerialized: 'a2a5521b1b5ab65f67818e5e8eccabb7171a517f9e2382208f77687310768f96', chainTxCount: 991032194, blockHash: '0000000000000000000320283a032748cef8227873ff4872689bf23f1cda83a5' },
    { height: 880_000, hashSerialized: 'dbd190983eaf433ef7c15f78a278ae42c00ef52e0fd2a54953782175fbadcea9', chainTxCount: 1145604538, blockHash: '000000000000000000010b17283c3c400507969a9c2afd1dcf2082ec5cca2880' },
    { height: 910_000, hashSerialized: '4daf8a17b4902498c5787966a2b51c613acdab5df5db73f196fa59a4da2f1568', chainTxCount: 1226586151, blockHash: '0000000000000000000108970acb9522ffd516eae17acddcb1bd16469194a821' },
  ],
  subsidyHalvingInterval: 210000,
  bip34Height: 227931,
  bip34Hash: '000000000000024b89b42a942fe0d9fea3bb44ab7bd1b19115dd6a759c0808b8',
  bip65Height: 388381, // 000000000000000004c2b624ed5d7756c508d90fd0da2c7c679febfa6c4735f0
  bip66Height: 363725, // 00000000000000000379eaa19dce8c9b722d46ae6a57c2f1a988119488b50931
  csvHeight: 419328, // 000000000000000004a1b34462cb8aeebd5799177f7a29cf28f2d1961716b5b5
  segwitHeight: 481824, // 0000000000000000001c8018d9cb3b742ef25114f27563e3fc4a1902167f9893
  taprootHeight: 709632,
  scriptFlagExceptions: new Map([
    // BIP16 exception
    ['00000000000002dc756eebf4f49723ed8d30cc28a5f108eb94b1ba88ac4f9c22', SCRIPT_VERIFY.NONE],
    // Taproot exception
    ['0000000000000000000f14c35b2d841e986ab5441de8c585d5ffe55ea1e395ad', SCRIPT_VERIFY.P2SH | SCRIPT_VERIFY.WITNESS],
  ]),
  bip30Repeat: [
    { height: 91842, hash: '00000000000a4d0a398161ffc163c503763b1f4360639393e0e4c8e300e0caec' },
    { height: 91880, hash: '00000000000743f190a18c5577a3c2d2a1f610ae9601ac046a38084ccb7cd721' },
  ],
  bip30Unspendable: [
    { height: 91722, hash: '00000000000271a2dc26e7667f8419f2e15416dc6955e5a6c6cdf3f2574dd08e' },
    { height: 91812, hash: '00000000000af0aed4792b1acee3d966af36cf5def14935db8de83d6f9306f2f' },
  ],
  powLimit: POW_LIMIT_MAIN,
  powTargetTimespan: 14 * 24 * 60 * 60,
  powTargetSpacing: 10 * 60,
  powAllowMinDifficultyBlocks: false,
  powNoRetargeting: false,
  enforceBIP94: false,
};

export const TESTNET3: ChainParams = {
  network: 'testnet3',
  genesisHash: '000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943',
  genesisBlock: createGenesisBlock(GENESIS_SPECS.testnet3),
  magic: Uint8Array.of(0x0b, 0x11, 0x09, 0x07),
  defaultPort: 18333,
  assumeutxo: [
    { height: 2_500_000, hashSerialized: 'f841584909f68e47897952345234e37fcd9128cd818f41ee6c3ca68db8071be7', chainTxCount: 66484552, blockHash: '0000000000000093bcb68c03a9a168ae252572d348a2eaeba2cdf9231d73206f' },
  ],
  subsidyHalvingInterval: 210000,
  bip34Height: 21111,
  bip34Hash: '0000000023b3a96d3484e5abb3755c413e7d41500f8e2a5c3f0dd01299cd8ef8',
  bip65Height: 581885, // 00000000007f6655f22f98e72ed80d8b06dc761d5da09df0fa1dc4be4f861eb6
  bip66Height: 330776, // 000000002104c8c45e99a8853285a3b592602a3ccde2b832481da85e9e4ba182
  csvHeight: 770112, // 00000000025e930139bac5c6c31a403776da130831ab85be56578f3fa75369bb
  segwitHeight: 834624, // 00000000002b980fcd729daaa248fd9316a5200e9b367f4ff2c42453e84201ca
  taprootHeight: 2011968,
  scriptFlagExceptions: new Map([
    // BIP16 exception
    ['00000000dd30457c001f4095d208cc1296b0eed002427aa599874af7a432b105', SCRIPT_VERIFY.NONE],
  ]),
  bip30Repeat: [],
  bip30Unspendable: [],
  powLimit: POW_LIMIT_MAIN,
  powTargetTimespan: 14 * 24 * 60 * 60,
  powTargetSpacing: 10 * 60,
  powAllowMinDifficultyBlocks: true,
  powNoRetargeting: false,
  enforceBIP94: false,
};

export const TESTNET4: ChainParams = {
  network: 'testnet4',
  genesisHash: '00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043',
  genesisBlock: createGenesisBlock(GENESIS_SPECS.testnet4),
  magic: Uint8Array.of(0x1c, 0x16, 0x3f, 0x28),
  defaultPort: 48333,
  assumeutxo: [
    { height: 90_000, hashSerialized: '784fb5e98241de66fdd429f4392155c9e7db5c017148e66e8fdbc95746f8b9b5', chainTxCount: 11347043, blockHash: '0000000002ebe8bcda020e0dd6ccfbdfac531d2f6a81457191b99fc2df2dbe3b' },
  ],
  subsidyHalvingInterval: 210000,
  bip34Height: 1,
  bip34Hash: ZERO_HASH,
  bip65Height: 1,
  bip66Height: 1,
  csvHeight: 1,
  segwitHeight: 1,
  taprootHeight: 0, // ALWAYS_ACTIVE
  scriptFlagExceptions: new Map(),
  bip30Repeat: [],
  bip30Unspendable: [],
  powLimit: POW_LIMIT_MAIN,
  powTargetTimespan: 14 * 24 * 60 * 60,
  powTargetSpacing: 10 * 60,
  powAllowMinDifficultyBlocks: true,
  powNoRetargeting: false,
  enforceBIP94: true,
};

/** The default signet (challenge 512103ad5e…52ae); its block-solution check is not implemented. */
export const SIGNET: ChainParams = {
  network: 'signet',
  genesisHash: '00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6',
  genesisBlock: createGenesisBlock(GENESIS_SPECS.signet),
  magic: Uint8Array.of(0x0a, 0x03, 0xcf, 0x40),
  defaultPort: 38333,
  assumeutxo: [
    { height: 160_000, hashSerialized: 'fe0a44309b74d6b5883d246cb419c6221bcccf0b308c9b59b7d70783dbdf928a', chainTxCount: 2289496, blockHash: '0000003ca3c99aff040f2563c2ad8f8ec88bd0fd6b8f0895cfaf1ef90353a62c' },
  ],
  subsidyHalvingInterval: 210000,
  bip34Height: 1,
  bip34Hash: ZERO_HASH,
  bip65Height: 1,
  bip66Height: 1,
  csvHeight: 1,
  segwitHeight: 1,
  taprootHeight: 0, // ALWAYS_ACTIVE
  scriptFlagExceptions: new Map(),
  bip30Repeat: [],
  bip30Unspendable: [],
  powLimit: 0x00000377ae000000000000000000000000000000000000000000000000000000n,
  powTargetTimespan: 14 * 24 * 60 * 60,
  powTargetSpacing: 10 * 60,
  powAllowMinDifficultyBlocks: false,
  powNoRetargeting: false,
  enforceBIP94: false,
};

/** Regtest with Core's defaults (no -testactivationheight / -vbparams overrides). */
export const REGTEST: ChainParams = {
  network: 'regtest',
  genesisHash: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
  genesisBlock: createGenesisBlock(GENESIS_SPECS.regtest),
  magic: Uint8Array.of(0xfa, 0xbf, 0xb5, 0xda),
  defaultPort: 18444,
  // 110: unit tests (TestChain100Setup + 10 blocks); 200: the fuzz target's CreateBlockChain
  // (test/util/mining.cpp), rebuilt in test/utxo/snapshot-hash.test.ts; 299: feature_assumeutxo.py
  assumeutxo: [
    { height: 110, hashSerialized: 'b952555c8ab81fec46f3d4253b7af256d766ceb39fb7752b9d18cdf4a0141327', chainTxCount: 111, blockHash: '6affe030b7965ab538f820a56ef56c8149b7dc1d1c144af57113be080db7c397' },
    { height: 200, hashSerialized: '17dcc016d188d16068907cdeb38b75691a118d43053b8cd6a25969419381d13a', chainTxCount: 201, blockHash: '385901ccbd69dff6bbd00065d01fb8a9e464dede7cfe0372443884f9b1dcf6b9' },
    { height: 299, hashSerialized: 'd2b051ff5e8eef46520350776f4100dd710a63447a8e01d917e92e79751a63e2', chainTxCount: 334, blockHash: '7cc695046fec709f8c9394b6f928f81e81fd3ac20977bb68760fa1faa7916ea2' },
  ],
  subsidyHalvingInterval: 150,
  bip34Height: 1, // Always active unless overridden
  bip34Hash: ZERO_HASH,
  bip65Height: 1,
  bip66Height: 1,
  csvHeight: 1,
  segwitHeight: 0, // Always active unless overridden
  taprootHeight: 0, // ALWAYS_ACTIVE
  scriptFlagExceptions: new Map(),
  bip30Repeat: [],
  bip30Unspendable: [],
  powLimit: 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffn,
  powTargetTimespan: 24 * 60 * 60,
  powTargetSpacing: 10 * 60,
  powAllowMinDifficultyBlocks: true,
  powNoRetargeting: true,
  enforceBIP94: false,
};

export const NETWORKS: Readonly<Record<NetworkName, ChainParams>> = {
  mainnet: MAINNET,
  testnet3: TESTNET3,
  testnet4: TESTNET4,
  signet: SIGNET,
  regtest: REGTEST,
};

export function chainParams(network: NetworkName): ChainParams {
  return NETWORKS[network];
}

/** CChainParams::AssumeutxoForBlockhash: the entry whose base is this block (display hex). */
export function assumeutxoForBlockhash(params: ChainParams, blockHash: string): AssumeutxoData | undefined {
  return params.assumeutxo.find((a) => a.blockHash === blockHash);
}

export { getBlockScriptFlags as scriptFlagsAt } from '../consensus/script-flags.ts';
export { getBlockSubsidy } from '../consensus/subsidy.ts';
