/** Listening with the current runtime's HTTP server (serve-node.ts, serve-bun.ts, serve-deno.ts). */
import { runtimeName } from './crypto/runtime-info.ts';
import type { Listening, ServeOptions } from './serve-types.ts';

export async function listen(opts: ServeOptions): Promise<Listening> {
  switch (runtimeName()) {
    case 'bun':
      return (await import('./serve-bun.ts')).listenBun(opts);
    case 'deno':
      return (await import('./serve-deno.ts')).listenDeno(opts);
    default:
      return (await import('./serve-node.ts')).listenNode(opts);
  }
}
