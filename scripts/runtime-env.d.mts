/** See runtime-env.mjs. */
export function runtimeEnv(runtime: 'node' | 'bun' | 'deno', env?: Record<string, string | undefined>): Record<string, string>;
