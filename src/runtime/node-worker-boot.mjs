// Node 20 worker_threads cannot load a TypeScript entry through `--import tsx` (loader hooks
// do not reach workers there), so Node workers start here and load the real entry with
// tsx's tsImport. Bun and Deno start the .ts entry directly.
import { workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

await tsImport(workerData.__txgateEntry, import.meta.url);
