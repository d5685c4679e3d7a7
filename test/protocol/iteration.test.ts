// aros/runIteration over stdio: the real server, real gcc, and models that are
// either real llama.cpp (the shared tiny model) or a local OpenAI-compatible
// server scripted to write code that compiles (for the paths that need a
// success: apply, stale versions).

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { startFakeOpenAiServer, type FakeServer } from '../models/fakeOpenAiServer';
import { LspClient, printServerStderrOnFailure } from './client';

printServerStderrOnFailure();

const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'loop-mini');
const STORIES = path.resolve(__dirname, '..', '..', '..', 'shared', 'models', 'stories260K.gguf');
const DEMO = 'workbench/hidds/demo/demo.c';

const clients: LspClient[] = [];
const servers: FakeServer[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) if (c.alive) await c.shutdown();
  for (const s of servers.splice(0)) await s.close();
});

function workspace(): { root: string; cache: string; home: string } {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'iteration-proto-'));
  const root = path.join(base, 'ws');
  fs.cpSync(FIXTURE, root, { recursive: true });
  const home = path.join(base, 'home');
  fs.mkdirSync(home);
  return { root, cache: path.join(base, 'cache'), home };
}

async function start(options: Record<string, unknown>): Promise<{ c: LspClient; root: string; cache: string }> {
  const ws = workspace();
  const c = LspClient.start({ home: ws.home });
  clients.push(c);
  await c.initialize(ws.root, { cacheDir: ws.cache, ...options });
  await c.waitForIndexReady();
  return { c, ...ws };
}

const tiny = { model_path: STORIES, threads: 1, context_size: 1024, max_length: 24, temperature: 0 };

describe('aros/runIteration', () => {
  it('runs all six phases with llama.cpp and gcc, streaming events and progress, touching no file', async () => {
    const { c, root, cache } = await start({ models: { codegen: tiny, llm: tiny } });
    const before = fs.readFileSync(path.join(root, DEMO), 'utf8');
    const r = await c.request('aros/runIteration', { project: 'demo', maxIterations: 1, maxRetries: 0, workDoneToken: 'run-1', partialResultToken: 'partial-1' });
    expect(r.sessionId).toMatch(/^\d{4}-/);
    expect(r.results).toHaveLength(1);
    expect(r.results[0].task.symbol).toBe('demo_add');
    expect(r.results[0].attempts[0].phases.map((p: { phase: string }) => p.phase)).toEqual(['explore', 'reason', 'generate', 'review', 'compile', 'learn']);
    // gcc ran on the generated code: its verdict is in the compile phase.
    expect(r.results[0].attempts[0].phases[4].summary).toMatch(/exit \d+, \d+ error\(s\)/);
    const events = c.received('aros/iterationEvent');
    expect(events.filter((e: { type: string }) => e.type === 'phase-start').map((e: { phase: string }) => e.phase)).toEqual(['explore', 'reason', 'generate', 'review', 'compile', 'learn']);
    expect(events.some((e: { type: string }) => e.type === 'token')).toBe(true);
    const progress = c.received('$/progress').filter((p: { token: string }) => p.token === 'run-1').map((p: { value: { message?: string } }) => p.value.message);
    expect(progress).toContain('Iteration 1/1 · compile');
    // The finished task also went out as a partial result.
    const partial = c.received('$/progress').filter((p: { token: string }) => p.token === 'partial-1');
    expect(partial).toHaveLength(1);
    expect(partial[0].value[0].task.symbol).toBe('demo_add');
    expect(fs.readFileSync(path.join(root, DEMO), 'utf8')).toBe(before);
    // The session log is in the cache directory.
    expect(fs.readdirSync(path.join(cache, 'sessions'))).toContain(`${r.sessionId}.jsonl`);
  });

  it('cancellation during compilation answers at once and leaves no compiler running', async () => {
    // A duration no other test uses, so `ps` below sees only this test's compiler (test files run in parallel).
    const { c } = await start({ models: { codegen: tiny, llm: tiny }, compileCommand: ['sh', '-c', 'exec sleep 37.25', '${file}'] });
    const source = new CancellationTokenSource();
    c.connection.onNotification('aros/iterationEvent', (e: { type: string; phase?: string }) => {
      if (e.type === 'phase-start' && e.phase === 'compile') setTimeout(() => source.cancel(), 200);
    });
    const r = await c.connection.sendRequest('aros/runIteration', { project: 'demo', maxIterations: 1 }, source.token).catch((err: Error) => err);
    if (!(r instanceof Error)) expect((r as { summary: { cancelled: number } }).summary.cancelled).toBe(1);
    const ps = execFileSync('ps', ['-eo', 'stat,args'], { encoding: 'utf8' });
    expect(ps.split('\n').filter((l) => l.includes('sleep 37.25') && !l.startsWith('Z'))).toEqual([]);
    expect(c.alive).toBe(true);
  });

  it('applies a successful edit only when asked and the document has not changed', async () => {
    const fake = await startFakeOpenAiServer({ tokens: ['    state->calls++;\n', '    return a + b;\n'] });
    servers.push(fake);
    const remote = { endpoint: fake.url, remote_model: 'coder', max_length: 64 };
    const { c, root } = await start({ models: { codegen: remote, llm: remote } });
    const uri = pathToFileURL(path.join(root, DEMO)).href;
    await c.open(DEMO);
    const applied: unknown[] = [];
    c.requestHandlers.set('workspace/applyEdit', (params: unknown) => {
      applied.push(params);
      return { applied: true };
    });
    const ok = await c.request('aros/runIteration', { task: { file: DEMO, symbol: 'demo_add', description: 'add' }, maxIterations: 1, apply: true });
    expect(ok.results[0].status).toBe('success');
    expect(ok.applied).toBe(true);
    expect(applied).toHaveLength(1);
    const change = (applied[0] as { edit: { documentChanges: Array<{ textDocument: { uri: string; version: number }; edits: Array<{ newText: string }> }> } }).edit.documentChanges[0];
    expect(change.textDocument).toEqual({ uri, version: 1 });
    expect(change.edits[0].newText).toContain('return a + b;');
    expect(change.edits[0].newText).toContain('AI_STATUS: IMPLEMENTED');
    // The server never wrote the file itself.
    expect(fs.readFileSync(path.join(root, DEMO), 'utf8')).toBe(fs.readFileSync(path.join(FIXTURE, DEMO), 'utf8'));

    // Now the document changes while the loop runs: the edit is refused.
    c.connection.onNotification('aros/iterationEvent', (e: { type: string; phase?: string }) => {
      if (e.type === 'phase-start' && e.phase === 'compile') void c.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '/* edited */\n' }]);
    });
    const stale = await c.request('aros/runIteration', { task: { file: DEMO, symbol: 'demo_add', description: 'add' }, maxIterations: 1, apply: true });
    expect(stale.results[0].status).toBe('success');
    expect(stale.applied).toBe(false);
    expect(stale.applyMessage).toMatch(/changed during the run/);
    expect(applied).toHaveLength(1);
  });

  it('offers the loop as code actions on a task breadcrumb, and "implement" applies a compiled edit', async () => {
    const fake = await startFakeOpenAiServer({ tokens: ['    state->calls++;\n', '    return a + b;\n'] });
    servers.push(fake);
    const remote = { endpoint: fake.url, remote_model: 'coder', max_length: 64 };
    const { c } = await start({ models: { codegen: remote, llm: remote } });
    const uri = await c.open(DEMO);
    const actions = await c.request('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 4, character: 3 }, end: { line: 4, character: 3 } }, context: { diagnostics: [] } });
    const titles = actions.map((a: { title: string }) => a.title);
    expect(titles).toContain('Implement demo_add from its breadcrumb (AI, compile-checked)');
    expect(titles).toContain('Run the loop on demo_add (show the result, change nothing)');
    // The finished function has no such actions.
    const done = await c.request('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 33, character: 3 }, end: { line: 33, character: 3 } }, context: { diagnostics: [] } });
    expect(done.some((a: { title: string }) => a.title.startsWith('Implement'))).toBe(false);
    const applied: unknown[] = [];
    c.requestHandlers.set('workspace/applyEdit', (params: unknown) => {
      applied.push(params);
      return { applied: true };
    });
    const implement = actions.find((a: { title: string }) => a.title.startsWith('Implement'));
    const r = await c.request('workspace/executeCommand', implement.command);
    expect(r.results[0].status).toBe('success');
    expect(r.applied).toBe(true);
    expect(JSON.stringify(applied[0])).toContain('return a + b;');
  });

  it('checks a file with the compiler, offers "Fix with AI" on its error, and remembers the fix', async () => {
    const fake = await startFakeOpenAiServer({ tokens: ['    state->calls++;\n', '    return a + b;\n'] });
    servers.push(fake);
    const remote = { endpoint: fake.url, remote_model: 'coder', max_length: 64 };
    const { c, root, cache } = await start({ models: { codegen: remote, llm: remote } });
    const broken = fs.readFileSync(path.join(root, DEMO), 'utf8').replace('    (void)state;\n    (void)a;\n    (void)b;\n    return 0;', '    return a + c;');
    const uri = await c.open(DEMO, broken);
    const since = c.notifications.length;
    const check = await c.request('workspace/executeCommand', { command: 'aros.checkFile', arguments: [{ uri }] });
    expect(check).toMatchObject({ file: DEMO, errors: 1 });
    type Diag = { source: string; message: string; range: unknown };
    const diags = await c.waitFor(() =>
      c
        .received('textDocument/publishDiagnostics', since)
        .filter((d: { uri: string }) => d.uri === uri)
        .map((d: { diagnostics: Diag[] }) => d.diagnostics.filter((x) => x.source === 'aros-lsp compiler'))
        .find((l: Diag[]) => l.length > 0) as Diag[] | undefined,
    );
    expect(diags[0]).toMatchObject({ severity: 1, range: { start: { line: 10 } } });
    expect(diags[0].message).toMatch(/c[’'] undeclared/);
    const actions = await c.request('textDocument/codeAction', { textDocument: { uri }, range: diags[0].range, context: { diagnostics: diags } });
    const fix = actions.find((a: { title: string }) => a.title.startsWith('Fix with AI'));
    expect(fix.kind).toBe('quickfix');
    c.requestHandlers.set('workspace/applyEdit', () => ({ applied: true }));
    const r = await c.request('workspace/executeCommand', fix.command);
    expect(r.results[0].status).toBe('success');
    expect(r.applied).toBe(true);
    const memory = fs.readFileSync(path.join(cache, 'error-memory.jsonl'), 'utf8');
    expect(memory).toMatch(/"type":"fix".*undeclared/);
  });

  it('writes an AutoDoc: the AROS layout, the prose from the model, as a versioned edit', async () => {
    const prose = { function: 'Counts the call and adds the two numbers.', inputs: { state: 'The counter state.', a: 'First number.', b: 'Second number.' }, result: 'The sum.', notes: '', see_also: ['demo_scale'] };
    const fake = await startFakeOpenAiServer({ tokens: [JSON.stringify(prose)] });
    servers.push(fake);
    const remote = { endpoint: fake.url, remote_model: 'coder', max_length: 64 };
    const { c } = await start({ models: { codegen: remote, llm: remote } });
    const uri = await c.open(DEMO);
    const actions = await c.request('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 8, character: 4 }, end: { line: 8, character: 4 } }, context: { diagnostics: [] } });
    const write = actions.find((a: { title: string }) => a.title === 'Write the AutoDoc for demo_add (AI)');
    const applied: Array<{ edit: { documentChanges: Array<{ textDocument: { version: number }; edits: Array<{ newText: string }> }> } }> = [];
    c.requestHandlers.set('workspace/applyEdit', (params: (typeof applied)[number]) => {
      applied.push(params);
      return { applied: true };
    });
    const r = await c.request('workspace/executeCommand', write.command);
    expect(r).toEqual({ applied: true, problems: [] });
    const change = applied[0].edit.documentChanges[0];
    expect(change.textDocument.version).toBe(1);
    const doc = change.edits[0].newText;
    for (const section of ['NAME', 'SYNOPSIS', 'FUNCTION', 'INPUTS', 'RESULT', 'SEE ALSO']) expect(doc).toContain(section);
    expect(doc).toContain('Counts the call and adds the two numbers.');
    expect(doc).toMatch(/a +- First number\./);
    // The model was asked for JSON matching a schema.
    const body = fake.to('/v1/chat/completions')[0].body as { response_format?: { type: string } };
    expect(body.response_format?.type).toBe('json_schema');
  });

  it('takes the task file as an absolute path or a file URI inside the workspace (editors that cannot make it relative)', async () => {
    const { c, root } = await start({ models: { codegen: tiny, llm: tiny } });
    const abs = path.join(root, DEMO);
    for (const file of [abs, pathToFileURL(abs).href]) {
      const r = await c.request('aros/runIteration', { task: { file, symbol: 'demo_add' }, maxIterations: 1, maxRetries: 0 });
      expect(r.results).toHaveLength(1);
      expect(r.results[0].task).toMatchObject({ file: DEMO, symbol: 'demo_add' });
    }
    // The same through the code-action command, as Kakoune's aros-lsp-run-iteration sends it.
    const viaCommand = await c.request('workspace/executeCommand', { command: 'aros.runIterationHere', arguments: [{ file: abs, symbol: 'demo_scale' }] });
    expect(viaCommand.results[0].task).toMatchObject({ file: DEMO, symbol: 'demo_scale' });
  });

  it('rejects bad params with a clear error', async () => {
    const { c } = await start({ models: { codegen: tiny, llm: tiny } });
    await expect(c.request('aros/runIteration', {})).rejects.toThrow(/needs params\.project or params\.task/);
    await expect(c.request('aros/runIteration', { project: '../../etc' })).rejects.toThrow(/project name or a workspace-relative path/);
    await expect(c.request('aros/runIteration', { task: { file: '/etc/passwd', symbol: 'x' } })).rejects.toThrow(/workspace-relative/);
    await expect(c.request('aros/runIteration', { project: 'demo', maxIterations: -1 })).rejects.toThrow(/maxIterations/);
    expect(c.alive).toBe(true);
  });
});
