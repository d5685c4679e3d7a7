import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTree, parseArgs, type Manifest } from '../../server/src/bench/generateTree';

// A definition macro at the start of a line: AROS_LH2, AROS_LH1I, AROS_LH2QUAD1,
// AROS_LHQUAD1, AROS_LHDOUBLE1, __AROS_LH2 ... but not AROS_LHA / AROS_LHA2.
const LH_DEF = /^\s*(?:__)?AROS_LH(?:\d|QUAD|DOUBLE)\w*\(/;
const UFH_DEF = /\bAROS_UFH\d+S?\(/g;
const STRUCT_HEAD = /^(?:typedef )?struct \w+$/;

interface DiskFile {
  rel: string;
  text: string;
  bytes: number;
}

async function readTree(root: string): Promise<DiskFile[]> {
  const out: DiskFile[] = [];
  async function walk(dir: string): Promise<void> {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) await walk(abs);
      else {
        const buf = await fs.readFile(abs);
        out.push({ rel: path.relative(root, abs).split(path.sep).join('/'), text: buf.toString('latin1'), bytes: buf.length });
      }
    }
  }
  await walk(root);
  return out.sort((a, b) => (a.rel < b.rel ? -1 : 1));
}

function treeHash(files: DiskFile[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(f.rel).update('\0').update(f.text).update('\0');
  return h.digest('hex');
}

/** LVOs by library basename and function name, read back from the .conf files (first vector 5, `.skip N`). */
function confLvos(files: DiskFile[]): Map<string, Map<string, number>> {
  const libs = new Map<string, Map<string, number>>();
  for (const f of files.filter((x) => x.rel.endsWith('.conf'))) {
    const base = /^basename (\S+)$/m.exec(f.text)?.[1];
    const list = /##begin functionlist\n([\s\S]*?)##end functionlist/.exec(f.text)?.[1];
    expect(base, f.rel).toBeDefined();
    expect(list, f.rel).toBeDefined();
    const names = new Map<string, number>();
    let lvo = 5;
    for (const line of (list ?? '').split('\n')) {
      if (line.trim() === '') continue;
      const skip = /^\.skip (\d+)$/.exec(line);
      if (skip) {
        lvo += Number(skip[1]);
        continue;
      }
      const name = /(\w+)\(/.exec(line)?.[1];
      expect(name, line).toBeDefined();
      names.set(name ?? '', lvo++);
    }
    libs.set(base ?? '', names);
  }
  return libs;
}

describe('generateTree', () => {
  let tmp: string;
  let manifest: Manifest;
  let files: DiskFile[];

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'aros-gen-'));
    manifest = await generateTree({ outDir: path.join(tmp, 'a'), files: 60, seed: 7 });
    files = await readTree(path.join(tmp, 'a'));
  });

  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('writes manifest.json equal to the returned manifest', async () => {
    const onDisk = JSON.parse(await fs.readFile(path.join(tmp, 'a', 'manifest.json'), 'utf8')) as Manifest;
    expect(onDisk).toEqual(manifest);
  });

  it('counts files, lines and bytes exactly', () => {
    const sources = files.filter((f) => /\.[ch]$/.test(f.rel));
    expect(sources.length).toBe(60);
    expect(manifest.files).toBe(60);
    expect(manifest.cFiles).toBe(sources.filter((f) => f.rel.endsWith('.c')).length);
    expect(manifest.hFiles).toBe(sources.filter((f) => f.rel.endsWith('.h')).length);
    expect(manifest.cFiles + manifest.hFiles).toBe(manifest.files);
    expect(manifest.confFiles).toBe(files.filter((f) => f.rel.endsWith('.conf')).length);
    const newlines = sources.reduce((n, f) => n + (f.text.match(/\n/g)?.length ?? 0), 0);
    expect(manifest.lines).toBe(newlines);
    expect(manifest.bytes).toBe(sources.reduce((n, f) => n + f.bytes, 0));
    // Pure ASCII, so bytes and characters agree and every column is a byte column.
    expect(sources.every((f) => /^[\x09\x0a\x20-\x7e]*$/.test(f.text))).toBe(true);
  });

  it('scales counts with --files and lands on the requested line count', () => {
    expect(manifest.requested).toEqual({ files: 60, lines: Math.round((3530000 * 60) / 14510) });
    expect(Math.abs(manifest.lines - manifest.requested.lines) / manifest.requested.lines).toBeLessThan(0.02);
    expect(manifest.cFiles).toBe(Math.round(60 * (9387 / 14510)));
    expect(manifest.libFunctions.length).toBe(Math.round(manifest.cFiles * (3330 / 9387)));
    expect(manifest.hooks).toBe(Math.round(manifest.cFiles * (920 / 9387)));
    expect(manifest.breadcrumbs).toBeGreaterThan(0);
  });

  it('lists every AROS_LHn definition with its file and 0-based line', () => {
    const found: string[] = [];
    for (const f of files.filter((x) => x.rel.endsWith('.c'))) {
      f.text.split('\n').forEach((line, i) => {
        if (LH_DEF.test(line)) found.push(`${f.rel}:${i}`);
      });
    }
    const listed = manifest.libFunctions.map((r) => `${r.file}:${r.line}`);
    expect(found.length).toBe(manifest.libFunctions.length);
    expect([...found].sort()).toEqual([...listed].sort());

    const byRel = new Map(files.map((f) => [f.rel, f.text.split('\n')]));
    for (const r of manifest.libFunctions) {
      const line = byRel.get(r.file)?.[r.line] ?? '';
      expect(line, `${r.file}:${r.line}`).toContain(`${r.macro}(`);
      expect(line, `${r.file}:${r.line}`).toMatch(new RegExp(`\\b${r.name},`));
      // The LOCATION line names the base and the LVO.
      const text = (byRel.get(r.file) ?? []).slice(r.line, r.line + 40).join('\n');
      expect(text).toContain(`${r.baseType}, ${r.baseName}, ${r.lvo}, ${r.library})`);
    }
  });

  it('agrees with the .conf files on every LVO', () => {
    const confs = confLvos(files);
    expect(confs.size).toBeGreaterThan(0);
    for (const r of manifest.libFunctions) {
      expect(confs.get(r.library)?.get(r.name), `${r.library}/${r.name}`).toBe(r.lvo);
    }
  });

  it('counts hooks, breadcrumbs and structs as found on disk', () => {
    const c = files.filter((f) => /\.[ch]$/.test(f.rel));
    const hooks = c.reduce((n, f) => n + (f.text.match(UFH_DEF)?.length ?? 0), 0);
    expect(hooks).toBe(manifest.hooks);
    expect(manifest.hookList.length).toBe(manifest.hooks);
    const byRel = new Map(files.map((f) => [f.rel, f.text.split('\n')]));
    for (const h of manifest.hookList) expect(byRel.get(h.file)?.[h.line]).toContain(`${h.macro}(`);

    const crumbs = c.reduce((n, f) => n + (f.text.match(/AI_PHASE:/g)?.length ?? 0), 0);
    expect(crumbs).toBe(manifest.breadcrumbs);
    for (const b of manifest.breadcrumbList) {
      const head = (byRel.get(b.file) ?? []).slice(b.line, b.line + 2).join('\n');
      expect(head).toContain(`AI_PHASE: ${b.phase}`);
    }

    let structs = 0;
    for (const f of c) {
      const lines = f.text.split('\n');
      lines.forEach((l, i) => {
        if (STRUCT_HEAD.test(l) && lines[i + 1] === '{') structs++;
      });
    }
    expect(structs).toBe(manifest.structs);
  });

  it('gives samples that point at their names', () => {
    expect(manifest.samples.length).toBeGreaterThan(10);
    const byRel = new Map(files.map((f) => [f.rel, f.text.split('\n')]));
    for (const s of manifest.samples) expect(byRel.get(s.file)?.[s.line], `${s.kind} ${s.name}`).toContain(s.name);
  });

  it('lays the tree out like AROS', () => {
    const tops = new Set(files.map((f) => f.rel.split('/')[0]));
    for (const t of ['rom', 'workbench', 'arch', 'compiler']) expect(tops).toContain(t);
    expect(files.some((f) => f.rel.startsWith('compiler/include/') && f.rel.endsWith('.h'))).toBe(true);
    expect(files.some((f) => f.rel.startsWith('workbench/hidds/'))).toBe(true);
    expect(files.some((f) => f.rel === 'rom/exec/exec.conf')).toBe(true);
    // One generated byte table holds about 1.3 % of all lines (45,000 of 3.5 million at full size).
    const tableLines = Math.round((manifest.requested.lines * 45000) / 3530000);
    const table = files.find((f) => /^const UBYTE \w+\[\] =$/m.test(f.text));
    expect(table).toBeDefined();
    expect(table?.text.split('\n').length).toBeGreaterThanOrEqual(tableLines);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const again = await generateTree({ outDir: path.join(tmp, 'b'), files: 60, seed: 7, concurrency: 3 });
    expect(again).toEqual(manifest);
    expect(treeHash(await readTree(path.join(tmp, 'b')))).toBe(treeHash(files));

    const other = await generateTree({ outDir: path.join(tmp, 'c'), files: 60, seed: 8 });
    expect(treeHash(await readTree(path.join(tmp, 'c')))).not.toBe(treeHash(files));
    expect(other.libFunctions.map((r) => r.name)).not.toEqual(manifest.libFunctions.map((r) => r.name));
  });

  it('regenerates over its own output but refuses a foreign directory', async () => {
    const again = await generateTree({ outDir: path.join(tmp, 'a'), files: 60, seed: 7 });
    expect(again).toEqual(manifest);
    const foreign = path.join(tmp, 'foreign');
    await fs.mkdir(foreign);
    await fs.writeFile(path.join(foreign, 'keep.txt'), 'mine');
    await expect(generateTree({ outDir: foreign, files: 10 })).rejects.toThrow(/refusing/);
    expect(await fs.readFile(path.join(foreign, 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('parses its command line', () => {
    expect(parseArgs(['/tmp/x', '--files', '60', '--lines', '9000', '--seed', '3'])).toEqual({
      outDir: '/tmp/x',
      files: 60,
      lines: 9000,
      seed: 3,
    });
    expect(() => parseArgs(['--files', '60'])).toThrow(/usage/);
    expect(() => parseArgs(['/tmp/x', '--bogus'])).toThrow(/unknown/);
  });
});
