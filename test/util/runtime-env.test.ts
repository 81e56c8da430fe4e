import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ancestorNames, launcherRuntime, runtimeEnv } from '../../scripts/runtime-env.mjs';

test('runtime environment of the package scripts: Bun keeps freed memory, settings already made win', () => {
  assert.deepEqual(runtimeEnv('bun', {}), { MIMALLOC_PURGE_DELAY: '1000' });
  assert.deepEqual(runtimeEnv('bun', { MIMALLOC_PURGE_DELAY: '250' }), { MIMALLOC_PURGE_DELAY: '250' });
  assert.deepEqual(runtimeEnv('node', {}), {});
  assert.deepEqual(runtimeEnv('deno', {}), {});
});

test('the runtime that started a package script: Bun by its user agent, or among the parent processes (npx bun)', () => {
  assert.equal(launcherRuntime({ npm_config_user_agent: 'bun/1.4.5 npm/? node/v26.3.0 linux x64' }, ['sh']), 'bun');
  // `npx bun run serve`: npm's variables are kept, the grandparent is Bun's executable.
  assert.equal(launcherRuntime({ npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64' }, ['sh', 'bun.exe']), 'bun');
  assert.equal(launcherRuntime({}, ['/home/u/.bun/bin/bun']), 'bun');
  assert.equal(launcherRuntime({ npm_config_user_agent: 'npm/11.19.1 node/v20.20.2 linux x64' }, ['sh', 'npm exec']), 'node');
  assert.equal(launcherRuntime({}, ['bash', 'bunny']), 'node');
  assert.ok(Array.isArray(ancestorNames()) && ancestorNames().length > 0, 'the test runner has a parent process');
});
