// The edge handler as Bun serves a module: edge/bun.ts's `export default { fetch }`, given to
// Bun.serve as `bun edge/bun.ts` does (here on any free port), answers as the Cloudflare
// Worker does.
import { test } from 'node:test';
import entry from '../../edge/bun.ts';
import { edgeSmoke } from '../util/edge-smoke.ts';

interface BunLike {
  serve(o: { port: number; fetch: (req: Request) => Response | Promise<Response> }): { port: number; stop(force?: boolean): Promise<void> | void };
}
const bun = (globalThis as unknown as { Bun: BunLike }).Bun;

test('edge/bun.ts: export default { fetch }, served by Bun', async () => {
  const server = bun.serve({ ...entry, port: 0 });
  try {
    await edgeSmoke(`http://127.0.0.1:${server.port}`, 'bun');
  } finally {
    await server.stop(true);
  }
});
