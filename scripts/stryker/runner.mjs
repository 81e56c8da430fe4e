/**
 * A StrykerJS test runner ("txgate-bundle", stryker.config.json) that runs the test bundles
 * of scripts/mutate-build.mjs inside Stryker's own long-lived runner process instead of
 * starting a Node process per test file and mutant.
 *
 * Each run of a test file imports its bundle afresh (a new `?run=N` URL), so every module
 * of src and test/util is evaluated again with the mutant already switched on, exactly as
 * a new process would see it; only npm packages (noble, fast-check, ...) are shared between
 * runs. `node:test` is the shim of scripts/stryker/node-test-shim.mjs: importing a bundle
 * records its tests, and this runner runs them in order.
 *
 * Coverage is per test: each test of a file is a Stryker test (`file#index`), and so is the
 * file's loading (`file#load`, the code its modules run at import). A mutant reached while a
 * file loads runs that whole file; otherwise only the tests that reach it run, in file order,
 * after a fresh import. Tests of a file may share state, so a failing subset only counts as a
 * kill if the same subset passes with no mutant; when it does not (a test leaning on an
 * earlier one), the whole file runs with the mutant and decides. A mutant's files run fastest
 * first (the dry run's times), so a killed mutant usually stops after a cheap one. Infinite loops are Stryker's business: its timeout kills this process and starts another.
 * Every imported bundle stays in memory, so `maxTestRunnerReuse` restarts the process now
 * and then.
 */
import { pathToFileURL } from 'node:url';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { commonTokens, declareClassPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import { determineHitLimitReached, DryRunStatus, TestStatus, toMutantRunResult } from '@stryker-mutator/api/test-runner';
import { INSTRUMENTER_CONSTANTS } from '@stryker-mutator/api/core';

const REGISTRY = Symbol.for('txgate.mutate.tests');
/** The dry run's time per test file, in the sandbox, for the other runner processes. */
const TIMES_FILE = '.txgate-mutate-times.json';
const NS = INSTRUMENTER_CONSTANTS.NAMESPACE;

/** Every `*.test.mjs` under `dir`, as a path relative to the sandbox. */
function bundlesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...bundlesUnder(path));
    else if (entry.name.endsWith('.test.mjs')) out.push(path.split('\\').join('/'));
  }
  return out;
}

/** Errors thrown outside any awaited test (a stray rejection, a timer): they fail the file being run. */
const stray = [];
process.on('unhandledRejection', (e) => stray.push(e));
process.on('uncaughtException', (e) => stray.push(e));

function message(e) {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Runs one test function: a returned promise is awaited, a second parameter is node:test's done callback. */
function call(fn) {
  if (fn.length >= 2) {
    return new Promise((ok, fail) => {
      fn({}, (err) => (err ? fail(err) : ok()));
    });
  }
  return fn({});
}

/** `file#index` or `file#load` → [file, index | 'load']. */
function parseId(id) {
  const at = id.lastIndexOf('#');
  const k = id.slice(at + 1);
  return [id.slice(0, at), k === 'load' ? k : Number(k)];
}

class BundleTestRunner {
  static inject = tokens(commonTokens.options);
  files = [];
  run = 0;
  /** Subset runs that fail with no mutant at all, per `file|indices` (memo for this process). */
  baseline = new Map();

  constructor(options) {
    this.dirs = options.txgateBundle?.testDirs ?? ['test'];
  }

  capabilities() {
    return { reloadEnvironment: true };
  }

  async init() {
    this.files = this.dirs.flatMap((d) => bundlesUnder(d)).sort();
    if (this.files.length === 0) throw new Error(`no *.test.mjs under ${this.dirs.join(', ')}: did the buildCommand run?`);
  }

  /**
   * Imports a fresh copy of `file` with `ns` as the instrumentation's global and runs its
   * tests (`only`: the indices to run, all when undefined). One TestResult per test run, and
   * one for the loading when it fails.
   */
  async runFile(file, ns, only, bail) {
    globalThis[NS] = ns;
    const setTest = (k) => (ns[INSTRUMENTER_CONSTANTS.CURRENT_TEST_ID] = `${file}#${k}`);
    stray.length = 0;
    const registry = (globalThis[REGISTRY] ??= []);
    registry.length = 0;
    const results = [];
    const result = (k, name, t0, failure) => {
      const base = { id: `${file}#${k}`, name: `${file} > ${name}`, fileName: file, timeSpentMs: Math.round(performance.now() - t0) };
      results.push(failure === undefined ? { ...base, status: TestStatus.Success } : { ...base, status: TestStatus.Failed, failureMessage: failure });
      return failure !== undefined;
    };
    let t0 = performance.now();
    setTest('load');
    try {
      await import(`${pathToFileURL(resolve(file)).href}?run=${++this.run}`);
      if (stray.length > 0) throw stray[0];
      result('load', '(loading)', t0);
    } catch (e) {
      result('load', '(loading)', t0, message(e));
      registry.length = 0;
      return results;
    }
    const tests = registry.splice(0);
    for (let k = 0; k < tests.length; k++) {
      const t = tests[k];
      if (t.skip || !t.fn || (only && !only.has(k))) continue;
      setTest(k);
      t0 = performance.now();
      let failure;
      try {
        await call(t.fn);
        if (stray.length > 0) failure = `${message(stray[0])} (outside the test's own promise)`;
      } catch (e) {
        failure = message(e);
      }
      // Let the timers and promises the test left behind settle inside its own run.
      await new Promise((r) => setImmediate(r));
      if (failure === undefined && stray.length > 0) failure = `after the test: ${message(stray[0])}`;
      stray.length = 0;
      if (result(k, t.name, t0, failure) && bail) break;
    }
    return results;
  }

  async dryRun(options) {
    const ns = {};
    const files = options.testFiles?.length ? options.testFiles : this.files;
    const tests = [];
    for (const file of files) {
      const results = await this.runFile(file, ns, undefined, false);
      tests.push(...results);
      if (!options.disableBail && results.some((r) => r.status !== TestStatus.Success)) break;
    }
    const perFile = {};
    for (const t of tests) perFile[t.fileName] = (perFile[t.fileName] ?? 0) + t.timeSpentMs;
    writeFileSync(TIMES_FILE, JSON.stringify(perFile));
    const mutantCoverage = ns[INSTRUMENTER_CONSTANTS.MUTATION_COVERAGE_OBJECT] ?? { static: {}, perTest: {} };
    delete ns[INSTRUMENTER_CONSTANTS.CURRENT_TEST_ID];
    return { status: DryRunStatus.Complete, tests, mutantCoverage };
  }

  fastestFirst(files) {
    this.times ??= existsSync(TIMES_FILE) ? JSON.parse(readFileSync(TIMES_FILE, 'utf8')) : {};
    const time = (f) => this.times[f] ?? Infinity;
    return [...files].sort((a, b) => time(a) - time(b));
  }

  /** Whether the tests `only` of `file` fail with no mutant switched on (memoized). */
  async failsAlone(file, only) {
    const key = `${file}|${[...only].join(',')}`;
    if (!this.baseline.has(key)) {
      const results = await this.runFile(file, {}, only, true);
      this.baseline.set(key, results.some((r) => r.status !== TestStatus.Success));
    }
    return this.baseline.get(key);
  }

  async mutantRun(options) {
    const ns = { [INSTRUMENTER_CONSTANTS.ACTIVE_MUTANT]: options.activeMutant.id };
    if (options.hitLimit !== undefined) {
      ns[INSTRUMENTER_CONSTANTS.HIT_LIMIT] = options.hitLimit;
      ns[INSTRUMENTER_CONSTANTS.HIT_COUNT] = 0;
    }
    /** file → the test indices to run, or 'all' (no filter, or a mutant reached while loading). */
    const plan = new Map();
    if (options.testFilter) {
      for (const id of options.testFilter) {
        const [file, k] = parseId(id);
        const sel = plan.get(file) ?? new Set();
        if (sel !== 'all') plan.set(file, k === 'load' ? 'all' : sel.add(k));
      }
    } else {
      for (const file of this.files) plan.set(file, 'all');
    }
    const bail = !options.disableBail;
    const tests = [];
    for (const file of this.fastestFirst(plan.keys())) {
      const only = plan.get(file) === 'all' ? undefined : plan.get(file);
      let results = await this.runFile(file, ns, only, bail);
      const failed = (rs) => rs.some((r) => r.status !== TestStatus.Success);
      if (failed(results) && only && (await this.failsAlone(file, only))) {
        results = await this.runFile(file, ns, undefined, bail);
      }
      tests.push(...results);
      if (failed(results) && bail) break;
    }
    globalThis[NS] = ns;
    const hitLimit = determineHitLimitReached(ns[INSTRUMENTER_CONSTANTS.HIT_COUNT], options.hitLimit);
    if (hitLimit) return toMutantRunResult(hitLimit);
    return toMutantRunResult({ status: DryRunStatus.Complete, tests });
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.TestRunner, 'txgate-bundle', BundleTestRunner)];
