// Where a worker's or child process's entry script is: in the build beside
// this module's directory, also when running from TypeScript sources (tests).

import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** A compiled script in out/DIR; under a TypeScript test runner, the build output. */
export function builtScript(name: string, dir = 'index'): string | undefined {
  const here = path.resolve(__dirname, '..', dir, name);
  if (existsSync(here)) return here;
  const built = path.resolve(__dirname, '../../../out', dir, name);
  return existsSync(built) ? built : undefined;
}
