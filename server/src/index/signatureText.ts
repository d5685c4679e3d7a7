// Storage class, return type and parameters read from a function's signature
// text. Walking tree-sitter nodes for each parameter costs a native call per
// property; on the 95,000 prototypes of the AROS headers, string work on the
// already-extracted signature is several times cheaper and just as exact.

import type { ParamInfo } from './types';

const STORAGE = /^(?:(?:static|extern|inline|__inline__|__inline|register|auto|_Thread_local|STATIC|INLINE|__stdargs|__saveds)\s+)+/;

/** Words that end a nameless parameter type (`unsigned long`, `const char`). */
const NOT_A_NAME = new Set(['int', 'long', 'short', 'char', 'float', 'double', 'void', 'unsigned', 'signed', 'const', 'volatile', '_Bool']);

export interface SignatureParts {
  storage?: string;
  returnType: string;
  params: ParamInfo[];
}

/** The longest signature kept, in characters. */
export const MAX_SIGNATURE = 400;

/** The text of [start, end) as one line: blanks collapsed, trimmed, at most `MAX_SIGNATURE` long. */
export function clipSignature(text: string, start: number, end: number): string {
  const limit = Math.min(end, start + MAX_SIGNATURE * 4);
  return text.slice(start, limit).replace(/\s+/g, ' ').trim().slice(0, MAX_SIGNATURE);
}

export function storageOf(signature: string): string | undefined {
  const m = STORAGE.exec(signature);
  return m ? m[0].trim().replace(/\s+/g, ' ') : undefined;
}

/** `signature` is one whitespace-collapsed declaration head: `static struct Node *foo(struct List *l, int n)`. */
export function splitSignature(signature: string, name: string): SignatureParts | undefined {
  const at = findCallName(signature, name);
  if (at < 0) return undefined;
  const storage = storageOf(signature);
  const head = signature.slice(storage ? STORAGE.exec(signature)?.[0].length ?? 0 : 0, at);
  // `int (*name)(...)` never reaches here (not a function); strip a stray `(` of `int (name)(...)`.
  const returnType = head.replace(/\(\s*$/, '').trim();
  const open = signature.indexOf('(', at + name.length);
  const close = matchingParen(signature, open);
  const inner = close > open ? signature.slice(open + 1, close) : signature.slice(open + 1);
  const params = splitParams(inner);
  return { storage, returnType, params: close > open ? withKnRTypes(params, signature.slice(close + 1)) : params };
}

/** K&R: `int f(a, b) int a; char *b;` names its parameters in the list and types them after it. */
function withKnRTypes(params: ParamInfo[], after: string): ParamInfo[] {
  if (params.length === 0 || !after.includes(';') || !params.every((p) => p.name === '' && /^[A-Za-z_]\w*$/.test(p.type))) return params;
  const typed = new Map<string, string>();
  for (const decl of after.split(';')) {
    const d = decl.trim();
    if (!d) continue;
    // `int a, *b` declares several: split after the base type.
    const pieces = splitTopLevel(d).filter((p) => p.trim() !== '');
    const first = paramOf(pieces[0]);
    if (!first.name) continue;
    const base = first.type.replace(/[\s*]+$/, '');
    typed.set(first.name, first.type);
    for (const more of pieces.slice(1)) {
      const m = /^(\**)\s*([A-Za-z_]\w*)/.exec(more.trim());
      if (m) typed.set(m[2], m[1] ? `${base} ${m[1]}` : base);
    }
  }
  // An undeclared K&R parameter is an `int`.
  return params.map((p) => ({ type: typed.get(p.type) ?? 'int', name: p.type }));
}

export function splitParams(inner: string): ParamInfo[] {
  const trimmed = inner.trim();
  if (trimmed === '' || trimmed === 'void' || trimmed === 'VOID') return [];
  return splitTopLevel(trimmed)
    .filter((p) => p.trim() !== '')
    .map(paramOf);
}

function paramOf(text: string): ParamInfo {
  const p = text.trim();
  if (p === '...') return { type: '...', name: '...' };
  // Function pointer parameter: `void (*cb)(int)` names `cb`.
  const fp = /\(\s*(\*+)\s*([A-Za-z_]\w*)\s*\)/.exec(p);
  if (fp) return { type: `${p.slice(0, fp.index).trim()} (${fp[1]})${p.slice(fp.index + fp[0].length)}`.trim(), name: fp[2] };
  const withoutArrays = p.replace(/(\s*\[[^\]]*\])+$/, '');
  const m = /([A-Za-z_]\w*)$/.exec(withoutArrays);
  // A lone type (`int`, `struct X *`) has no name; a name needs a type before it.
  if (!m || m.index === 0 || /[*\s]$/.test(withoutArrays.slice(0, m.index)) === false) return { type: p, name: '' };
  const before = withoutArrays.slice(0, m.index).trim();
  // A lone qualifier before a type name (`const STRPTR`) is nameless too; a base type before a word (`int a`) is not.
  if (NOT_A_NAME.has(m[1]) || before === 'struct' || before === 'union' || before === 'enum' || before === 'const' || before === 'volatile') {
    return { type: p, name: '' };
  }
  const arrays = p.slice(withoutArrays.length).replace(/\s+/g, '');
  return { type: `${before}${arrays ? ` ${arrays}` : ''}`, name: m[1] };
}

function findCallName(s: string, name: string): number {
  // An empty name (a zero-width node of tree-sitter's error recovery) is found everywhere and never passed.
  if (name === '') return -1;
  let i = s.indexOf(name);
  while (i >= 0) {
    const before = i > 0 ? s.charCodeAt(i - 1) : 32;
    let j = i + name.length;
    while (j < s.length && s.charCodeAt(j) === 32) j++;
    if (!isIdent(before) && s.charCodeAt(j) === 40 /* ( */) return i;
    i = s.indexOf(name, i + name.length);
  }
  return -1;
}

/** Offset of the `)` closing the `(` at `open`, or -1 (also when it is not found before `limit`). */
export function matchingParen(s: string, open: number, limit = s.length): number {
  let depth = 0;
  for (let i = open; i < limit; i++) {
    const c = s.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41 && --depth === 0) return i;
  }
  return -1;
}

/** Splits at commas outside parentheses, brackets and braces; keeps empty pieces (callers that count arguments need them). */
export function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) depth--;
    else if (c === 44 && depth === 0) {
      out.push(s.slice(from, i));
      from = i + 1;
    }
  }
  out.push(s.slice(from));
  return out;
}

function isIdent(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
