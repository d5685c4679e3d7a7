// Shared helpers for the breadcrumb tests.
import { expect } from 'vitest';
import { parseBreadcrumbs } from '../../server/src/breadcrumbs/parse';
import type { Breadcrumb, BreadcrumbItem, BreadcrumbTarget } from '../../server/src/breadcrumbs/types';

/** Joins lines with `\n`, so line numbers in tests are array indices. */
export function lines(...ls: string[]): string {
  return ls.join('\n');
}

/** Parses text that must hold exactly one breadcrumb. */
export function one(text: string, targets?: readonly BreadcrumbTarget[]): Breadcrumb {
  const bs = parseBreadcrumbs(text, targets);
  expect(bs).toHaveLength(1);
  return bs[0];
}

/** A breadcrumb item built from comment lines, for validator, relation and task tests. */
export function item(file: string, ...commentLines: string[]): BreadcrumbItem {
  const text = commentLines.map((l) => `// ${l}`).join('\n') + '\nint f(void);\n';
  return { file, breadcrumb: one(text) };
}
