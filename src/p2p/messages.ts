/**
 * Payload codecs of the messages txgate speaks (protocol.h, net_processing.cpp). Every
 * decoder reads the whole payload and throws DecodeError (src/primitives/decode-error.ts)
 * at this parse boundary: truncated, trailing bytes, a count over its protocol limit.
 * Commands txgate does not know decode as `unknown` and are ignored, as Core ignores them.
 */
import { decodeBlock, decodeHeader, type Block, type BlockHeader } from '../primitives/block.ts';
import { ByteReader, ByteWriter } from '../primitives/codec.ts';
import { DecodeError } from '../primitives/decode-error.ts';
import { decodeTx, readTransaction, type Transaction } from '../primitives/tx.ts';
import { MAX_ADDR_TO_SEND, MAX_HEADERS_RESULTS, MAX_INV_SZ, MAX_LOCATOR_SZ, MAX_SUBVERSION_LENGTH } from './protocol.ts';

/** CAddress without its time (the version message's form). */
export interface NetAddr {
  services: bigint;
  /** 16 bytes, IPv6 or IPv4-mapped. */
  ip: Uint8Array;
  port: number;
}

export interface VersionPayload {
  version: number;
  services: bigint;
  timestamp: bigint;
  recv: NetAddr;
  from: NetAddr;
  nonce: bigint;
  userAgent: string;
  startHeight: number;
  /** BIP37 fRelay: false asks for no transaction announcements. */
  relay: boolean;
}

export interface InvItem {
  type: number;
  /** Internal byte order. */
  hash: Uint8Array;
}

export type Message =
  | { command: 'version'; version: VersionPayload }
  | { command: 'verack' | 'sendheaders' | 'wtxidrelay' | 'getaddr' | 'mempool' | 'sendaddrv2' }
  | { command: 'ping' | 'pong'; nonce: bigint }
  | { command: 'feefilter'; feeRate: bigint }
  | { command: 'sendcmpct'; announce: boolean; cmpctVersion: bigint }
  | { command: 'addr'; count: number }
  | { command: 'inv' | 'getdata' | 'notfound'; items: InvItem[] }
  | { command: 'getheaders'; version: number; locator: Uint8Array[]; stop: Uint8Array }
  | { command: 'headers'; headers: BlockHeader[] }
  /** BIP152 HeaderAndShortIDs: the header is read; short ids (6 bytes each) and prefilled transactions (checked) stay raw. */
  | { command: 'cmpctblock'; header: BlockHeader; nonce: bigint; shortIds: Uint8Array; prefilled: Uint8Array }
  | { command: 'block'; block: Block }
  | { command: 'tx'; tx: Transaction }
  | { command: 'reject' }
  | { command: 'unknown'; name: string };

const EMPTY = new Set(['verack', 'sendheaders', 'wtxidrelay', 'getaddr', 'mempool', 'sendaddrv2']);
const UTF8 = new TextDecoder('utf-8', { fatal: false });
const UTF8_ENC = new TextEncoder();

function readAddr(r: ByteReader): NetAddr {
  const services = r.u64('services');
  const ip = r.bytes(16, 'address').slice();
  const port = (r.u8('port') << 8) | r.u8('port');
  return { services, ip, port };
}

function writeAddr(w: ByteWriter, a: NetAddr): void {
  w.i64(a.services).bytes(a.ip).u8(a.port >>> 8).u8(a.port & 0xff);
}

function readVersion(r: ByteReader): VersionPayload {
  const version = r.u32('version') | 0;
  const services = r.u64('services');
  const timestamp = r.i64('timestamp');
  const recv = readAddr(r);
  // Peers older than 106 stop here; Core requires the rest since MIN_PEER_PROTO_VERSION.
  const from = readAddr(r);
  const nonce = r.u64('nonce');
  const ua = r.compactSize('user agent');
  if (ua > MAX_SUBVERSION_LENGTH) throw new DecodeError('oversize', `user agent of ${ua} bytes is over ${MAX_SUBVERSION_LENGTH}`, r.pos);
  const userAgent = UTF8.decode(r.bytes(ua, 'user agent'));
  const startHeight = r.u32('start height') | 0;
  // fRelay is optional (BIP37): absent means relay.
  const relay = r.remaining ? r.u8('relay') !== 0 : true;
  return { version, services, timestamp, recv, from, nonce, userAgent, startHeight, relay };
}

function readCount(r: ByteReader, max: number, itemSize: number, what: string): number {
  const start = r.pos;
  const n = r.compactSize(`${what} count`);
  if (n > max) throw new DecodeError('oversize', `${n} ${what} in one message, over ${max}`, start);
  if (n * itemSize > r.remaining) throw new DecodeError('truncated', `${n} ${what} declared, ${r.remaining} bytes left`, start);
  return n;
}

function readInv(r: ByteReader): InvItem[] {
  const n = readCount(r, MAX_INV_SZ, 36, 'inventory items');
  const items: InvItem[] = new Array(n);
  for (let i = 0; i < n; i++) items[i] = { type: r.u32('inventory type'), hash: r.bytes(32, 'inventory hash').slice() };
  return items;
}

/** Decodes the payload of `command` (throws DecodeError). */
export function decodeMessage(command: string, payload: Uint8Array): Message {
  if (command === 'block') return { command, block: decodeBlock(payload) };
  if (command === 'tx') return { command, tx: decodeTx(payload) };
  if (command === 'reject') return { command };
  const r = new ByteReader(payload, `${command} message`);
  let m: Message;
  if (EMPTY.has(command)) m = { command: command as 'verack' };
  else {
    switch (command) {
      case 'version': m = { command, version: readVersion(r) }; break;
      case 'ping':
      case 'pong': m = { command, nonce: r.u64('nonce') }; break;
      case 'feefilter': m = { command, feeRate: r.i64('fee rate') }; break;
      case 'sendcmpct': m = { command, announce: r.u8('announce') !== 0, cmpctVersion: r.u64('version') }; break;
      case 'addr': {
        const n = readCount(r, MAX_ADDR_TO_SEND, 30, 'addresses');
        r.bytes(n * 30, 'addresses');
        m = { command, count: n };
        break;
      }
      case 'inv':
      case 'getdata':
      case 'notfound': m = { command, items: readInv(r) }; break;
      case 'getheaders': {
        const version = r.u32('version') | 0;
        const n = readCount(r, MAX_LOCATOR_SZ, 32, 'locator hashes');
        const locator: Uint8Array[] = [];
        for (let i = 0; i < n; i++) locator.push(r.bytes(32, 'locator hash').slice());
        m = { command, version, locator, stop: r.bytes(32, 'stop hash').slice() };
        break;
      }
      case 'headers': {
        const n = readCount(r, MAX_HEADERS_RESULTS, 81, 'headers');
        const headers: BlockHeader[] = new Array(n);
        for (let i = 0; i < n; i++) {
          headers[i] = decodeHeader(r.bytes(80, 'header').slice());
          const at = r.pos;
          // A headers message carries each header with a transaction count of zero.
          if (r.compactSize('transaction count') !== 0) throw new DecodeError('invalid', 'headers message with a non-zero transaction count', at);
        }
        m = { command, headers };
        break;
      }
      case 'cmpctblock': {
        const header = decodeHeader(r.bytes(80, 'header').slice());
        const nonce = r.u64('nonce');
        const n = readCount(r, Math.floor(r.remaining / 6), 6, 'short ids');
        const shortIds = r.bytes(6 * n, 'short ids').slice();
        // PrefilledTransaction: differential index, then the transaction with its witness
        const at = r.pos;
        const k = readCount(r, Number.MAX_SAFE_INTEGER, 11, 'prefilled transactions');
        for (let i = 0; i < k; i++) {
          r.compactSize('prefilled index');
          readTransaction(r);
        }
        m = { command, header, nonce, shortIds, prefilled: payload.slice(at, r.pos) };
        break;
      }
      default:
        return { command: 'unknown', name: command };
    }
  }
  r.end();
  return m;
}

/** The payload bytes of a message (the inverse of decodeMessage). */
export function encodeMessage(m: Message): Uint8Array {
  const w = new ByteWriter(64);
  switch (m.command) {
    case 'version': {
      const v = m.version;
      w.u32(v.version).i64(v.services).i64(v.timestamp);
      writeAddr(w, v.recv);
      writeAddr(w, v.from);
      w.i64(v.nonce).varBytes(UTF8_ENC.encode(v.userAgent)).u32(v.startHeight).u8(v.relay ? 1 : 0);
      break;
    }
    case 'ping':
    case 'pong': w.i64(m.nonce); break;
    case 'feefilter': w.i64(m.feeRate); break;
    case 'sendcmpct': w.u8(m.announce ? 1 : 0).i64(m.cmpctVersion); break;
    case 'addr': {
      w.compactSize(m.count);
      for (let i = 0; i < m.count; i++) writeAddr(w.u32(0), { services: 0n, ip: new Uint8Array(16), port: 0 });
      break;
    }
    case 'inv':
    case 'getdata':
    case 'notfound':
      w.compactSize(m.items.length);
      for (const it of m.items) w.u32(it.type).bytes(it.hash);
      break;
    case 'getheaders':
      w.u32(m.version).compactSize(m.locator.length);
      for (const h of m.locator) w.bytes(h);
      w.bytes(m.stop);
      break;
    case 'headers':
      w.compactSize(m.headers.length);
      for (const h of m.headers) w.bytes(h.raw).u8(0);
      break;
    case 'cmpctblock': w.bytes(m.header.raw).i64(m.nonce).compactSize(m.shortIds.length / 6).bytes(m.shortIds).bytes(m.prefilled); break;
    case 'block': return m.block.raw;
    case 'tx': return m.tx.raw;
    case 'reject':
    case 'unknown': throw new RangeError(`txgate does not send ${m.command === 'unknown' ? m.name : m.command}`);
    default: break; // the empty messages
  }
  return w.finish();
}

/** The command a message is sent under. */
export function commandOf(m: Message): string {
  return m.command === 'unknown' ? m.name : m.command;
}
