// The edge handler under Deno Deploy's model: edge/deno.ts serves it with Deno.serve (on
// PORT, here 0: any free port) and answers as the Cloudflare Worker does.
import { test } from 'node:test';
import { edgeSmoke } from '../util/edge-smoke.ts';

interface DenoLike {
  env: { set(name: string, value: string): void; delete(name: string): void };
}
const deno = (globalThis as unknown as { Deno: DenoLike }).Deno;

test('edge/deno.ts: Deno.serve of the edge fetch handler', async () => {
  deno.env.set('PORT', '0');
  const { server } = await import('../../edge/deno.ts');
  deno.env.delete('PORT');
  try {
    await edgeSmoke(`http://127.0.0.1:${server.addr.port}`, 'deno');
  } finally {
    await server.shutdown();
  }
});
