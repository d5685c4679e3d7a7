// A small tmpfs, to make writes fail with ENOSPC (needs root; callers skip without it).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';

export function mountTmpfs(dir: string, size: string): boolean {
  fs.mkdirSync(dir, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]).status === 0;
}

export function unmount(dir: string): void {
  spawnSync('umount', ['-l', dir]);
}
