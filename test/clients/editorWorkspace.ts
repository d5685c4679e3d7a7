// A workspace for the editor tests: aros-mini (AROS library functions, hooks,
// AutoDocs) with loop-mini's demo project merged in (breadcrumb tasks for
// aros/runIteration), a cache and HOME of its own, and the server command and
// initializationOptions an editor script needs, written to one JSON file the
// script reads (AROS_LSP_TEST_CONFIG).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
export const MAIN = path.join(REPO, 'out', 'cli', 'main.js');
export const STORIES = path.resolve(REPO, '..', 'shared', 'models', 'stories260K.gguf');

export interface EditorWorkspace {
  base: string;
  root: string;
  cacheDir: string;
  home: string;
  /** JSON with root, cmd, initializationOptions and the fixture's facts. */
  configFile: string;
  /** Environment for the editor process: HOME isolated, the config file named. */
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

export function makeEditorWorkspace(): EditorWorkspace {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: build with \`npm run build\` first`);
  if (!fs.existsSync(STORIES)) throw new Error(`${STORIES} is missing: the shared test models must sit beside the project`);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'aros-lsp-editor-'));
  const root = path.join(base, 'ws');
  const cacheDir = path.join(base, 'cache');
  const home = path.join(base, 'home');
  fs.cpSync(path.join(REPO, 'test', 'fixtures', 'aros-mini'), root, { recursive: true });
  fs.cpSync(path.join(REPO, 'test', 'fixtures', 'loop-mini', 'workbench'), path.join(root, 'workbench'), { recursive: true });
  // The root marker of an AROS checkout, as the editor configurations look for it.
  fs.writeFileSync(path.join(root, 'mmake.config.in'), '# the root of an AROS checkout (test workspace)\n');
  fs.mkdirSync(home);
  const tiny = { model_path: STORIES, threads: 1, context_size: 1024, max_length: 16, temperature: 0 };
  const config = {
    root,
    cmd: [process.execPath, MAIN, 'serve', '--stdio'],
    initializationOptions: { cacheDir, models: { codegen: tiny, llm: tiny } },
  };
  const configFile = path.join(base, 'editor-test.json');
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  return {
    base,
    root,
    cacheDir,
    home,
    configFile,
    env: { ...process.env, HOME: home, XDG_CACHE_HOME: path.join(home, '.cache'), XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local', 'share'), AROS_LSP_TEST_CONFIG: configFile },
    cleanup: () => fs.rmSync(base, { recursive: true, force: true }),
  };
}
