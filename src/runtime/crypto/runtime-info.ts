/** Which JavaScript runtime this is, for choosing backends and labelling reports. */
export type RuntimeName = 'node' | 'bun' | 'deno';

interface Globals {
  Bun?: { version: string };
  Deno?: { version: { deno: string } };
  process?: { versions?: { node?: string } };
}

export function runtimeName(): RuntimeName {
  const g = globalThis as unknown as Globals;
  if (g.Bun) return 'bun';
  if (g.Deno) return 'deno';
  return 'node';
}

/** e.g. `node 20.20.2`, `bun 1.4.5`, `deno 2.9.6`. */
export function runtimeLabel(): string {
  const g = globalThis as unknown as Globals;
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  return `node ${g.process?.versions?.node ?? '?'}`;
}
