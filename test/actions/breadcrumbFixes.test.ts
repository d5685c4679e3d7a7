// Model-free breadcrumb quick fixes and the inserted breadcrumb. The fixture's
// bad_breadcrumbs.c has one case per finding (its README gives the table): each
// fix is applied and the file validated again, as the server would validate it,
// with every other breadcrumb of the fixture in the workspace.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  closeJson,
  insertBreadcrumb,
  modulePhase,
  quickFixes,
  type QuickFix,
  type TextEdit,
} from '../../server/src/actions/breadcrumbFixes';
import type { BreadcrumbItem, BreadcrumbTarget, Finding } from '../../server/src/breadcrumbs/types';
import { validateBreadcrumb, validateWorkspace } from '../../server/src/breadcrumbs/validate';
import { analyzeC } from '../../server/src/index/analyze';
import { lineStarts } from '../../server/src/index/lexer';

const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'aros-mini');
const BAD = 'workbench/hidds/radeonsi/bad_breadcrumbs.c';
const BAD_TEXT = fs.readFileSync(path.join(FIXTURE, BAD), 'utf8');
const NOW = new Date(Date.UTC(2025, 4, 6, 12, 30, 0));

/** Every other C file's breadcrumbs: they declare the phases bad_breadcrumbs.c depends on. */
const OTHERS: BreadcrumbItem[] = (() => {
  const items: BreadcrumbItem[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(dir, e.name), r);
      else if (/\.[ch]$/.test(e.name) && r !== BAD) {
        for (const b of analyzeC(fs.readFileSync(path.join(dir, e.name), 'utf8')).analysis.breadcrumbs) items.push({ file: r, breadcrumb: b });
      }
    }
  };
  walk(FIXTURE, '');
  return items;
})();

const KNOWN_PHASES = [...new Set(OTHERS.map((i) => i.breadcrumb.tags.AI_PHASE?.at(-1) ?? '').filter((p) => p !== ''))];

/** The findings the server would publish for the file holding `text`. */
function findingsOf(text: string, file = BAD): Finding[] {
  const own = analyzeC(text).analysis.breadcrumbs.map((breadcrumb) => ({ file, breadcrumb }));
  return [...own.flatMap((i) => validateBreadcrumb(i.breadcrumb)), ...(validateWorkspace([...OTHERS, ...own]).get(file) ?? [])];
}

function definitionsOf(text: string): BreadcrumbTarget[] {
  return analyzeC(text)
    .analysis.symbols.filter((s) => s.kind === 'function' && s.definition)
    .map((s) => ({ name: s.name, kind: s.kind, startLine: s.range.start.line, endLine: s.range.end.line, hasBody: true }));
}

/** Applies non-overlapping edits given against the original text. */
function apply(text: string, edits: readonly TextEdit[]): string {
  const starts = lineStarts(text);
  const at = (p: { line: number; character: number }): number => Math.min(starts[p.line] + p.character, text.length);
  const sorted = [...edits].sort((a, b) => at(b.range.start) - at(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, at(e.range.start)) + e.newText + out.slice(at(e.range.end));
  return out;
}

const key = (f: Finding): string => `${f.code}|${f.message}`;

function counts(fs: readonly Finding[], severities?: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of fs) if (!severities || severities.includes(f.severity)) m.set(key(f), (m.get(key(f)) ?? 0) + 1);
  return m;
}

function fixesFor(text: string, f: Finding): QuickFix[] {
  return quickFixes(text, f, { file: BAD, knownPhases: KNOWN_PHASES, definitions: definitionsOf(text), now: NOW });
}

function chosen(fixes: QuickFix[]): QuickFix {
  return fixes.find((x) => x.preferred) ?? fixes[0];
}

/** Applies the fix and checks: this finding is gone (fewer of it: a cycle warns on each edge) and no error or warning was added. */
function applyAndRevalidate(f: Finding, fix: QuickFix): { text: string; after: Finding[] } {
  const before = findingsOf(BAD_TEXT);
  const text = apply(BAD_TEXT, fix.edits);
  const after = findingsOf(text);
  expect(counts(after).get(key(f)) ?? 0).toBeLessThan(counts(before).get(key(f)) ?? 0);
  const was = counts(before, ['error', 'warning']);
  for (const [k, n] of counts(after, ['error', 'warning'])) expect({ k, n }).toEqual({ k, n: Math.min(n, was.get(k) ?? 0) });
  return { text, after };
}

const BEFORE = findingsOf(BAD_TEXT);

/** The fixture finding of `code` on 0-based `line` (README line - 1). */
function finding(code: string, line: number, tag?: string): Finding {
  const f = BEFORE.find((x) => x.code === code && x.range.start.line <= line && x.range.end.line >= line && (tag === undefined || x.data?.tag === tag));
  if (!f) throw new Error(`no ${code} finding on line ${line}: ${JSON.stringify(BEFORE.map((x) => [x.code, x.range.start.line]))}`);
  return f;
}

function lineOf(text: string, line: number): string {
  return text.split('\n')[line];
}

describe('quickFixes on bad_breadcrumbs.c, one case each', () => {
  it('has the findings the README lists', () => {
    expect(new Set(BEFORE.map((f) => f.code))).toEqual(
      new Set(['missing-tag', 'invalid-value', 'invalid-json', 'unknown-tag', 'invalid-format', 'unknown-phase', 'dependency-cycle', 'missing-fix-reason', 'no-target']),
    );
  });

  it('case 1: missing AI_STATUS inserts `// AI_STATUS: NOT_STARTED` after AI_PHASE', () => {
    const f = finding('missing-tag', 14, 'AI_STATUS');
    const fixes = fixesFor(BAD_TEXT, f);
    expect(fixes).toEqual([{ title: 'Add AI_STATUS: NOT_STARTED', edits: [{ range: range(15, 0, 15, 0), newText: '// AI_STATUS: NOT_STARTED\n' }], preferred: true }]);
    const { text } = applyAndRevalidate(f, fixes[0]);
    expect(text.split('\n').slice(14, 18)).toEqual(['// AI_PHASE: CURSOR_PLANE', '// AI_STATUS: NOT_STARTED', '// AI_PRIORITY: 4', 'static void bad_NoStatus(void)']);
  });

  it('case 2: IMPLEMENTING becomes PARTIAL (preferred), other statuses offered too', () => {
    const f = finding('invalid-value', 24);
    const fixes = fixesFor(BAD_TEXT, f);
    expect(fixes[0]).toEqual({ title: 'Change AI_STATUS to PARTIAL', edits: [{ range: f.range, newText: 'PARTIAL' }], preferred: true });
    expect(fixes.map((x) => x.edits[0].newText).sort()).toEqual(['FIXED', 'IMPLEMENTED', 'NEEDS_REFACTOR', 'NOT_STARTED', 'PARTIAL']);
    expect(fixes.filter((x) => x.preferred)).toHaveLength(1);
    applyAndRevalidate(f, chosen(fixes));
  });

  it('case 3a: a bracket closed by a brace gets its bracket', () => {
    const f = finding('invalid-json', 35);
    const fixes = fixesFor(BAD_TEXT, f);
    expect(fixes.map((x) => x.edits[0].newText)).toEqual(['{ "connectors": ["DP", "HDMI"] }']);
    const { text } = applyAndRevalidate(f, chosen(fixes));
    expect(lineOf(text, 35)).toBe(' * AI_CONTEXT: { "connectors": ["DP", "HDMI"] }');
  });

  it('case 4a: JSON that never closes is closed (trailing comma dropped)', () => {
    const f = finding('invalid-json', 54);
    const fixes = fixesFor(BAD_TEXT, f);
    expect(fixes.map((x) => x.edits[0].newText)).toEqual(['{ "modes": ["1080p", "2160p"]}']);
    applyAndRevalidate(f, chosen(fixes));
  });

  it('case 5: the misspelt tag is renamed; the missing AI_STATUS prefers the rename too', () => {
    const hint = finding('unknown-tag', 71);
    const rename = fixesFor(BAD_TEXT, hint);
    expect(rename).toEqual([{ title: 'Rename AI_STAUS to AI_STATUS', edits: [{ range: hint.range, newText: 'AI_STATUS' }], preferred: true }]);
    const { after } = applyAndRevalidate(hint, rename[0]);
    // The rename also supplies the missing status.
    expect(after.filter((x) => x.range.start.line === 70 || x.range.start.line === 71)).toEqual([]);

    const missing = finding('missing-tag', 71, 'AI_STATUS');
    const fixes = fixesFor(BAD_TEXT, missing);
    expect(fixes.map((x) => [x.title, x.preferred === true])).toEqual([
      ['Rename AI_STAUS to AI_STATUS', true],
      ['Add AI_STATUS: NOT_STARTED', false],
    ]);
    applyAndRevalidate(missing, fixes[1]);
  });

  it('case 6: AI_PRIORITY 11 is clamped to 10', () => {
    const f = finding('invalid-format', 81, 'AI_PRIORITY');
    const fixes = fixesFor(BAD_TEXT, f);
    expect(fixes).toEqual([{ title: 'Change AI_PRIORITY to 10', edits: [{ range: f.range, newText: '10' }], preferred: true }]);
    applyAndRevalidate(f, fixes[0]);
  });

  it('case 7: an undeclared dependency is removed (no declared phase is a plausible typo of WARP_DRIVE)', () => {
    const f = finding('unknown-phase', 91);
    const fixes = fixesFor(BAD_TEXT, f);
    expect(fixes).toEqual([{ title: 'Remove WARP_DRIVE from AI_DEPENDENCIES', edits: [{ range: range(91, 20, 91, 43), newText: 'KERNEL_INIT' }] }]);
    applyAndRevalidate(f, chosen(fixes));
  });

  it('case 7 with a typo: the nearest declared phase replaces it (preferred), removal stays available', () => {
    const text = BAD_TEXT.replace('KERNEL_INIT, WARP_DRIVE', 'KERNEL_INTI');
    const f = findingsOf(text).find((x) => x.code === 'unknown-phase')!;
    expect(f.data).toEqual({ tag: 'AI_DEPENDENCIES', value: 'KERNEL_INTI', suggestion: 'KERNEL_INIT' });
    const fixes = fixesFor(text, f);
    expect(fixes.map((x) => [x.title, x.preferred === true])).toEqual([
      ['Replace KERNEL_INTI with KERNEL_INIT', true],
      ['Remove KERNEL_INTI from AI_DEPENDENCIES', false],
    ]);
    // The only item: removing it removes the line.
    expect(fixes[1].edits).toEqual([{ range: range(91, 0, 92, 0), newText: '' }]);
    expect(findingsOf(apply(text, fixes[0].edits)).filter((x) => x.code === 'unknown-phase')).toEqual([]);
  });

  it('case 8: a cycle is broken by removing the edge (offered, not preferred)', () => {
    const f = finding('dependency-cycle', 101);
    const fixes = fixesFor(BAD_TEXT, f);
    expect(fixes).toEqual([{ title: 'Remove PAGE_FLIP from AI_DEPENDENCIES (breaks the cycle)', edits: [{ range: range(101, 0, 102, 0), newText: '' }] }]);
    const { after } = applyAndRevalidate(f, fixes[0]);
    expect(after.filter((x) => x.code === 'dependency-cycle')).toEqual([]);
  });

  it('case 9: a one-line block without AI_PHASE becomes a block with the module phase first', () => {
    const f = finding('missing-tag', 117, 'AI_PHASE');
    const fixes = fixesFor(BAD_TEXT, f);
    expect(fixes.map((x) => [x.title, x.preferred === true])).toEqual([
      ['Add AI_PHASE: RADEONSI', true],
      // The nearest breadcrumb's phase (case 10, below it).
      ['Add AI_PHASE: DISPLAY_OUTPUT', false],
    ]);
    expect(fixes[0].edits).toEqual([{ range: range(117, 0, 117, 22), newText: '/*\n * AI_PHASE: RADEONSI\n * AI_STATUS: FIXED\n */' }]);
    applyAndRevalidate(f, fixes[0]);
  });

  it('case 10: COMPILER_ERR while IMPLEMENTED gets a FIX_REASON line, or the status PARTIAL', () => {
    const f = finding('missing-fix-reason', 127);
    const fixes = fixesFor(BAD_TEXT, f);
    expect(fixes).toEqual([
      {
        title: 'Add FIX_REASON for COMPILER_ERR',
        edits: [{ range: range(128, 0, 128, 0), newText: '// FIX_REASON: TODO: explain the root cause and the fix\n' }],
        preferred: true,
      },
      { title: 'Set AI_STATUS to PARTIAL', edits: [{ range: range(126, 14, 126, 25), newText: 'PARTIAL' }] },
    ]);
    applyAndRevalidate(f, fixes[0]);
    applyAndRevalidate(f, fixes[1]);
  });

  it('case 11: each malformed value gets a value of its form where one can be derived', () => {
    const byTag = (tag: string): Finding => finding(tag === 'AI_COMPLEXITY' ? 'invalid-value' : 'invalid-format', BEFORE.find((x) => x.data?.tag === tag)!.range.start.line, tag);
    const complexity = fixesFor(BAD_TEXT, byTag('AI_COMPLEXITY'));
    expect(complexity.map((x) => x.edits[0].newText).sort()).toEqual(['CRITICAL', 'HIGH', 'LOW', 'MEDIUM']);
    expect(complexity.filter((x) => x.preferred)).toHaveLength(1);
    applyAndRevalidate(byTag('AI_COMPLEXITY'), chosen(complexity));

    expect(fixesFor(BAD_TEXT, byTag('AI_VERSION')).map((x) => x.edits[0].newText)).toEqual(['1.0']);
    applyAndRevalidate(byTag('AI_VERSION'), chosen(fixesFor(BAD_TEXT, byTag('AI_VERSION'))));

    expect(fixesFor(BAD_TEXT, byTag('AI_RETRY_COUNT')).map((x) => x.edits[0].newText)).toEqual(['2']);
    applyAndRevalidate(byTag('AI_RETRY_COUNT'), chosen(fixesFor(BAD_TEXT, byTag('AI_RETRY_COUNT'))));

    const stamp = fixesFor(BAD_TEXT, byTag('AI_TIMESTAMP'));
    expect(stamp).toEqual([{ title: 'Set AI_TIMESTAMP to the current time (2025-05-06T12:30:00Z)', edits: [{ range: byTag('AI_TIMESTAMP').range, newText: '2025-05-06T12:30:00Z' }] }]);
    applyAndRevalidate(byTag('AI_TIMESTAMP'), stamp[0]);

    // "soon" says nothing a duration could be made of.
    expect(fixesFor(BAD_TEXT, byTag('AI_ESTIMATED_TIME'))).toEqual([]);
  });

  it('case 12: a breadcrumb stranded in a body moves above its function', () => {
    const f = finding('no-target', 152);
    const fixes = fixesFor(BAD_TEXT, f);
    expect(fixes.map((x) => x.title)).toEqual(['Move the breadcrumb above bad_Inner']);
    const { text, after } = applyAndRevalidate(f, fixes[0]);
    expect(text.split('\n').slice(149, 156)).toEqual([
      '// AI_PHASE: DISPLAY_OUTPUT',
      '// AI_STATUS: PARTIAL',
      'static void bad_Inner(void)',
      '{',
      '    bad_Counter++;',
      '    bad_Counter--;',
      '}',
    ]);
    expect(after.filter((x) => x.code === 'no-target')).toEqual([]);
    // Without the file's definitions there is nothing to move it to.
    expect(quickFixes(BAD_TEXT, f)).toEqual([]);
  });

  it('every finding of the file gets a fix that removes it, except where none can be derived', () => {
    const without: string[] = [];
    for (const f of BEFORE) {
      const fixes = fixesFor(BAD_TEXT, f);
      if (fixes.length === 0) {
        without.push(`${f.code} ${f.data?.tag ?? ''}`);
        continue;
      }
      applyAndRevalidate(f, chosen(fixes));
    }
    expect(without).toEqual(['invalid-format AI_ESTIMATED_TIME']);
  });
});

describe('quickFixes against a changed text', () => {
  it('offers nothing when the text under the finding is no longer what it reported', () => {
    const f = finding('invalid-value', 24);
    expect(quickFixes(BAD_TEXT.replace('AI_STATUS: IMPLEMENTING', 'AI_STATUS: IMPLEMENTED!'), f)).toEqual([]);
    expect(quickFixes(BAD_TEXT, { ...f, code: 'no-such-code' })).toEqual([]);
    expect(quickFixes('int x;\n', f)).toEqual([]);
  });
});

describe('quickFixes in block breadcrumbs', () => {
  it('inserts a missing tag with the comment\'s own ` * ` lead, after AI_PHASE', () => {
    const text = ['/*', ' * AI_PHASE: MEMORY_MANAGER', ' * AI_PRIORITY: 8', ' */', 'APTR f(void);', ''].join('\n');
    const f = findingsOf(text, 'a/b/c.c').find((x) => x.code === 'missing-tag')!;
    const fixes = quickFixes(text, f);
    expect(fixes[0].edits).toEqual([{ range: range(2, 0, 2, 0), newText: ' * AI_STATUS: NOT_STARTED\n' }]);
    expect(findingsOf(apply(text, fixes[0].edits), 'a/b/c.c')).toEqual([]);
  });

  it('uses the plain indentation of a block without stars, and keeps CRLF', () => {
    const text = ['/*', '    AI_STATUS: PARTIAL', '    AI_NOTE: x', '*/', 'int f(void);', ''].join('\r\n');
    const f = findingsOf(text, 'rom/exec/f.c').find((x) => x.code === 'missing-tag')!;
    const fixes = quickFixes(text, f, { file: 'rom/exec/f.c' });
    expect(fixes[0]).toEqual({ title: 'Add AI_PHASE: EXEC', edits: [{ range: range(1, 0, 1, 0), newText: '    AI_PHASE: EXEC\r\n' }], preferred: true });
    expect(findingsOf(apply(text, fixes[0].edits), 'rom/exec/f.c')).toEqual([]);
  });

  it('inserts inside the comment when the first tag sits on the opener line', () => {
    const text = ['/** AI_STATUS: FIXED', ' *  AI_NOTE: n */', 'int f(void);', ''].join('\n');
    const f = findingsOf(text, 'x/y.c').find((x) => x.code === 'missing-tag')!;
    const fixes = quickFixes(text, f, { file: 'x/y.c' });
    expect(fixes[0].edits).toEqual([{ range: range(1, 0, 1, 0), newText: ' *  AI_PHASE: X\n' }]);
    expect(findingsOf(apply(text, fixes[0].edits), 'x/y.c')).toEqual([]);
  });

  it('fills an empty AI_STATUS instead of adding a second one', () => {
    const text = ['// AI_PHASE: P', '// AI_STATUS:', 'int f(void);', ''].join('\n');
    const f = findingsOf(text, 'p.c').find((x) => x.code === 'missing-tag')!;
    expect(quickFixes(text, f)).toEqual([{ title: 'Set AI_STATUS to NOT_STARTED', edits: [{ range: range(1, 13, 1, 13), newText: ' NOT_STARTED' }], preferred: true }]);
  });
});

describe('value repairs', () => {
  const fixOf = (tag: string, value: string): string[] => {
    const text = `// AI_PHASE: P\n// AI_STATUS: PARTIAL\n// ${tag}: ${value}\nint f(void);\n`;
    const f = findingsOf(text, 'p.c').find((x) => x.code === 'invalid-format');
    return f ? quickFixes(text, f, { now: NOW }).map((x) => x.edits[0].newText) : [];
  };

  it('clamps numbers and reads number words', () => {
    expect(fixOf('AI_PRIORITY', '0')).toEqual(['1']);
    expect(fixOf('AI_PRIORITY', '-4')).toEqual(['1']);
    expect(fixOf('AI_PRIORITY', '7.6')).toEqual(['8']);
    expect(fixOf('AI_PRIORITY', 'high')).toEqual([]);
    expect(fixOf('AI_VERSION', '0.05')).toEqual(['0.1']);
    expect(fixOf('AI_VERSION', 'v7')).toEqual(['1.0']);
    expect(fixOf('AI_MAX_RETRIES', 'three')).toEqual(['3']);
  });

  it('normalises durations, dates and hashes', () => {
    expect(fixOf('AI_ESTIMATED_TIME', '90 minutes')).toEqual(['1h30m']);
    expect(fixOf('AI_ESTIMATED_TIME', '2 hours')).toEqual(['2h']);
    expect(fixOf('AI_ESTIMATED_TIME', '3')).toEqual(['3h']);
    expect(fixOf('AI_CLAIMED_AT', '2025/03/12')).toEqual(['2025-03-12', '2025-05-06T12:30:00Z']);
    expect(fixOf('AI_TRAIN_HASH', `sha256:${'AB'.repeat(32)}`)).toEqual(['ab'.repeat(32)]);
  });

  it('closeJson closes only what is trivially unclosed', () => {
    expect(closeJson('{ "a": [1, 2 }')).toBe('{ "a": [1, 2] }');
    expect(closeJson('[{"a": 1},')).toBe('[{"a": 1}]');
    expect(closeJson('{"a": 1,}')).toBe('{"a": 1}');
    expect(closeJson('{"a": "}')).toBeUndefined();
    expect(closeJson("{'a': 1}")).toBeUndefined();
    expect(closeJson('}')).toBeUndefined();
  });
});

describe('modulePhase', () => {
  it('names the phase after the module directory', () => {
    expect(modulePhase('workbench/hidds/radeonsi/bad_breadcrumbs.c')).toBe('RADEONSI');
    expect(modulePhase('rom/exec/allocmem.c')).toBe('EXEC');
    expect(modulePhase('workbench/hidds/radeon.hidd/src/init.c')).toBe('RADEON_HIDD');
    expect(modulePhase('workbench/libs/muiMaster/x.c')).toBe('MUI_MASTER');
    expect(modulePhase('main.c')).toBe('MAIN');
    expect(modulePhase('/abs/3d/x.c')).toBe('M_3D');
  });
});

describe('insertBreadcrumb', () => {
  const MEMORY = fs.readFileSync(path.join(FIXTURE, 'workbench/hidds/radeonsi/radeonsi_memory.c'), 'utf8');

  it('adds a block breadcrumb (the file\'s style) above radeon_free_vram, IMPLEMENTED', () => {
    const line = MEMORY.split('\n').indexOf('void radeon_free_vram(struct RadeonBase *rb, APTR memory, ULONG size)');
    const add = insertBreadcrumb(MEMORY, line, 'workbench/hidds/radeonsi/radeonsi_memory.c')!;
    expect(add).toEqual({
      title: 'Add an AI breadcrumb',
      edits: [{ range: range(line, 0, line, 0), newText: '/*\n * AI_PHASE: RADEONSI\n * AI_STATUS: IMPLEMENTED\n * AI_STRATEGY: TODO: describe the approach\n */\n' }],
    });
    const text = apply(MEMORY, add.edits);
    const crumb = analyzeC(text).analysis.breadcrumbs.find((b) => b.target?.name === 'radeon_free_vram')!;
    expect(validateBreadcrumb(crumb)).toEqual([]);
    // Now there is one.
    expect(insertBreadcrumb(text, line + 5, 'workbench/hidds/radeonsi/radeonsi_memory.c')).toBeUndefined();
  });

  it('refuses a function that already has a breadcrumb', () => {
    const line = MEMORY.split('\n').indexOf('APTR radeon_alloc_vram(struct RadeonBase *rb, ULONG size)');
    expect(insertBreadcrumb(MEMORY, line, 'x.c')).toBeUndefined();
    expect(insertBreadcrumb(MEMORY, -1, 'x.c')).toBeUndefined();
    expect(insertBreadcrumb(MEMORY, 10_000, 'x.c')).toBeUndefined();
  });

  it('infers the status from the body, in the // style of a file of // comments', () => {
    const status = (body: string): string => {
      const text = `// helpers\nstatic int f(int x)\n{\n${body}\n}\n`;
      const add = insertBreadcrumb(text, 1, 'a/mod/f.c')!;
      expect(add.edits[0].newText.startsWith('// AI_PHASE: MOD\n')).toBe(true);
      return /AI_STATUS: (\w+)/.exec(add.edits[0].newText)![1];
    };
    expect(status('')).toBe('NOT_STARTED');
    expect(status('    return 0;')).toBe('NOT_STARTED');
    expect(status('    /* TODO: everything */\n    (void)x;\n    return NULL;')).toBe('NOT_STARTED');
    expect(status('    AROS_LIBFUNC_INIT\n    return 0;\n    AROS_LIBFUNC_EXIT')).toBe('NOT_STARTED');
    expect(status('    return x + 1;')).toBe('IMPLEMENTED');
    expect(status('    // FIXME: overflow\n    return x * 2;')).toBe('PARTIAL');
    expect(status('    puts("TODO");\n    return x;')).toBe('IMPLEMENTED');
  });

  it('keeps the indentation of the definition and marks a prototype NOT_STARTED', () => {
    const text = '  int g(void);\n';
    expect(insertBreadcrumb(text, 0, 'm/g.c')!.edits[0].newText).toBe('  // AI_PHASE: M\n  // AI_STATUS: NOT_STARTED\n  // AI_STRATEGY: TODO: describe the approach\n');
  });

  it('puts an AROS library function\'s breadcrumb above its AutoDoc', () => {
    const rel = 'workbench/libs/mylib/makelist.c';
    const text = fs.readFileSync(path.join(FIXTURE, rel), 'utf8');
    const fn = analyzeC(text).analysis.symbols.find((s) => s.name === 'MakeList' && s.definition)!;
    const add = insertBreadcrumb(text, fn.range.start.line, rel)!;
    const banner = text.split('\n').findIndex((l) => l.startsWith('/*****'));
    expect(add.edits[0].range.start).toEqual({ line: banner, character: 0 });
    const after = analyzeC(apply(text, add.edits)).analysis;
    const crumb = after.breadcrumbs.find((b) => b.target?.name === 'MakeList')!;
    expect(crumb.tags.AI_PHASE).toEqual(['MYLIB']);
    expect(validateBreadcrumb(crumb)).toEqual([]);
    // The AutoDoc still belongs to MakeList.
    expect(after.symbols.find((s) => s.name === 'MakeList' && s.definition)?.autodoc?.FUNCTION).toBe(fn.autodoc?.FUNCTION);
  });
});

function range(l1: number, c1: number, l2: number, c2: number): TextEdit['range'] {
  return { start: { line: l1, character: c1 }, end: { line: l2, character: c2 } };
}
