// The Helix, Kakoune (kakoune-lsp and old kak-lsp) configurations: parsed as
// the editors parse them, and checked for the server command, the file types
// and the root markers. aros-lsp.kak is sourced by a real Kakoune.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO } from './editorWorkspace';

const CLIENTS = path.join(REPO, 'clients');
const SERVE = ['serve', '--stdio'];
const ROOTS = ['mmake.config.in', '.git'];

type Table = Record<string, unknown>;
// smol-toml is an ES module; the tests are type-checked as CommonJS.
let parse: (text: string) => Table;
beforeAll(async () => {
  ({ parse } = await import('smol-toml'));
});
const table = (v: unknown, what: string): Table => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what} is not a table`);
  return v as Table;
};

describe('Helix languages.toml', () => {
  const helix = (): Table => parse(fs.readFileSync(path.join(CLIENTS, 'helix', 'languages.toml'), 'utf8'));

  it('defines the aros-lsp server with the stdio command and its settings', () => {
    const toml = helix();
    const server = table(table(toml['language-server'], 'language-server')['aros-lsp'], 'language-server.aros-lsp');
    expect(server.command).toBe('aros-lsp');
    expect(server.args).toEqual(SERVE);
    // `config` becomes initializationOptions: only keys the server knows.
    const known = ['exclude', 'maxFileBytes', 'cacheDir', 'workers', 'breadcrumbDiagnostics', 'completionStats', 'compileCommand', 'compileTimeoutMs', 'projects', 'models'];
    for (const key of Object.keys(table(server.config, 'config'))) expect(known).toContain(key);
  });

  it('attaches it to C files, rooted at an AROS checkout', () => {
    const languages = helix().language as Table[];
    const c = languages.find((l) => l.name === 'c');
    expect(c).toBeDefined();
    expect(c!['language-servers']).toContain('aros-lsp');
    expect(c!.roots).toEqual(ROOTS);
  });
});

describe('kak-lsp.toml (kak-lsp before 17)', () => {
  it('defines the server for the c file type with the stdio command', () => {
    const toml = parse(fs.readFileSync(path.join(CLIENTS, 'kakoune', 'kak-lsp.toml'), 'utf8'));
    const server = table(table(toml.language_server, 'language_server')['aros-lsp'], 'aros-lsp');
    expect(server.filetypes).toEqual(['c']);
    expect(server.roots).toEqual(ROOTS);
    expect(server.command).toBe('aros-lsp');
    expect(server.args).toEqual(SERVE);
  });
});

describe('aros-lsp.kak (kakoune-lsp 17+) in a real Kakoune', () => {
  it('sets lsp_servers for C buffers and sends the loop and the compiler check as workspace/executeCommand', () => {
    const kak = spawnSync('kak', ['-version'], { encoding: 'utf8' });
    if (kak.error) throw new Error('kak is not installed: apt-get install -y kakoune (.ci/run installs it)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aros-lsp-kak-'));
    try {
      const file = path.join(dir, 'demo.c');
      fs.writeFileSync(file, 'int demo_add(int a, int b) { return 0; }\n');
      const out = path.join(dir, 'out');
      const commands = [
        `source ${path.join(REPO, 'test', 'clients', 'kakoune', 'stub.kak')}`,
        `source ${path.join(CLIENTS, 'kakoune', 'aros-lsp.kak')}`,
        `edit ${file}`,
        'set-option buffer filetype c',
        `echo -to-file ${out}.servers -- %opt{lsp_servers}`,
        'aros-lsp-run-iteration demo_add',
        'aros-lsp-check-file',
        'quit!',
      ];
      const r = spawnSync('kak', ['-n', '-ui', 'dummy', '-e', commands.join('; ')], { env: { ...process.env, AROS_KAK_OUT: out }, encoding: 'utf8', timeout: 20_000 });
      expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
      const servers = parse(fs.readFileSync(`${out}.servers`, 'utf8'));
      const server = table(servers['aros-lsp'], 'aros-lsp');
      expect(server.command).toBe('aros-lsp');
      expect(server.args).toEqual(SERVE);
      expect(server.root_globs).toEqual(ROOTS);
      const sent = fs.readFileSync(`${out}.cmd`, 'utf8').trim().split('\n');
      expect(sent[0]).toBe('aros.runIterationHere');
      expect(JSON.parse(sent[1])).toEqual([{ file, symbol: 'demo_add' }]);
      expect(sent[2]).toBe('aros.checkFile');
      expect(JSON.parse(sent[3])).toEqual([{ uri: `file://${file}` }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
