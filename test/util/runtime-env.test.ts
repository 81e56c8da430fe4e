import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeEnv } from '../../scripts/runtime-env.mjs';

test('runtime environment of the package scripts: Bun keeps freed memory, settings already made win', () => {
  assert.deepEqual(runtimeEnv('bun', {}), { MIMALLOC_PURGE_DELAY: '-1' });
  assert.deepEqual(runtimeEnv('bun', { MIMALLOC_PURGE_DELAY: '250' }), { MIMALLOC_PURGE_DELAY: '250' });
  assert.deepEqual(runtimeEnv('node', {}), {});
  assert.deepEqual(runtimeEnv('deno', {}), {});
});
