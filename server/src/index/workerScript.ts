// Where a worker thread's entry script is: beside this module when running the
// build, in out/index when running from TypeScript sources (tests).

import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** A compiled sibling script; under a TypeScript test runner, the build output. */
export function builtScript(name: string): string | undefined {
  const here = path.join(__dirname, name);
  if (existsSync(here)) return here;
  const built = path.resolve(__dirname, '../../../out/index', name);
  return existsSync(built) ? built : undefined;
}
