// Files whose declarations are all plain enough to read without tree-sitter.
// Once the skeleton has cut bodies, parameter lists, field lists and
// directives, what is left of most C files is heads like
// `static ULONG foo(   ) {   }`, `struct Library *Base(   );`,
// `static int count = 0;` and `struct Node {   };`: in 11,400 of AROS's
// 14,500 C files, nothing else. Such a file's declarations are read here from
// the skeleton into the nodes tree-sitter would have made of them
// (declTree.ts), which the extractor reads as it reads a tree's, and the file
// is not parsed; only its directive lines, if any, are (see analyze.ts). A
// file with one declaration that is not plain is parsed whole: how
// tree-sitter reads a declaration, and recovers from an error in one, depends
// on the declarations around it, so reading some of a file's declarations
// from the text and parsing the rest changed symbols in files with errors,
// and re-parsing those cost more than the rest saved.
//
// Plain means what tree-sitter reads without error and only one way: an
// optional `typedef`, storage classes and qualifiers, one type (a type name,
// a run of basic type words, or a tag with its name and a body: for a struct
// or union one fieldLists.ts read, for an enum enumerators with plain values),
// then declarators: `*`s, a name, a parameter list (cut by the skeleton, or
// plain declarations as fieldLists.ts reads them) or array suffixes, or a
// pointer to a function `(*name)(parameters)`; an initializer that is an
// empty `{ }` (cut) or a plain expression; then `;`, or a function's empty
// body. A struct, union or enum alone before `;` is one too, and so are a
// stray `;`, an empty `{ }` (an AROS function's body, its head cut) and a
// macro called at file level with plain arguments and its `;`
// (`ADD2INITLIB(Init, 0);`). No directive, attribute or macro inside a
// declaration. Expressions are checked token by token (operands and
// operators alternate, numbers are C numbers, type words only in casts and
// `sizeof`), so that what is read here is what tree-sitter reads without
// error.

import type { DeclNode } from './declTree';
import { endOfDirective } from './directives';
import { extractUnits } from './extract';
import { arraySuffixEnd, parameterListEnd, type SimpleFieldLists } from './fieldLists';
import { isBlank, isIdentChar, lineStarts, offsetToPosition, skipBlanks } from './lexer';
import type { SymbolInfo } from './types';

export interface PlainUnits {
  symbols: SymbolInfo[];
  /**
   * The skeleton's directive lines (conditionals: the skeleton cut the rest),
   * one after another, if it has any: tree-sitter reads an `#if` without its
   * `#endif` as an error, and the file's `hasErrors` says so. Undefined if none.
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
const VALUES = new Set(['NULL', 'TRUE', 'FALSE', 'true', 'false']);

const SEMICOLON = 59;
const COMMA = 44;
const EQUALS = 61;
const OPEN_PAREN = 40;
const CLOSE_PAREN = 41;
const OPEN_BRACKET = 91;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const STAR = 42;
const HASH = 35;
const NL = 10;

/**
 * The symbols of `skeleton` (skeleton.ts) if every declaration in it is
 * plain, else undefined (as soon as one is not). `code` is the lexer's masked
 * text the skeleton was made from, `starts` its line starts, `fields` the
 * field lists read from it: signatures and fields are read from those, as the
 * extractor reads them for a tree.
 */
export function readPlainUnits(skeleton: string, code: string, starts: readonly number[], fields?: SimpleFieldLists): PlainUnits | undefined {
  const reader = new UnitReader(skeleton, starts, fields);
  const units: DeclNode[] = [];
  const directives: string[] = [];
  const n = skeleton.length;
  let i = 0;
  let lineStart = true;
  for (;;) {
    // Blanks and directives between units (only conditionals are left in a skeleton).
    for (; i < n; i++) {
      const c = skeleton.charCodeAt(i);
      if (c === NL) lineStart = true;
      else if (lineStart && c === HASH) {
        const end = endOfDirective(skeleton, i);
        directives.push(skeleton.slice(i, end));
        i = end - 1;
      } else if (!isBlank(c)) break;
    }
    if (i >= n) break;
    lineStart = false;
    const end = reader.unit(i, units);
    if (end < 0) return undefined;
    i = end;
  }
  // Whether they balance does not depend on where they are: only whether the tree has an error is read.
  return { symbols: extractUnits(units, code, starts, fields), directives: directives.length > 0 ? `${directives.join('\n')}\n` : undefined };
}

/** Reads units into the nodes tree-sitter makes of them: the types, fields and spans the extractor looks at. */
class UnitReader {
  private lines: number[] | undefined;

  constructor(
    private readonly s: string,
    private readonly starts: readonly number[],
    private readonly fields: SimpleFieldLists | undefined,
  ) {}

  /** Reads the unit at `start` into `out`; where it ends, or -1 if it is not plain. */
  unit(start: number, out: DeclNode[]): number {
    const s = this.s;
    let i = start;
    // A stray `;`, and the body of an AROS function whose head the skeleton cut: statements
    // at file level to tree-sitter, which the extractor passes over.
    if (s.charCodeAt(i) === SEMICOLON) return i + 1;
    if (s.charCodeAt(i) === OPEN_BRACE) return emptyBraces(s, i);
    const call = this.callStatement(i);
    if (call >= 0) return call;
    const typedef = s.startsWith('typedef', i) && !isIdentChar(s.charCodeAt(i + 7));
    if (typedef) i += 7;
    const specifiers = this.specifiers(i);
    if (!specifiers) return -1;
    const type = specifiers.type;
    i = skipBlanks(s, specifiers.end);
    if (s.charCodeAt(i) === SEMICOLON) {
      // `struct Node { ... };`: the specifier is the unit.
      if (typedef || specifiers.modifiers || !type.type.endsWith('_specifier') || type.type === 'sized_type_specifier') return -1;
      out.push(type);
      return i + 1;
    }
    const children: DeclNode[] = [type];
    for (;;) {
      const d = this.declarator(i, 'declarator', typedef);
      if (!d) return -1;
      let declarator = d.node;
      i = skipBlanks(s, d.end);
      if (s.charCodeAt(i) === EQUALS) {
        if (typedef) return -1;
        const from = skipBlanks(s, i + 1);
        // A function declarator with a value is a VBCC inline stub, `long f(...)="asm";`, which the
        // extractor tells by its strings (and `__reg` in its parameters): only strings are read here.
        const strings = d.fn ? stringsEnd(s, from) : undefined;
        const to = strings ? strings.end : d.fn ? -1 : initializerEnd(s, from);
        if (to < 0) return -1;
        const value = this.node(strings ? (strings.count > 1 ? 'concatenated_string' : 'string_literal') : 'expression', 'value', from, to, []);
        declarator = this.node('init_declarator', 'declarator', d.start, to, [declarator, value]);
        i = skipBlanks(s, to);
      }
      children.push(declarator);
      const c = s.charCodeAt(i);
      if (c === COMMA) {
        i = skipBlanks(s, i + 1);
        continue;
      }
      if (c === SEMICOLON) {
        out.push(this.node(typedef ? 'type_definition' : 'declaration', undefined, start, i + 1, children));
        return i + 1;
      }
      if (c !== OPEN_BRACE || typedef || !d.fn || children.length !== 2) return -1;
      // A function's body, which the skeleton cut.
      const end = emptyBraces(s, i);
      if (end < 0) return -1;
      children.push(this.node('compound_statement', 'body', i, end, []));
      out.push(this.node('function_definition', undefined, start, end, children));
      return end;
    }
  }

  /**
   * A macro called at file level, `ADD2INITLIB(Init, 0);`: an expression
   * statement to tree-sitter, which the extractor passes over. Where the `;`
   * after the call is, or -1.
   */
  private callStatement(from: number): number {
    const s = this.s;
    const nameEnd = wordEnd(s, from);
    if (nameEnd === from || RESERVED.has(s.slice(from, nameEnd)) || s.charCodeAt(skipBlanks(s, nameEnd)) !== OPEN_PAREN) return -1;
    const end = initializerEnd(s, from);
    if (end < 0 || s.charCodeAt(end - 1) !== CLOSE_PAREN) return -1;
    const semicolon = skipBlanks(s, end);
    return s.charCodeAt(semicolon) === SEMICOLON ? semicolon + 1 : -1;
  }

  /** Storage classes, qualifiers and one type, from `from`. */
  private specifiers(from: number): { type: DeclNode; end: number; modifiers: boolean } | undefined {
    const s = this.s;
    let type: DeclNode | undefined;
    let modifiers = false;
    // A run of basic type words is one type (`unsigned long int`), with at most one primitive.
    let runStart = -1;
    let runEnd = -1;
    let primitive = false;
    let i = from;
    for (;;) {
      const at = skipBlanks(s, i);
      const end = wordEnd(s, at);
      if (end === at) break;
      const word = s.slice(at, end);
      if (MODIFIERS.has(word)) {
        modifiers = true;
        if (runStart >= 0) type = this.basicType(runStart, runEnd, primitive);
      } else if (SIZED.has(word) || PRIMITIVES.has(word)) {
        if (type) return undefined;
        if (PRIMITIVES.has(word)) {
          if (primitive) return undefined;
          primitive = true;
        }
        if (runStart < 0) runStart = at;
        runEnd = end;
      } else if (TAGS.has(word)) {
        if (type || runStart >= 0) return undefined;
        const tagged = this.tagged(word, at, end);
        if (!tagged) return undefined;
        type = tagged.node;
        i = tagged.end;
        continue;
      } else if (RESERVED.has(word) || type || runStart >= 0) {
        // Any other keyword; or, after the type, the declared name.
        if (RESERVED.has(word)) return undefined;
        break;
      } else {
        type = this.node('type_identifier', 'type', at, end, []);
      }
      i = end;
    }
    if (!type && runStart >= 0) type = this.basicType(runStart, runEnd, primitive);
    return type && { type, end: i, modifiers };
  }

  private basicType(from: number, to: number, primitive: boolean): DeclNode {
    const single = primitive && wordEnd(this.s, from) === to;
    return this.node(single ? 'primitive_type' : 'sized_type_specifier', 'type', from, to, []);
  }

  /** `struct Tag`, `struct Tag { fields }` or `struct { fields }` (a body fieldLists.ts read), `enum Tag`. */
  private tagged(keyword: string, from: number, keywordEnd: number): { node: DeclNode; end: number } | undefined {
    const s = this.s;
    const children: DeclNode[] = [];
    let i = skipBlanks(s, keywordEnd);
    let end = -1;
    const nameEnd = wordEnd(s, i);
    if (nameEnd > i) {
      if (RESERVED.has(s.slice(i, nameEnd))) return undefined;
      children.push(this.node('type_identifier', 'name', i, nameEnd, []));
      end = nameEnd;
      i = skipBlanks(s, nameEnd);
    }
    if (s.charCodeAt(i) === OPEN_BRACE) {
      if (keyword === 'enum') {
        const list = this.enumerators(i);
        if (!list) return undefined;
        children.push(list.node);
        end = list.end;
      } else {
        end = emptyBraces(s, i);
        if (end < 0 || !this.fields?.has(this.codeOffset(i))) return undefined;
        children.push(this.node('field_declaration_list', 'body', i, end, []));
      }
    }
    if (end < 0) return undefined;
    return { node: this.node(`${keyword}_specifier`, 'type', from, end, children), end };
  }

  /** `{ NAME, NAME = value, ... }` from the `{` at `open`: names, each with an optional plain value (see initializerEnd). */
  private enumerators(open: number): { node: DeclNode; end: number } | undefined {
    const s = this.s;
    const children: DeclNode[] = [];
    let i = skipBlanks(s, open + 1);
    for (;;) {
      if (s.charCodeAt(i) === CLOSE_BRACE) break;
      const nameEnd = wordEnd(s, i);
      if (nameEnd === i || RESERVED.has(s.slice(i, nameEnd))) return undefined;
      const name = this.node('identifier', 'name', i, nameEnd, []);
      let end = nameEnd;
      let value: DeclNode | undefined;
      let next = skipBlanks(s, nameEnd);
      if (s.charCodeAt(next) === EQUALS) {
        const from = skipBlanks(s, next + 1);
        if (s.charCodeAt(from) === OPEN_BRACE) return undefined;
        end = initializerEnd(s, from);
        if (end < 0) return undefined;
        value = this.node('expression', 'value', from, end, []);
        next = skipBlanks(s, end);
      }
      children.push(this.node('enumerator', undefined, i, end, value ? [name, value] : [name]));
      if (s.charCodeAt(next) === CLOSE_BRACE) {
        i = next;
        break;
      }
      if (s.charCodeAt(next) !== COMMA) return undefined;
      i = skipBlanks(s, next + 1);
    }
    return { node: this.node('enumerator_list', 'body', open, i + 1, children), end: i + 1 };
  }

  /** `*`s (with qualifiers), a name, then an empty parameter list or array suffixes. */
  private declarator(from: number, field: string, typedef: boolean): { node: DeclNode; start: number; end: number; fn: boolean } | undefined {
    const s = this.s;
    const at = skipBlanks(s, from);
    if (s.charCodeAt(at) === STAR) {
      let i = at + 1;
      for (;;) {
        i = skipBlanks(s, i);
        const end = wordEnd(s, i);
        if (end === i || !POINTER_QUALIFIERS.has(s.slice(i, end))) break;
        i = end;
      }
      const inner = this.declarator(i, 'declarator', typedef);
      if (!inner) return undefined;
      return { node: this.node('pointer_declarator', field, at, inner.end, [inner.node]), start: at, end: inner.end, fn: inner.fn };
    }
    if (s.charCodeAt(at) === OPEN_PAREN) return this.functionPointer(at, field, typedef);
    const nameEnd = wordEnd(s, at);
    if (nameEnd === at || RESERVED.has(s.slice(at, nameEnd))) return undefined;
    let node = this.node(typedef ? 'type_identifier' : 'identifier', field, at, nameEnd, []);
    let end = nameEnd;
    let i = skipBlanks(s, nameEnd);
    if (s.charCodeAt(i) === OPEN_PAREN) {
      // Cut by the skeleton, or plain declarations (as fieldLists.ts reads them in pointers to functions).
      const close = parameterListEnd(s, i + 1);
      if (close < 0) return undefined;
      const params = this.node('parameter_list', 'parameters', i, close + 1, []);
      node = this.node('function_declarator', field, at, close + 1, [{ ...node, field: 'declarator' }, params]);
      return { node, start: at, end: close + 1, fn: true };
    }
    while (s.charCodeAt(i) === OPEN_BRACKET) {
      const close = arraySuffixEnd(s, i + 1);
      if (close < 0) return undefined;
      end = close + 1;
      node = this.node('array_declarator', field, at, end, [{ ...node, field: 'declarator' }]);
      i = skipBlanks(s, end);
    }
    return { node, start: at, end, fn: false };
  }

  /** `(*name)(parameters)`, `(*name[N])(parameters)`: a pointer to a function (a variable or a type, not a function). */
  private functionPointer(open: number, field: string, typedef: boolean): { node: DeclNode; start: number; end: number; fn: boolean } | undefined {
    const s = this.s;
    if (s.charCodeAt(skipBlanks(s, open + 1)) !== STAR) return undefined;
    const inner = this.declarator(open + 1, 'declarator', typedef);
    if (!inner || inner.fn) return undefined;
    const close = skipBlanks(s, inner.end);
    if (s.charCodeAt(close) !== CLOSE_PAREN) return undefined;
    const list = skipBlanks(s, close + 1);
    if (s.charCodeAt(list) !== OPEN_PAREN) return undefined;
    const shut = parameterListEnd(s, list + 1);
    if (shut < 0) return undefined;
    const parenthesized = this.node('parenthesized_declarator', 'declarator', open, close + 1, [{ ...inner.node, field: undefined }]);
    const params = this.node('parameter_list', 'parameters', list, shut + 1, []);
    return { node: this.node('function_declarator', field, open, shut + 1, [parenthesized, params]), start: open, end: shut + 1, fn: false };
  }

  private node(type: string, field: string | undefined, from: number, to: number, children: DeclNode[]): DeclNode {
    return { type, field, start: this.point(from), end: this.point(to), children, descendant: -1 };
  }

  /** The skeleton keeps the text's rows and columns. */
  private point(offset: number): { row: number; column: number } {
    const p = offsetToPosition((this.lines ??= lineStarts(this.s)), offset);
    return { row: p.line, column: p.character };
  }

  private codeOffset(offset: number): number {
    const p = this.point(offset);
    return (this.starts[p.row] ?? 0) + p.column;
  }
}

/** The closing quote of the literal opened at `open` (the lexer kept its quotes and blanked what is between), or -1 if not on its line. */
function literalClose(s: string, open: number): number {
  const close = s.indexOf(s[open], open + 1);
  const nl = s.indexOf('\n', open + 1);
  return close < 0 || (nl >= 0 && nl < close) ? -1 : close;
}

/** Just past a run of string literals from `from` (the lexer blanked their insides), and how many; undefined if none. */
function stringsEnd(s: string, from: number): { end: number; count: number } | undefined {
  let i = from;
  let end = -1;
  let count = 0;
  while (s.charCodeAt(i) === 34) {
    const close = literalClose(s, i);
    if (close < 0) return undefined;
    end = close + 1;
    count++;
    i = skipBlanks(s, end);
  }
  return count > 0 ? { end, count } : undefined;
}

/**
 * Just past the value of an initializer or enumerator starting at `from`
 * (after the `=` and blanks), which a `;`, `,` or `}` follows: an empty
 * `{ }` (the skeleton cut it), or one expression of names, numbers,
 * literals, operators and balanced parentheses and brackets, no two operands
 * side by side (but strings with strings or names, which tree-sitter joins,
 * a cast's `)` before an operand, and type words in a cast); -1 for
 * anything else.
 */
function initializerEnd(s: string, from: number): number {
  if (s.charCodeAt(from) === OPEN_BRACE) return emptyBraces(s, from);
  let i = from;
  let end = -1;
  // Each open parenthesis or bracket: true for a call's or an index's (its `)` is an operand), false otherwise.
  const open: boolean[] = [];
  let last = OPERATOR;
  // After an operand (or a parenthesized group, which may be a cast): a binary operator may follow.
  const operand = (): boolean => last === NAME || last === STRING || last === OPERAND || last === GROUP;
  for (; i < s.length; ) {
    const c = s.charCodeAt(i);
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (open.length === 0 && (c === SEMICOLON || c === COMMA || c === CLOSE_BRACE)) return operand() ? end : -1;
    if (c === 34 || c === 39) {
      const close = literalClose(s, i);
      if (close < 0) return -1;
      // Strings join with strings and names (`PREFIX "..."`); a character is an operand like a number.
      if (c === 34 ? last === OPERAND || last === KEYWORD : last !== OPERATOR && last !== GROUP) return -1;
      last = c === 34 ? STRING : OPERAND;
      i = end = close + 1;
      continue;
    }
    if (c >= 48 && c <= 57) {
      const after = numberEnd(s, i);
      if ((last !== OPERATOR && last !== GROUP) || after < 0) return -1;
      last = OPERAND;
      i = end = after;
      continue;
    }
    if (isIdentChar(c)) {
      const wordAt = i;
      i = end = wordEnd(s, i);
      const word = s.slice(wordAt, end);
      if (word === 'sizeof') {
        // An operator: what follows, `(struct Node)` too, is its operand.
        if (last !== OPERATOR && last !== GROUP) return -1;
        last = OPERATOR;
      } else if (RESERVED.has(word) && !VALUES.has(word)) {
        // Type words, in a cast only: `(struct Node *)`, `(unsigned long)`; not among a call's arguments.
        if (open.length === 0 || open[open.length - 1] || (last !== OPERATOR && last !== KEYWORD)) return -1;
        last = KEYWORD;
      } else {
        if (last !== OPERATOR && last !== STRING && last !== GROUP && !(last === KEYWORD && open.length > 0)) return -1;
        last = NAME;
      }
      continue;
    }
    if (c === OPEN_PAREN || c === OPEN_BRACKET) {
      // `(a)(b)`: a cast or a call, as tree-sitter decides; not read here.
      if (last === KEYWORD || last === STRING || last === GROUP) return -1;
      open.push(last !== OPERATOR);
      last = OPERATOR;
      i = end = i + 1;
      continue;
    }
    if (c === CLOSE_PAREN || c === 93 /* ] */) {
      if (open.length === 0 || (last === OPERATOR && s.charCodeAt(skipBack(s, i - 1)) !== (c === CLOSE_PAREN ? OPEN_PAREN : OPEN_BRACKET) && s.charCodeAt(skipBack(s, i - 1)) !== STAR)) return -1;
      last = open.pop() || c === 93 ? OPERAND : GROUP;
      i = end = i + 1;
      continue;
    }
    if (c === COMMA) {
      if (!operand()) return -1;
      last = OPERATOR;
      i = end = i + 1;
      continue;
    }
    const op = operatorAt(s, i);
    if (op === undefined) return -1;
    // Only `+ - * & ! ~ ++ --` may stand before an operand; every other operator needs one before it.
    if (!operand() && !PREFIX_OPERATORS.has(op)) return -1;
    last = OPERATOR;
    i = end = i + op.length;
  }
  return -1;
}

const OPERATORS = ['<<=', '>>=', '->', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '=', '?', ':', '.'];
const PREFIX_OPERATORS = new Set(['+', '-', '*', '&', '!', '~', '++', '--']);

/** The operator at `at` (the longest that matches), if one is. */
function operatorAt(s: string, at: number): string | undefined {
  for (const op of OPERATORS) if (s.startsWith(op, at)) return op;
  return undefined;
}

// What an initializer's last token was.
const OPERATOR = 0;
const NAME = 1;
const STRING = 2;
const OPERAND = 3;
const KEYWORD = 4;
/** A parenthesized group, or a cast. */
const GROUP = 5;

/**
 * Past a number at `from`: decimal, octal or hexadecimal digits, one fraction,
 * an exponent, `u`/`l`/`f` suffixes; -1 for anything else (`1.2.3`, `12ab`),
 * which tree-sitter does not read as one number.
 */
function numberEnd(s: string, from: number): number {
  let i = from;
  const hex = s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 32) === 120; // 0x
  const digit = hex ? isHexDigit : isDigit;
  if (hex) i += 2;
  while (digit(s.charCodeAt(i))) i++;
  if (s.charCodeAt(i) === 46 /* . */) {
    i++;
    while (digit(s.charCodeAt(i))) i++;
  }
  const e = s.charCodeAt(i) | 32;
  if (e === (hex ? 112 : 101) /* p, e */) {
    i++;
    if (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45) i++;
    if (!isDigit(s.charCodeAt(i))) return -1;
    while (isDigit(s.charCodeAt(i))) i++;
  }
  while ('uUlLfF'.includes(s[i] ?? '-')) i++;
  return isIdentChar(s.charCodeAt(i)) || s.charCodeAt(i) === 46 ? -1 : i;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || ((c | 32) >= 97 && (c | 32) <= 102);
}

/** Past the `}` of the `{` at `open` when only blanks are between them (a body the skeleton cut), else -1. */
function emptyBraces(s: string, open: number): number {
  const shut = skipBlanks(s, open + 1);
  return s.charCodeAt(shut) === CLOSE_BRACE ? shut + 1 : -1;
}

/** The last offset at or before `from` that is not blank. */
function skipBack(s: string, from: number): number {
  let i = from;
  while (i > 0 && isBlank(s.charCodeAt(i))) i--;
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
