/**
 * What a new lead costs the worker before its first step: every lead's workflow evaluates the
 * bundle's modules afresh, except worker.ts's SHARED_MODULES (and what they import, which is now
 * everything), so work done at module load would be paid per lead, and every module a lead evaluated
 * would stay in memory while it is cached. The bundler rewrites `\p{…}` regex literals into
 * `RegExp("…", "u")` calls where they stand; one inside normalizeName, called for every city at load, made 8,449 regexes
 * and ~390 ms of CPU per lead, and the chaos test's worker stopped making progress (every first
 * workflow task timed out) at a dozen leads arriving at once.
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { bundleBatonWorkflows } from '../../worker';

/** Regexes compiled while one lead's workflow loads its modules: those at module level, a few hundred. */
const REGEXES_PER_LEAD = 1_000;

/**
 * Modules the workflow never runs and each lead would still evaluate: the fact extractor (it runs in
 * an activity), its 4.8 MB of city data and zod. They came in through one import (the after-booking
 * copy took escapeHtml from the briefing, which imports the extractor): the bundle was 7.1 MB and
 * every lead parsed the city data again (bench/README.md).
 */
const NOT_IN_WORKFLOWS = ['node_modules/city-timezones/', 'node_modules/countries-list/', 'node_modules/zod/', 'domain/qualify/facts.ts', 'domain/qualify/geo-data.ts'];
const BUNDLE_BYTES = 5 * 1024 * 1024;

describe('the workflow bundle', () => {
  it('loads the workflow modules without compiling a regex per call of a helper', async () => {
    const { code } = await bundleBatonWorkflows();
    // The SDK's sandbox gives each workflow a module cache; a fresh one here is a new lead.
    const sandbox: Record<string, unknown> = { __webpack_module_cache__: {} };
    vm.createContext(sandbox);
    const NativeRegExp = vm.runInContext('RegExp', sandbox) as RegExpConstructor;
    let compiled = 0;
    sandbox.RegExp = new Proxy(NativeRegExp, {
      construct: (target, args) => (compiled++, Reflect.construct(target, args)),
      apply: (target, _this, args) => (compiled++, Reflect.apply(target, undefined, args)),
    });
    vm.runInContext(code, sandbox);
    const workflows = vm.runInContext('__TEMPORAL__.importWorkflows()', sandbox) as Record<string, unknown>;
    expect(Object.keys(workflows)).toEqual(expect.arrayContaining(['leadWorkflow', 'poolWorkflow']));
    expect(compiled, 'regexes compiled while a lead loads its workflow modules').toBeLessThan(REGEXES_PER_LEAD);
  }, 120_000);

  it('holds only what the workflows run: no fact extractor, city data or zod', async () => {
    const { code } = await bundleBatonWorkflows();
    const modules = [...code.matchAll(/^\/\*{3}\/ "\.\/([^"]+)"$/gm)].map((m) => m[1]!);
    expect(modules, 'the bundle lists its modules').toEqual(expect.arrayContaining(['workflows/lead.ts', 'domain/converse/after-booking.ts']));
    for (const unwanted of NOT_IN_WORKFLOWS) expect(modules.filter((m) => m.startsWith(unwanted)), unwanted).toEqual([]);
    expect(code.length, 'bundle size').toBeLessThan(BUNDLE_BYTES);
  }, 120_000);

  it('shares every module the workflows reach: a lead loads none of its own, and two leads run the same functions', async () => {
    const { code } = await bundleBatonWorkflows();
    // As the SDK's reusable context does: modules loaded before any lead (the preload) are shared,
    // those a lead loads after are its own.
    const shared: Record<string, unknown> = {};
    let ownOfLead: Record<string, unknown> | null = null;
    const cache = new Proxy({}, {
      get: (_, key: string) => (key in shared ? shared[key] : ownOfLead?.[key]),
      set: (_, key: string, value) => ((ownOfLead ?? shared)[key] = value, true),
    });
    const sandbox = vm.createContext({ __webpack_module_cache__: cache });
    vm.runInContext(code, sandbox);
    vm.runInContext('__TEMPORAL__.preloadModules?.()', sandbox);
    const sharedModules = Object.keys(shared);
    expect(sharedModules.filter((m) => m.startsWith('./workflows/')).length, 'workflow modules shared').toBeGreaterThan(10);
    expect(sharedModules.filter((m) => m.startsWith('./domain/')).length, 'domain modules shared').toBeGreaterThan(10);
    const loadLead = () => {
      ownOfLead = {};
      const workflows = vm.runInContext('__TEMPORAL__.importWorkflows()', sandbox) as Record<string, unknown>;
      return { workflows, own: Object.keys(ownOfLead) };
    };
    const first = loadLead();
    const second = loadLead();
    expect(first.own, 'modules each lead evaluates again: list them (or a module importing them) in SHARED_MODULES').toEqual([]);
    expect(second.workflows.leadWorkflow, 'the second lead runs the first one\'s function').toBe(first.workflows.leadWorkflow);
  }, 120_000);
});
