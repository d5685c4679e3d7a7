// Files whose declarations are all plain enough to read without tree-sitter.
// Once the skeleton has cut bodies, parameter lists, field lists and
// directives, what is left of most C files is heads like
// `static ULONG foo(   ) {   }`, `struct Library *Base(   );` and
// `static int count = 0;`: in 8,200 of AROS's 14,500 files, nothing else. Such
// a file's symbols are read here from the skeleton, as the extractor makes
// them from a tree (extract.ts: the same spans, signatures and storage), and
// the file is not parsed; only its conditional directives, if any, are (see
// analyze.ts). A file with one declaration that is not plain is parsed whole:
// how tree-sitter reads a declaration, and recovers from an error in one,
// depends on the declarations around it, so reading some of a file's
// declarations from the text and parsing the rest changed symbols in files
// with errors, and re-parsing those cost more than the rest saved.
//
// Plain means what tree-sitter reads without error and only one way:
// storage classes and qualifiers, one type (a type name, a tag and its name,
// or a run of basic type words), `*`s, one declarator named by an identifier,
// then either an empty parameter list (the skeleton cut it) before `;` or an
// empty body, or array suffixes and an optional initializer before `;`. No
// directive, attribute, macro or second declarator inside.

import { endOfDirective } from './directives';
import { isBlank, isIdentChar, pushBlanked } from './lexer';
import { clipSignature, MAX_SIGNATURE, splitSignature, storageOf } from './signatureText';
import { newSymbol } from './symbol';
import type { Position, SymbolInfo } from './types';

export interface PlainUnits {
  symbols: SymbolInfo[];
  /**
   * The skeleton's conditional directives, everything else blanked (offsets
   * kept), if it has any: tree-sitter reads an `#if` without its `#endif` as
   * an error, and the file's `hasErrors` says so. Undefined if none.
   */
  directives: string | undefined;
}

/** tree-sitter-c's storage classes and qualifiers that may come before or after a type. */
const MODIFIERS = new Set(['static', 'extern', 'inline', '__inline', '__inline__', 'register', 'auto', 'const', 'volatile', 'restrict', '__restrict', '__restrict__']);
/** Qualifiers a pointer may carry (`char * const p`). */
const POINTER_QUALIFIERS = new Set(['const', 'volatile', 'restrict', '__restrict', '__restrict__']);
const SIZED = new Set(['signed', 'unsigned', 'short', 'long']);
/** tree-sitter-c's primitive types: at most one in a run of basic type words. */
const PRIMITIVES = new Set([
  'bool', 'char', 'char16_t', 'char32_t', 'char64_t', 'char8_t', 'charptr_t', 'double', 'float', 'int', 'int8_t', 'int16_t', 'int32_t',
  'int64_t', 'intptr_t', 'max_align_t', 'nullptr_t', 'ptrdiff_t', 'size_t', 'ssize_t', 'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t',
  'uintptr_t', 'void',
]);
const TAGS = new Set(['struct', 'union', 'enum']);
/** Every other word tree-sitter-c's grammar spells out: none is a type name or a declared name. */
const RESERVED = new Set([
  ...MODIFIERS, ...SIZED, ...PRIMITIVES, ...TAGS,
  'FALSE', 'NULL', 'TRUE', '_Alignas', '_Alignof', '_Atomic', '_Generic', '_Nonnull', '_Noreturn', '__alignof', '__alignof__', '__asm',
  '__asm__', '__attribute', '__attribute__', '__based', '__cdecl', '__clrcall', '__declspec', '__except', '__extension__', '__fastcall',
  '__finally', '__forceinline', '__leave', '__sptr', '__stdcall', '__thiscall', '__thread', '__try', '__unaligned', '__uptr',
  '__vectorcall', '__volatile__', '_alignof', '_unaligned', 'alignas', 'alignof', 'asm', 'break', 'case', 'constexpr', 'continue',
  'default', 'defined', 'do', 'else', 'false', 'for', 'goto', 'if', 'noreturn', 'nullptr', 'offsetof', 'return', 'sizeof', 'switch',
  'thread_local', 'true', 'typedef', 'while',
]);
/** Reserved words an initializer may use as values. */
const VALUES = new Set(['NULL', 'TRUE', 'FALSE', 'true', 'false', 'sizeof']);

const SEMICOLON = 59;
const OPEN_PAREN = 40;
const CLOSE_PAREN = 41;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const STAR = 42;
const HASH = 35;
const NL = 10;

/** What one plain unit is, at skeleton offsets. */
interface Unit {
  start: number;
  end: number;
  nameStart: number;
  nameEnd: number;
  /** Just past the type (a prototype's or variable's signature joins the type's text to the declarator's). */
  typeEnd: number;
  /** The declarator: the first `*` or the name, to past the `)` or the last `]`. */
  declStart: number;
  declEnd: number;
  /** A function definition's `{`, or -1. */
  body: number;
  fn: boolean;
}

/**
 * The symbols of `skeleton` (skeleton.ts) if every declaration in it is
 * plain, else undefined (as soon as one is not). `code` is the lexer's masked
 * text the skeleton was made from and `starts` its line starts: signatures
 * are read from it, as the extractor reads them.
 */
export function readPlainUnits(skeleton: string, code: string, starts: readonly number[]): PlainUnits | undefined {
  const units: Unit[] = [];
  let directives = false;
  const n = skeleton.length;
  let i = 0;
  let lineStart = true;
  for (;;) {
    // Blanks and directives between units (only conditionals are left in a skeleton).
    for (; i < n; i++) {
      const c = skeleton.charCodeAt(i);
      if (c === NL) lineStart = true;
      else if (lineStart && c === HASH) {
        directives = true;
        i = endOfDirective(skeleton, i) - 1;
      } else if (!isBlank(c)) break;
    }
    if (i >= n) break;
    lineStart = false;
    const unit = readUnit(skeleton, i);
    if (!unit) return undefined;
    units.push(unit);
    i = unit.end;
  }
  return { symbols: symbolsOf(units, skeleton, code, starts), directives: directives ? blankUnits(skeleton, units) : undefined };
}

/** A plain unit from `start`, or undefined. */
function readUnit(s: string, start: number): Unit | undefined {
  // Specifiers: modifiers, then one type, then modifiers.
  let typeEnd = -1;
  let inRun = false;
  let primitive = false;
  let i = start;
  let nameStart = -1;
  let declStart = -1;
  for (;;) {
    i = skipSpace(s, i);
    const c = s.charCodeAt(i);
    if (c === STAR) {
      if (typeEnd < 0) return undefined;
      declStart = i;
      break;
    }
    const end = wordEnd(s, i);
    if (end === i) return undefined;
    const word = s.slice(i, end);
    if (MODIFIERS.has(word)) {
      inRun = false;
    } else if (SIZED.has(word) || PRIMITIVES.has(word)) {
      // A run of basic words is one type (`unsigned long int`), with at most one primitive.
      if (typeEnd >= 0 && !inRun) return undefined;
      if (PRIMITIVES.has(word)) {
        if (primitive) return undefined;
        primitive = true;
      }
      inRun = true;
      typeEnd = end;
    } else if (TAGS.has(word)) {
      if (typeEnd >= 0) return undefined;
      const tag = skipSpace(s, end);
      const tagEnd = wordEnd(s, tag);
      if (tagEnd === tag || RESERVED.has(s.slice(tag, tagEnd))) return undefined;
      typeEnd = tagEnd;
      i = tagEnd;
      continue;
    } else if (RESERVED.has(word)) {
      return undefined;
    } else if (typeEnd < 0) {
      typeEnd = end;
    } else {
      nameStart = i;
      declStart = i;
      break;
    }
    i = end;
  }
  // Pointers (with qualifiers of their own), then the name.
  if (nameStart < 0) {
    for (;;) {
      i = skipSpace(s, i);
      if (s.charCodeAt(i) === STAR) {
        i++;
        continue;
      }
      const end = wordEnd(s, i);
      if (end === i) return undefined;
      const word = s.slice(i, end);
      if (POINTER_QUALIFIERS.has(word)) {
        i = end;
        continue;
      }
      if (RESERVED.has(word)) return undefined;
      nameStart = i;
      break;
    }
  }
  const nameEnd = wordEnd(s, nameStart);
  const unit: Unit = { start, end: -1, nameStart, nameEnd, typeEnd, declStart, declEnd: nameEnd, body: -1, fn: false };
  i = skipSpace(s, nameEnd);
  if (s.charCodeAt(i) === OPEN_PAREN) {
    // A function: the skeleton cut its parameters.
    const close = skipSpace(s, i + 1);
    if (s.charCodeAt(close) !== CLOSE_PAREN) return undefined;
    unit.fn = true;
    unit.declEnd = close + 1;
    i = skipSpace(s, close + 1);
    if (s.charCodeAt(i) === SEMICOLON) {
      unit.end = i + 1;
      return unit;
    }
    if (s.charCodeAt(i) !== OPEN_BRACE) return undefined;
    const shut = skipSpace(s, i + 1);
    if (s.charCodeAt(shut) !== CLOSE_BRACE) return undefined;
    unit.body = i;
    unit.end = shut + 1;
    return unit;
  }
  while (s.charCodeAt(i) === 91 /* [ */) {
    const close = arraySuffixEnd(s, i + 1);
    if (close < 0) return undefined;
    unit.declEnd = close + 1;
    i = skipSpace(s, close + 1);
  }
  if (s.charCodeAt(i) === 61 /* = */) {
    const end = initializerEnd(s, i + 1);
    if (end < 0) return undefined;
    unit.end = end + 1;
    return unit;
  }
  if (s.charCodeAt(i) !== SEMICOLON) return undefined;
  unit.end = i + 1;
  return unit;
}

/**
 * The `;` ending an initializer from `from`: an empty `{ }` (the skeleton cut
 * it), or one expression of names, numbers, literals, operators and balanced
 * parentheses and brackets, no two operands side by side (a cast's `)` and
 * a string next to a name or string excepted: tree-sitter joins those);
 * -1 for anything else.
 */
function initializerEnd(s: string, from: number): number {
  let i = skipSpace(s, from);
  if (s.charCodeAt(i) === OPEN_BRACE) {
    const shut = skipSpace(s, i + 1);
    if (s.charCodeAt(shut) !== CLOSE_BRACE) return -1;
    const end = skipSpace(s, shut + 1);
    return s.charCodeAt(end) === SEMICOLON ? end : -1;
  }
  // Each open parenthesis or bracket: true for a call's or an index's (its `)` is an operand), false otherwise.
  const open: boolean[] = [];
  let last = OPERATOR;
  for (; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (c === SEMICOLON) return open.length === 0 && last !== OPERATOR && last !== KEYWORD ? i : -1;
    if (c === 34 || c === 39) {
      // A literal: the lexer kept its quotes and blanked what is between.
      const close = s.indexOf(c === 34 ? '"' : "'", i + 1);
      const nl = s.indexOf('\n', i + 1);
      if (close < 0 || (nl >= 0 && nl < close)) return -1;
      // Strings join with strings and names (`PREFIX "..."`); a character is an operand like a number.
      if (c === 34 ? last !== OPERATOR && last !== NAME && last !== STRING : last !== OPERATOR) return -1;
      last = c === 34 ? STRING : OPERAND;
      i = close + 1;
      continue;
    }
    if (c >= 48 && c <= 57) {
      if (last !== OPERATOR) return -1;
      last = OPERAND;
      i = numberEnd(s, i);
      continue;
    }
    if (isIdentChar(c)) {
      const end = wordEnd(s, i);
      const word = s.slice(i, end);
      if (RESERVED.has(word) && !VALUES.has(word)) {
        // Type words, in a cast only: `(struct Node *)`, `(unsigned long)`.
        if (open.length === 0 || (last !== OPERATOR && last !== KEYWORD)) return -1;
        last = KEYWORD;
      } else {
        if (last !== OPERATOR && last !== STRING && !(last === KEYWORD && open.length > 0)) return -1;
        last = NAME;
      }
      i = end;
      continue;
    }
    if (c === OPEN_PAREN || c === 91 /* [ */) {
      if (last === KEYWORD || last === STRING) return -1;
      open.push(last !== OPERATOR);
      last = OPERATOR;
      i++;
      continue;
    }
    if (c === CLOSE_PAREN || c === 93 /* ] */) {
      if (open.length === 0) return -1;
      // After a call or an index an operator must follow; after a cast or a group, anything may.
      last = open.pop() || c === 93 ? OPERAND : OPERATOR;
      i++;
      continue;
    }
    if (c === 44 /* , */) {
      if (open.length === 0) return -1;
      last = OPERATOR;
      i++;
      continue;
    }
    if ('+-*/%&|^~!<>=?:.'.includes(s[i])) {
      last = OPERATOR;
      i++;
      continue;
    }
    return -1;
  }
  return -1;
}

// What an initializer's last token was.
const OPERATOR = 0;
const NAME = 1;
const STRING = 2;
const OPERAND = 3;
const KEYWORD = 4;

/** Past a number: digits, letters, `.`, and a sign after an exponent. */
function numberEnd(s: string, from: number): number {
  let i = from;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (isIdentChar(c) || c === 46) {
      i++;
      continue;
    }
    const before = s.charCodeAt(i - 1);
    if ((c === 43 || c === 45) && (before === 101 || before === 69 || before === 112 || before === 80)) {
      i++;
      continue;
    }
    break;
  }
  return i;
}

/** The `]` of an array suffix whose size holds only words, numbers, spaces and arithmetic; -1 otherwise. */
function arraySuffixEnd(s: string, from: number): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 93 /* ] */) return i;
    if (isIdentChar(c) || c === 32 || c === 9 || c === 43 || c === 45 || c === 42 || c === 47 || c === 60 || c === 62) continue;
    return -1;
  }
  return -1;
}

function blankUnits(s: string, units: readonly Unit[]): string {
  const parts: string[] = [];
  let copied = 0;
  for (const u of units) {
    parts.push(s.slice(copied, u.start));
    pushBlanked(parts, s, u.start, u.end);
    copied = u.end;
  }
  parts.push(s.slice(copied));
  return parts.join('');
}

/** The units' symbols, as `Extractor.functionDefinition` and `Extractor.declaration` make them. */
function symbolsOf(units: readonly Unit[], s: string, code: string, starts: readonly number[]): SymbolInfo[] {
  const at = new SkeletonPositions(s, starts);
  const symbols: SymbolInfo[] = [];
  for (const u of units) {
    // In order along the text: the positions are found walking forward.
    const start = at.position(u.start);
    const startAt = at.offset(start);
    const typeEnd = at.offset(at.position(u.typeEnd));
    const declStart = at.offset(at.position(u.declStart));
    const nameStart = at.position(u.nameStart);
    const nameEnd = at.position(u.nameEnd);
    const declEnd = at.offset(at.position(u.declEnd));
    const body = u.body >= 0 ? at.offset(at.position(u.body)) : -1;
    const end = at.position(u.end);
    const name = code.slice(at.offset(nameStart), at.offset(nameEnd));
    const range = { start, end };
    const selectionRange = { start: nameStart, end: nameEnd };
    if (body >= 0) {
      const signature = clipSignature(code, startAt, body);
      const parts = splitSignature(signature, name);
      symbols.push(newSymbol({ name, kind: 'function', definition: true, range, selectionRange, signature, storage: parts?.storage, returnType: parts?.returnType, params: parts?.params ?? [] }));
      continue;
    }
    const signature = `${clipSignature(code, startAt, typeEnd)} ${clipSignature(code, declStart, declEnd)}`.trim().slice(0, MAX_SIGNATURE);
    const storage = storageOf(signature);
    if (u.fn) {
      const parts = splitSignature(signature, name);
      symbols.push(newSymbol({ name, kind: 'function', definition: false, range, selectionRange, signature, storage, returnType: parts?.returnType, params: parts?.params ?? [] }));
    } else {
      const isExtern = storage !== undefined && /\bextern\b/.test(storage);
      symbols.push(newSymbol({ name, kind: 'variable', definition: !isExtern, range, selectionRange, signature, storage }));
    }
  }
  return symbols;
}

/** Rows and columns of skeleton offsets, asked for in increasing order; the skeleton keeps the text's. */
class SkeletonPositions {
  private row = 0;
  private rowStart = 0;
  private nextNewline: number;

  constructor(
    private readonly skeleton: string,
    private readonly starts: readonly number[],
  ) {
    this.nextNewline = skeleton.indexOf('\n');
  }

  position(offset: number): Position {
    while (this.nextNewline >= 0 && this.nextNewline < offset) {
      this.row++;
      this.rowStart = this.nextNewline + 1;
      this.nextNewline = this.skeleton.indexOf('\n', this.rowStart);
    }
    return { line: this.row, character: offset - this.rowStart };
  }

  /** The offset in the text of a position. */
  offset(p: Position): number {
    return (this.starts[p.line] ?? 0) + p.character;
  }
}

function skipSpace(s: string, from: number): number {
  let i = from;
  while (i < s.length && isBlank(s.charCodeAt(i))) i++;
  return i;
}

/** Past an identifier at `from` (`from` itself if none starts there). */
function wordEnd(s: string, from: number): number {
  const c = s.charCodeAt(from);
  if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95)) return from;
  let i = from + 1;
  while (i < s.length && isIdentChar(s.charCodeAt(i))) i++;
  return i;
}
