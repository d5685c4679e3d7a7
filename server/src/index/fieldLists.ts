// Struct and union bodies simple enough to read without tree-sitter. A
// quarter of what tree-sitter parsed of AROS was field lists, nearly all of
// them plain `type name, *name[N];` lines. Those bodies are read here, at
// the lexer's offsets, and the skeleton blanks them (skeleton.ts); the
// extractor takes their fields from here when it meets the empty body in
// the tree (extract.ts). Pointers to functions (`APTR (*fn)(struct Hook *,
// APTR);`, `char *(*fn)(void);`) are read too, fields under `#if` in a body
// (every branch's, as tree-sitter's tree holds them), other directives
// among them (`#define`s of a field's flags: the skeleton blanks them), and
// nested structs and unions whose own bodies are plain. A body with
// anything else (an enum declared in it, a `#` that starts no directive, an
// attribute, a bit-field without a name, a parameter that is not a plain
// declaration) is left to tree-sitter, whole: what is read here is C that
// tree-sitter reads without error.
//
// A field read here is the one tree-sitter's reading gives: its span from
// the first specifier to the `;`, the type's span, and each declarator's
// span (`*`s, the name, array suffixes; a bit-field's width is not part of
// it). A qualifier after the type is left to tree-sitter (whether the
// type's span takes it depends on the type). Tests check the
// two readings against each other (extract.test.ts, fullParse).

import { atLineStart, directiveWord, endOfDirective } from './directives';
import { isBlank, isIdentChar, skipBlanks } from './lexer';

export interface SimpleField {
  /** The declaration: first specifier to just past the `;`. */
  start: number;
  end: number;
  /** Just past the type (the span tree-sitter gives its `type` field ends there). */
  typeEnd: number;
  declarators: Array<{ start: number; end: number; nameStart: number; nameEnd: number }>;
  /** A struct or union declared in the field's type (`struct { ... } name;`), with its own plain body. */
  aggregate?: SimpleAggregate;
}

export interface SimpleAggregate {
  kind: 'struct' | 'union';
  /** `struct` to just past `}`: the type's span. */
  start: number;
  end: number;
  /** The tag, if it has one. */
  name?: { start: number; end: number };
  /** The offset of its `{`. */
  open: number;
  body: SimpleBody;
}

/** A simple body: its fields, and where its `}` is. */
export interface SimpleBody {
  close: number;
  fields: SimpleField[];
}

/** The simple bodies, by the offset of their `{`. */
export type SimpleFieldLists = Map<number, SimpleBody>;

const QUALIFIERS = new Set(['const', 'volatile']);
const TAGS = new Set(['struct', 'union', 'enum']);
const BASIC = new Set(['signed', 'unsigned', 'short', 'long', 'int', 'char', 'float', 'double', 'void', '_Bool']);
/** Words that are never a type name or a field name. */
const KEYWORDS = new Set([
  ...QUALIFIERS,
  ...TAGS,
  ...BASIC,
  'auto',
  'break',
  'case',
  'continue',
  'default',
  'do',
  'else',
  'extern',
  'for',
  'goto',
  'if',
  'inline',
  'register',
  'restrict',
  'return',
  'sizeof',
  'static',
  'switch',
  'typedef',
  'while',
  '_Alignas',
  '_Atomic',
  '_Complex',
  '_Noreturn',
  '_Static_assert',
  '_Thread_local',
  'alignas',
  'thread_local',
  'static_assert',
]);

const OPEN = 123;
const CLOSE = 125;

/**
 * The simple bodies of `struct`/`union` specifiers in `code` (the lexer's
 * masked text: comments and literals blank), with their fields.
 */
export function simpleFieldLists(code: string): SimpleFieldLists {
  const out: SimpleFieldLists = new Map();
  const heads = /\b(?:struct|union)\b/g;
  for (let m = heads.exec(code); m !== null; m = heads.exec(code)) {
    let i = skipBlanks(code, m.index + m[0].length);
    // An optional tag, then the body.
    if (i < code.length && isWordStart(code.charCodeAt(i))) i = skipBlanks(code, wordEnd(code, i));
    if (code.charCodeAt(i) !== OPEN) continue;
    const body = readBody(code, i + 1);
    if (body) out.set(i, body);
  }
  return out;
}

/** The body opened just before `from`, or undefined unless every field in it is simple. */
function readBody(code: string, from: number): SimpleBody | undefined {
  const fields: SimpleField[] = [];
  let i = from;
  // Conditionals open in the body: fields in every branch are fields (tree-sitter's tree holds them all).
  let depth = 0;
  for (;;) {
    i = skipBlanks(code, i);
    if (i >= code.length) return undefined;
    const c = code.charCodeAt(i);
    if (c === CLOSE) return depth === 0 ? { close: i, fields } : undefined;
    if (c === 35 /* # */) {
      const directive = conditionalAt(code, i);
      if (directive !== undefined) {
        depth += directive;
        if (depth < 0) return undefined;
      } else if (!atLineStart(code, i) || directiveWord(code, i) === '') return undefined;
      // Any other directive (a `#define` of a field's flags) is blank in the skeleton tree-sitter reads (directives.ts).
      i = endOfDirective(code, i);
      continue;
    }
    const field = readField(code, i);
    if (!field) return undefined;
    fields.push(field);
    i = field.end;
  }
}

/**
 * A conditional directive starting a line at `at`: +1 opens one, -1 closes
 * one, 0 is another branch of one; undefined for any other directive, or a
 * `#` that does not start its line.
 */
function conditionalAt(code: string, at: number): number | undefined {
  if (!atLineStart(code, at)) return undefined;
  const word = directiveWord(code, at);
  // The whole word: `#if_x` is no `#if`.
  if (isIdentChar(code.charCodeAt(code.indexOf(word, at + 1) + word.length))) return undefined;
  switch (word) {
    case 'if':
    case 'ifdef':
    case 'ifndef':
      return 1;
    case 'elif':
    case 'else':
      return 0;
    case 'endif':
      return -1;
    default:
      return undefined;
  }
}

function readField(code: string, start: number): SimpleField | undefined {
  const word = readWord(code, skipQualifiers(code, start));
  if (!word) return undefined;
  const aggregate = word.text === 'struct' || word.text === 'union' ? readAggregate(code, word.start, word.end, word.text) : undefined;
  const typeEnd = aggregate ? aggregate.end : typeEndFrom(code, word);
  if (typeEnd < 0) return undefined;
  // A qualifier after the type is inside the type's span or not, depending on the type: tree-sitter decides.
  let i = skipBlanks(code, typeEnd);
  const after = readWord(code, i);
  if (after && QUALIFIERS.has(after.text)) return undefined;

  const declarators: SimpleField['declarators'] = [];
  // `struct { ... };`: an aggregate declaring no field (its members are the enclosing one's).
  if (aggregate && code.charCodeAt(i) === 59 /* ; */) return { start, end: i + 1, typeEnd, declarators, aggregate };
  for (;;) {
    const declStart = i;
    // `char *(*name)(void)`: a pointer to a function that returns a pointer.
    let open = i;
    while (code.charCodeAt(open) === 42 /* * */) open = skipBlanks(code, open + 1);
    const d = code.charCodeAt(open) === 40 /* ( */ ? readFunctionPointer(code, open) : readPlain(code, i);
    if (!d) return undefined;
    i = skipBlanks(code, d.end);
    if (!d.fn && code.charCodeAt(i) === 58 /* : */) {
      // A bit-field's width: a number or a plain name.
      const width = skipBlanks(code, i + 1);
      const w = wordEnd(code, width);
      if (w === width) return undefined;
      i = skipBlanks(code, w);
    }
    declarators.push({ start: declStart, end: d.end, nameStart: d.nameStart, nameEnd: d.nameEnd });
    const c = code.charCodeAt(i);
    if (c === 59 /* ; */) return { start, end: i + 1, typeEnd, declarators, aggregate };
    if (c !== 44 /* , */) return undefined;
    i = skipBlanks(code, i + 1);
  }
}

interface Declarator {
  end: number;
  nameStart: number;
  nameEnd: number;
  fn?: boolean;
}

/** Past the qualifiers (and blanks after each) from `at`. */
function skipQualifiers(code: string, at: number): number {
  let i = at;
  for (let q = readWord(code, i); q && QUALIFIERS.has(q.text); q = readWord(code, i)) i = skipBlanks(code, q.end);
  return i;
}

/**
 * Where the type that `word` begins ends: a tag and its name, a run of basic
 * type words, or one type name; -1 for any other keyword.
 */
function typeEndFrom(code: string, word: { text: string; end: number }): number {
  if (TAGS.has(word.text)) {
    const tag = readWord(code, skipBlanks(code, word.end));
    return tag && !KEYWORDS.has(tag.text) ? tag.end : -1;
  }
  if (BASIC.has(word.text)) {
    let end = word.end;
    for (let next = readWord(code, skipBlanks(code, end)); next && BASIC.has(next.text); next = readWord(code, skipBlanks(code, end))) end = next.end;
    return end;
  }
  return KEYWORDS.has(word.text) ? -1 : word.end;
}

/** `struct Tag { plain body }` from `start` (the keyword ends at `keywordEnd`), or undefined. */
function readAggregate(code: string, start: number, keywordEnd: number, kind: string): SimpleAggregate | undefined {
  let i = skipBlanks(code, keywordEnd);
  const tag = readWord(code, i);
  if (tag) {
    if (KEYWORDS.has(tag.text)) return undefined;
    i = skipBlanks(code, tag.end);
  }
  if (code.charCodeAt(i) !== OPEN) return undefined;
  const body = readBody(code, i + 1);
  if (!body) return undefined;
  return { kind: kind as 'struct' | 'union', start, end: body.close + 1, name: tag ? { start: tag.start, end: tag.end } : undefined, open: i, body };
}

/** `*name[N]`: pointers, the name, array suffixes. */
function readPlain(code: string, from: number): Declarator | undefined {
  let i = from;
  while (code.charCodeAt(i) === 42 /* * */) i = skipBlanks(code, i + 1);
  const name = readWord(code, i);
  if (!name || KEYWORDS.has(name.text)) return undefined;
  let end = name.end;
  i = skipBlanks(code, end);
  while (code.charCodeAt(i) === 91 /* [ */) {
    const close = arraySuffixEnd(code, i + 1);
    if (close < 0) return undefined;
    end = close + 1;
    i = skipBlanks(code, end);
  }
  return { end, nameStart: name.start, nameEnd: name.end };
}

/** `(*name[N])(parameters)`: a pointer to a function; its span ends with the parameter list. */
function readFunctionPointer(code: string, open: number): Declarator | undefined {
  let i = skipBlanks(code, open + 1);
  if (code.charCodeAt(i) !== 42 /* * */) return undefined;
  const inner = readPlain(code, i);
  if (!inner) return undefined;
  i = skipBlanks(code, inner.end);
  if (code.charCodeAt(i) !== 41 /* ) */) return undefined;
  i = skipBlanks(code, i + 1);
  if (code.charCodeAt(i) !== 40 /* ( */) return undefined;
  const close = parameterListEnd(code, i + 1);
  if (close < 0) return undefined;
  return { end: close + 1, nameStart: inner.nameStart, nameEnd: inner.nameEnd, fn: true };
}

/**
 * Where the `)` of a parameter list is, when every parameter in it is plain
 * (qualifiers, a type as a field's, then `*`s, a name and array suffixes, any
 * of them left out, or a pointer to a function again; or `...`); else -1.
 */
export function parameterListEnd(code: string, from: number): number {
  let i = skipBlanks(code, from);
  if (code.charCodeAt(i) === 41 /* ) */) return i;
  for (;;) {
    i = readParameter(code, i);
    if (i < 0) return -1;
    i = skipBlanks(code, i);
    const c = code.charCodeAt(i);
    if (c === 41 /* ) */) return i;
    if (c !== 44 /* , */) return -1;
    i = skipBlanks(code, i + 1);
  }
}

/** One parameter from `at`; where it ends, or -1. */
function readParameter(code: string, at: number): number {
  if (code.startsWith('...', at)) return at + 3;
  const word = readWord(code, skipQualifiers(code, at));
  if (!word) return -1;
  const typeEnd = typeEndFrom(code, word);
  if (typeEnd < 0) return -1;
  let i = skipQualifiers(code, skipBlanks(code, typeEnd));
  while (code.charCodeAt(i) === 42 /* * */) i = skipQualifiers(code, skipBlanks(code, i + 1));
  if (code.charCodeAt(i) === 40 /* ( */) {
    // A pointer to a function, named or not: `int (*)(void)`, `int (*cmp)(int, int)`.
    let j = skipBlanks(code, i + 1);
    if (code.charCodeAt(j) !== 42 /* * */) return -1;
    while (code.charCodeAt(j) === 42) j = skipBlanks(code, j + 1);
    const name = readWord(code, j);
    if (name) j = skipBlanks(code, name.end);
    if (code.charCodeAt(j) !== 41 /* ) */) return -1;
    j = skipBlanks(code, j + 1);
    if (code.charCodeAt(j) !== 40 /* ( */) return -1;
    const close = parameterListEnd(code, j + 1);
    return close < 0 ? -1 : close + 1;
  }
  const name = readWord(code, i);
  if (name) {
    if (KEYWORDS.has(name.text)) return -1;
    i = skipBlanks(code, name.end);
  }
  while (code.charCodeAt(i) === 91 /* [ */) {
    const close = arraySuffixEnd(code, i + 1);
    if (close < 0) return -1;
    i = skipBlanks(code, close + 1);
  }
  return i;
}

/** Where the `]` of an array suffix is: its size holds only words, numbers, spaces and arithmetic. */
export function arraySuffixEnd(code: string, from: number): number {
  for (let i = from; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 93 /* ] */) return i;
    if (isIdentChar(c) || isBlank(c) || c === 43 || c === 45 || c === 42 || c === 47 || c === 60 || c === 62) continue;
    return -1;
  }
  return -1;
}

function readWord(code: string, at: number): { text: string; start: number; end: number } | undefined {
  if (at >= code.length || !isWordStart(code.charCodeAt(at))) return undefined;
  const end = wordEnd(code, at);
  return { text: code.slice(at, end), start: at, end };
}

function wordEnd(code: string, at: number): number {
  let i = at;
  while (i < code.length && isIdentChar(code.charCodeAt(i))) i++;
  return i;
}

function isWordStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
