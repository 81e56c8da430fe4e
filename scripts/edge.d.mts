/** See edge.mjs. */
import type { ChildProcess } from 'node:child_process';
import type { Metafile } from 'esbuild';

export const COMPATIBILITY_DATE: string;
export const DEFAULT_OUTDIR: string;
export function buildEdge(opts?: { outdir?: string; entry?: string; external?: string[] }): Promise<{ outfile: string; bytes: number; gzipBytes: number; metafile: Metafile }>;
export function workerdConfig(vars?: Record<string, string | number>): string;
export function writeWorkerdConfig(outdir?: string, vars?: Record<string, string | number>): string;
export function workerdBinary(): string;
export function startWorkerd(config: string, opts?: { port?: number; host?: string; stdio?: 'pipe' | 'inherit' }): Promise<{ child: ChildProcess; url: string; log(): string }>;
