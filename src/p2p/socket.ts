/**
 * The one thing the P2P code needs from a runtime: a connected TCP stream. The runtime layer
 * (src/runtime/p2p-socket.ts) makes one with node:net, Bun.connect or Deno.connect; nothing
 * else in txgate touches sockets.
 */
export interface P2PSocket {
  /** Queues bytes for sending. */
  write(bytes: Uint8Array): void;
  /** Bytes queued and not yet handed to the operating system. */
  readonly pending: number;
  /** Closes the connection; onClose runs once, afterwards. */
  close(): void;
  /** Received bytes: each chunk is the receiver's to keep (the socket does not reuse it). */
  onData(cb: (chunk: Uint8Array) => void): void;
  onClose(cb: (error?: Error) => void): void;
}

/** Opens a TCP connection (rejects when it cannot). */
export type Connect = (host: string, port: number) => Promise<P2PSocket>;
