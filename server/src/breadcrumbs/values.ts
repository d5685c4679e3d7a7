// Reading tag values the way every consumer (validator, tasks, relations, stats) must agree on.

import type { Breadcrumb, BreadcrumbEntry } from './types';

/** The effective (last) value of a tag. */
export function effective(b: Breadcrumb, tag: string): string | undefined {
  const values = b.tags[tag];
  return values !== undefined && values.length > 0 ? values[values.length - 1] : undefined;
}

/** The entry that holds the effective value of a tag. */
export function lastEntry(b: Breadcrumb, tag: string): BreadcrumbEntry | undefined {
  for (let i = b.entries.length - 1; i >= 0; i--) if (b.entries[i].tag === tag) return b.entries[i];
  return undefined;
}

/** Phase ids are compared upper-case and trimmed, so `kernel_init` names `KERNEL_INIT`. */
export function phaseKey(value: string): string {
  return value.trim().toUpperCase();
}

// Written by tools for "no dependencies" (the old Python tool could write `None`).
const EMPTY_LIST_WORDS = new Set(['NONE', 'N/A', '-']);

/** The phase ids of an AI_DEPENDENCIES / AI_BLOCKS value: a comma list, each normalised. */
export function phaseList(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const part of value.split(',')) {
    const key = phaseKey(part);
    if (key !== '' && !EMPTY_LIST_WORDS.has(key) && !out.includes(key)) out.push(key);
  }
  return out;
}

/** The effective AI_PHASE, normalised; undefined when missing or empty. */
export function phaseOf(b: Breadcrumb): string | undefined {
  const v = effective(b, 'AI_PHASE');
  const key = v === undefined ? '' : phaseKey(v);
  return key === '' ? undefined : key;
}

/** The effective AI_STATUS, upper-case and trimmed (the reader is lenient; the validator warns on case). */
export function statusOf(b: Breadcrumb): string | undefined {
  const v = effective(b, 'AI_STATUS');
  const s = v === undefined ? '' : v.trim().toUpperCase();
  return s === '' ? undefined : s;
}

/** The effective AI_PRIORITY when it is an integer from 1 to 10, else undefined. */
export function priorityOf(b: Breadcrumb): number | undefined {
  const v = effective(b, 'AI_PRIORITY');
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n >= 1 && n <= 10 ? n : undefined;
}
