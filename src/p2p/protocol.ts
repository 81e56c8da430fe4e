/**
 * Protocol constants of the peer-to-peer network (protocol.h, net_processing.cpp, net.h).
 */

/** PROTOCOL_VERSION (BIP339's wtxidrelay needs 70016). */
export const PROTOCOL_VERSION = 70016;
/** MIN_PEER_PROTO_VERSION: older peers are disconnected. */
export const MIN_PEER_PROTO_VERSION = 31800;
/** WTXID_RELAY_VERSION (BIP339). */
export const WTXID_RELAY_VERSION = 70016;
/** SENDHEADERS_VERSION (BIP130). */
export const SENDHEADERS_VERSION = 70012;
/** FEEFILTER_VERSION (BIP133). */
export const FEEFILTER_VERSION = 70013;

/** Service bits (protocol.h ServiceFlags). */
export const NODE_NETWORK = 1n;
export const NODE_WITNESS = 1n << 3n;
export const NODE_NETWORK_LIMITED = 1n << 10n;

/** Inventory types (protocol.h GetDataMsg). */
export const MSG_TX = 1;
export const MSG_BLOCK = 2;
export const MSG_FILTERED_BLOCK = 3;
export const MSG_CMPCT_BLOCK = 4;
export const MSG_WTX = 5;
export const MSG_WITNESS_FLAG = 0x40000000;
export const MSG_WITNESS_BLOCK = MSG_BLOCK | MSG_WITNESS_FLAG;
export const MSG_WITNESS_TX = MSG_TX | MSG_WITNESS_FLAG;

/** MAX_PROTOCOL_MESSAGE_LENGTH (net.h): no message payload is larger. */
export const MAX_PROTOCOL_MESSAGE_LENGTH = 4_000_000;
/** MAX_INV_SZ: entries in one inv, getdata or notfound. */
export const MAX_INV_SZ = 50_000;
/** MAX_HEADERS_RESULTS: headers in one headers message. */
export const MAX_HEADERS_RESULTS = 2000;
/** MAX_LOCATOR_SZ: hashes in a block locator. */
export const MAX_LOCATOR_SZ = 101;
/** MAX_ADDR_TO_SEND: entries in one addr message. */
export const MAX_ADDR_TO_SEND = 1000;
/** MAX_SUBVERSION_LENGTH: the version message's user agent. */
export const MAX_SUBVERSION_LENGTH = 256;
/** Message header: magic, command, length, checksum. */
export const HEADER_SIZE = 24;
/** COMMAND_SIZE: the command name's field. */
export const COMMAND_SIZE = 12;

/** Our user agent (BIP14). */
export const USER_AGENT = '/txgate:0.1.0/';
