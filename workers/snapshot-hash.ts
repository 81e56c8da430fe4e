/**
 * Snapshot hash worker: computes Core's hash_serialized_3 of a `dumptxoutset` file from its
 * chunks, which the loading thread hands over (transferred) once it has parsed them
 * (src/node/snapshot-hash-worker.ts). It parses the coins itself (src/utxo/snapshot.ts
 * hashSnapshot: TxOutSer per coin, then SHA-256 over 64 KiB blocks), in parallel with the
 * loading thread's parse and inserts.
 *
 * Messages in: {type: 'chunk', chunk}, then {type: 'end'}. Out: {type: 'ack'} per chunk
 * taken from the queue (the sender's bound), then {type: 'done', hash, ordered, coins} or
 * {type: 'error', message}.
 */
import { workerPort } from '../src/runtime/worker-self.ts';
import { setSha256Backend } from '../src/primitives/hash.ts';
import { nativeBulkSha256 } from '../src/runtime/crypto/sha256-native.ts';
import { hashSnapshot } from '../src/utxo/snapshot.ts';

const queue: (Uint8Array | null)[] = [];
let wake: (() => void) | undefined;
let started = false;

async function* chunks(): AsyncGenerator<Uint8Array> {
  for (;;) {
    while (queue.length === 0) await new Promise<void>((r) => (wake = r));
    const c = queue.shift()!;
    if (c === null) return;
    workerPort.postMessage({ type: 'ack' });
    yield c;
  }
}

async function run(): Promise<void> {
  try {
    setSha256Backend(await nativeBulkSha256());
    const meta = await hashSnapshot(chunks());
    workerPort.postMessage({ type: 'done', hash: meta.hashSerialized, ordered: meta.ordered, coins: meta.coinsCount });
  } catch (e) {
    workerPort.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
}

workerPort.onMessage((data) => {
  const m = data as { type: string; chunk?: Uint8Array };
  queue.push(m.type === 'chunk' ? m.chunk! : null);
  const w = wake;
  wake = undefined;
  w?.();
  if (!started) {
    started = true;
    void run();
  }
});
