// The aros-mini fixture as tests read it: a file's text, and the text with an
// insertion after an anchor and the cursor at its end.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export const FIXTURE_ROOT = path.resolve(__dirname, '..', 'fixtures', 'aros-mini');

export function source(rel: string): string {
  return readFileSync(path.join(FIXTURE_ROOT, rel), 'utf8');
}

/** The file's text with `insert` added right after `anchor`; the cursor at the end of the inserted text. */
export function edited(rel: string, anchor: string, insert = ''): { text: string; offset: number } {
  const text = source(rel);
  const at = text.indexOf(anchor);
  if (at < 0) throw new Error(`anchor not found in ${rel}: ${anchor}`);
  const end = at + anchor.length;
  return { text: text.slice(0, end) + insert + text.slice(end), offset: end + insert.length };
}
