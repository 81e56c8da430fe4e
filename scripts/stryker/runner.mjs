/**
 * A StrykerJS test runner ("txgate-bundle", stryker.config.json) that runs the test bundles
 * of scripts/mutate-build.mjs inside Stryker's own long-lived runner process instead of
 * starting a Node process per test file and mutant.
 *
 * Each run of a test file imports its bundle afresh (a new `?run=N` URL), so every module
 * of src and test/util is evaluated again with the mutant already switched on, exactly as
 * a new process would see it; only npm packages (noble, fast-check, ...) are shared between
 * runs. `node:test` is the shim of scripts/stryker/node-test-shim.mjs: importing a bundle
 * records its tests, and this runner runs them in order. A test file is one Stryker test
 * (coverage and test selection per file, as with the tap runner): tests inside a file may
 * share state, so they always run together.
 *
 * A mutant's test files run fastest first (the dry run's times), so a killed mutant usually
 * stops after a cheap file. Infinite loops are Stryker's business: its timeout kills this process and starts another.
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

class BundleTestRunner {
  static inject = tokens(commonTokens.options);
  files = [];
  run = 0;

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

  /** Imports a fresh copy of `file` and runs its tests; the result is one Stryker TestResult. */
  async runFile(file, ns, bail) {
    ns[INSTRUMENTER_CONSTANTS.CURRENT_TEST_ID] = file;
    stray.length = 0;
    const registry = (globalThis[REGISTRY] ??= []);
    registry.length = 0;
    const t0 = performance.now();
    const failures = [];
    try {
      await import(`${pathToFileURL(resolve(file)).href}?run=${++this.run}`);
      for (const t of registry.splice(0)) {
        if (t.skip || !t.fn) continue;
        try {
          await call(t.fn);
        } catch (e) {
          failures.push(`${t.name}: ${message(e)}`);
          if (bail) break;
        }
        if (stray.length > 0) {
          failures.push(`${t.name}: ${message(stray[0])}`);
          if (bail) break;
        }
      }
    } catch (e) {
      failures.push(`loading ${file}: ${message(e)}`);
    }
    // Let the timers and promises the tests left behind settle inside this file's run.
    await new Promise((r) => setImmediate(r));
    if (stray.length > 0 && failures.length === 0) failures.push(`after the tests: ${message(stray[0])}`);
    registry.length = 0;
    const base = { id: file, name: file, fileName: file, timeSpentMs: Math.round(performance.now() - t0) };
    return failures.length === 0
      ? { ...base, status: TestStatus.Success }
      : { ...base, status: TestStatus.Failed, failureMessage: failures.join('; ') };
  }

  async runFiles(files, ns, bail) {
    const tests = [];
    for (const file of files) {
      const result = await this.runFile(file, ns, bail);
      tests.push(result);
      if (result.status !== TestStatus.Success && bail) break;
    }
    return tests;
  }

  async dryRun(options) {
    const ns = (globalThis[NS] = {});
    const files = options.testFiles?.length ? options.testFiles : this.files;
    const tests = await this.runFiles(files, ns, !options.disableBail);
    writeFileSync(TIMES_FILE, JSON.stringify(Object.fromEntries(tests.map((t) => [t.id, t.timeSpentMs]))));
    const mutantCoverage = ns[INSTRUMENTER_CONSTANTS.MUTATION_COVERAGE_OBJECT] ?? { static: {}, perTest: {} };
    delete ns[INSTRUMENTER_CONSTANTS.CURRENT_TEST_ID];
    return { status: DryRunStatus.Complete, tests, mutantCoverage };
  }

  fastestFirst(files) {
    this.times ??= existsSync(TIMES_FILE) ? JSON.parse(readFileSync(TIMES_FILE, 'utf8')) : {};
    const time = (f) => this.times[f] ?? Infinity;
    return [...files].sort((a, b) => time(a) - time(b));
  }

  async mutantRun(options) {
    const ns = (globalThis[NS] = { [INSTRUMENTER_CONSTANTS.ACTIVE_MUTANT]: options.activeMutant.id });
    if (options.hitLimit !== undefined) {
      ns[INSTRUMENTER_CONSTANTS.HIT_LIMIT] = options.hitLimit;
      ns[INSTRUMENTER_CONSTANTS.HIT_COUNT] = 0;
    }
    const tests = await this.runFiles(this.fastestFirst(options.testFilter ?? this.files), ns, !options.disableBail);
    const hitLimit = determineHitLimitReached(ns[INSTRUMENTER_CONSTANTS.HIT_COUNT], options.hitLimit);
    if (hitLimit) return toMutantRunResult(hitLimit);
    return toMutantRunResult({ status: DryRunStatus.Complete, tests });
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.TestRunner, 'txgate-bundle', BundleTestRunner)];
