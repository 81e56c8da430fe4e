/**
 * The part of `node:test` the test files use (describe, test, it, their .skip), for the
 * mutation-testing bundles (scripts/mutate-build.mjs aliases `node:test` to this file).
 * Nothing runs here: each call records its test in a list on globalThis, and the Stryker
 * runner (scripts/stryker/runner.mjs) takes the list after importing a bundle and runs the
 * tests in order, in its own process, for one mutant after another.
 */
const REGISTRY = Symbol.for('txgate.mutate.tests');
const tests = (globalThis[REGISTRY] ??= []);
const path = [];

/** node:test's overloads: (name, fn), (name, options, fn), (fn). */
function args(name, options, fn) {
  if (typeof name === 'function') return { name: name.name || '<anonymous>', options: {}, fn: name };
  if (typeof options === 'function') return { name, options: {}, fn: options };
  return { name, options: options ?? {}, fn };
}

export function describe(name, options, fn) {
  const a = args(name, options, fn);
  path.push(a.name);
  try {
    if (a.options.skip || a.options.todo) return;
    const r = a.fn?.();
    if (r && typeof r.then === 'function') throw new Error(`describe('${a.name}'): an async suite body is not supported by the mutation runner`);
  } finally {
    path.pop();
  }
}

export function test(name, options, fn) {
  const a = args(name, options, fn);
  tests.push({
    name: [...path, a.name].join(' > '),
    skip: Boolean(a.options.skip || a.options.todo),
    fn: a.fn,
  });
}

const skipped = (register) => (name, options, fn) => {
  const a = args(name, options, fn);
  register(a.name, { ...a.options, skip: true }, a.fn);
};
test.skip = skipped(test);
describe.skip = skipped(describe);
test.todo = test.skip;
export const it = test;
export const suite = describe;
export default test;
