// Crash tests run built modules in a child process: build out/ first when it
// is missing or older than the sources they load.

import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');

export function ensureBuilt(): void {
  const sources = ['errorMemory', 'errorSignature', 'sessionLog'].map((n) => path.join(REPO, 'server', 'src', 'iteration', `${n}.ts`));
  const fresh = (src: string): boolean => {
    const out = path.join(REPO, 'out', 'iteration', `${path.basename(src, '.ts')}.js`);
    return existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs;
  };
  if (sources.every(fresh)) return;
  spawnSync(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(REPO, 'tsconfig.json')], { stdio: 'ignore' });
}
