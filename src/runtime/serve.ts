/**
 * Entry point: `bun src/runtime/serve.ts`, `deno run -A src/runtime/serve.ts`,
 * `node --import tsx src/runtime/serve.ts` (options: see config.ts, or --help).
 */
import { main } from './serve-main.ts';

await main();
