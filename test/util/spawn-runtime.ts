/** How to run a TypeScript file with the runtime running the tests (for child processes). */
import { runtimeName } from '../../src/runtime/crypto/runtime-info.ts';

export function scriptCommand(script: string, args: string[] = []): { cmd: string; args: string[] } {
  switch (runtimeName()) {
    case 'node':
      return { cmd: process.execPath, args: ['--import', 'tsx', script, ...args] };
    case 'bun':
      return { cmd: process.execPath, args: [script, ...args] };
    case 'deno':
      return { cmd: process.execPath, args: ['run', '-A', '--no-check', script, ...args] };
  }
}
