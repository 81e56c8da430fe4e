/** See runtime-env.mjs. */
export function runtimeEnv(runtime: 'node' | 'bun' | 'deno', env?: Record<string, string | undefined>): Record<string, string>;
/** 'bun' when a package script was started by Bun (see runtime-env.mjs), else 'node'. */
export function launcherRuntime(env: Record<string, string | undefined>, ancestors: string[]): 'bun' | 'node';
/** Executable names of this process's parent and grandparent. */
export function ancestorNames(levels?: number): string[];
