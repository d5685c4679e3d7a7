// Recognises functions that AROS defines through macros rather than C declarators:
//
//   library functions  AROS_LHn(ret, Name, AROS_LHA(type, name, reg)..., BaseType, BaseName, LVO, Lib) { ... }
//   hooks / callbacks  AROS_UFHn(ret, Name, AROS_UFHA(type, name, reg)...) { ... }
//   interrupt handlers AROS_INTHn(Name, type, data, intmask, custom, code) { ... }
//   process entries    AROS_PROCH(Name, argptr, argsize, SysBase) { ... }
//   BOOPSI dispatchers BOOPSI_DISPATCHER(ret, Name, cl, obj, msg) { ... }
//
// The scan is a single regular-expression pass over the masked code from `lexC`
// (comments and literals are blanks there, so mentions in comments or strings are
// never seen), followed by local paren/brace matching around each hit.
//
// Rules:
// - Definition macros: AROS_LHn, AROS_LHnI, AROS_LHnQUADm, AROS_LHQUADm,
//   AROS_LHDOUBLEm, AROS_LHnDOUBLEm, the same with a `__` prefix (old forms),
//   AROS_UFHn and AROS_UFHnS. All library forms share one shape:
//   (ret, name, <argument macros>..., baseType, baseName, lvo, library);
//   hook forms are (ret, name, <argument macros>...). AROS_INTH0-4 and
//   AROS_PROCH (exec/interrupts.h, aros/asmcall.h) are hooks too, of a fixed
//   shape: `ULONG Name(type data /* A1 */, ULONG intmask /* D1 */, APTR custom
//   /* A0 */, VOID_FUNC code /* A5 */)` with as many parameters as the macro
//   names, `SIPTR Name(STRPTR argptr /* A0 */, ULONG argsize /* D0 */, struct
//   ExecBase *SysBase /* A6 */)`, the names as written. So are
//   BOOPSI_DISPATCHER and its prototype BOOPSI_DISPATCHER_PROTO
//   (intuition/classes.h, an AROS_UFH3 of `Class *cl /* A0 */, Object *obj
//   /* A2 */, Msg msg /* A1 */`): every BOOPSI and MUI class's entry point.
// - Followed by `{` (after blanks and whole preprocessor lines; an `#else`/`#elif`
//   branch there, typically a plain C head for other compilers, is skipped to its
//   `#endif`): a definition (`definition: true`, range through the matching `}`;
//   brace matching counts only the first branch of each `#if` and skips `#if 0`
//   blocks; an unbalanced body runs to the end of the text).
//   Followed by `;`: a prototype (`definition: false`, range through the `;`).
//   Followed by anything else: not reported.
// - Prototype macros AROS_LDn (and its I/QUAD/DOUBLE forms) and AROS_UFPn/AROS_UFPnS
//   are reported as `definition: false` when they end in `;`, with the same
//   information. Call macros (AROS_LCn, AROS_UFCn) and AROS_LPn (used inside
//   casts and macro bodies) are never reported.
// - Invocations on a preprocessor line (`#define` bodies, with their `\`
//   continuation lines) are skipped, as are invocations in expression position
//   (preceded by `(`, `,` or `=`) and unterminated ones.
// - Argument macros (AROS_LHA, AROS_LHA2, AROS_LHAQUAD, AROS_LHADOUBLE, AROS_UFHA,
//   AROS_LDA, AROS_UFPA, __AROS_LA, __AROS_LHA, ...): (type, name, reg[, reg2]);
//   several registers are joined with `/` (`D0/D1`).
// - Name: the second argument; when it is itself a macro call such as
//   `GM_UNIQUENAME(LibInit)` or `AROS_SLIB_ENTRY(ReadFunc, Lib, 0)`, the first
//   identifier inside its parentheses (`LibInit`, `ReadFunc`).
// - storage: `static` for the S hook forms; otherwise `static`/`STATIC`/`inline`/`extern`
//   keywords written just before the macro. The range starts at such a keyword.
// - signature: `APTR AllocPooled(APTR poolHeader /* A0 */, IPTR memSize /* D0 */)
//   /* struct ExecBase *SysBase, LVO 118, Exec */` for library functions (no
//   parameters: `(void)`; an LVO that is not a number is shown as written),
//   `static IPTR Hook(struct Hook *h /* A0 */, ...)` for hooks.
// - Documentation (definitions only): the AutoDoc banner (`/*****...`) is looked
//   for among the comments just above the construct (only blanks and preprocessor
//   lines such as `#include <proto/x.h>` between them); every comment from the
//   banner to the body's `{` (SYNOPSIS/LOCATION comments between the arguments,
//   the FUNCTION...SEE ALSO comment after them), except comments on directive
//   lines, goes to `parseAutoDoc`. Without an AutoDoc, a plain comment right
//   above becomes `doc`.

import type { ArosInfo, ParamInfo, SymbolInfo } from './types';
import type { CommentSpan, LexResult } from './lexer';
import { atLineStart, branchEnd, directiveWord, endOfDirective } from './directives';
import { isBlank, isIdentChar, offsetToPosition, skipBlanks } from './lexer';
import { isAutoDocBanner, parseAutoDoc } from './autodoc';
import { splitTopLevel } from './signatureText';

/** A function found by `scanArosDefinitions`, with the offsets of the text it covers. */
export interface ArosDefinition extends SymbolInfo {
  /**
   * Offset of the construct's first character (the storage keyword or the macro
   * name). Together with `regionEnd` this is the text where a C parser sees only
   * macro noise; symbols it reports there should be dropped in favour of this one.
   */
  regionStart: number;
  /** Offset just past the closing `}` of the body, or past the `;` of a prototype. */
  regionEnd: number;
}

type MacroFamily = 'LH' | 'UFH' | 'LD' | 'UFP' | 'INTH' | 'PROCH' | 'BOOPSI' | 'BOOPSI_PROTO';
/** Families whose macros fix the parameters' types and registers (HANDLER_PARAMS). */
type FixedFamily = 'INTH' | 'PROCH' | 'BOOPSI' | 'BOOPSI_PROTO';

interface MacroShape {
  family: MacroFamily;
  /** Number of argument macros the name promises (informational; not enforced). */
  argCount: number;
  isStatic: boolean;
}

// One pass finds every candidate; `shapeOf` then validates the suffix.
const MACRO_RE = /AROS_(LH|UFH|LD|UFP|INTH|PROCH)([0-9A-Z]*)|BOOPSI_DISPATCHER(_PROTO)?/g;
const LIB_SUFFIX_RE = /^(\d*)(?:(I)|(QUAD|DOUBLE)(\d+))?$/;
const HOOK_SUFFIX_RE = /^(\d+)(S?)$/;
const IDENT_RE = /[A-Za-z_][A-Za-z0-9_]*/;
// `__startup` (a section attribute) marks the entry points AROS_PROCH defines.
const STORAGE_WORDS: ReadonlySet<string> = new Set(['static', 'STATIC', 'inline', '__inline', '__inline__', 'extern', '__startup']);

/** Longest argument list looked at before an invocation is taken as unterminated. */
const MAX_ARGS_LENGTH = 20000;
/** Lines searched above the macro for the AutoDoc banner (per gap between comments). */
const MAX_DOC_GAP_LINES = 8;
const MAX_DOC_COMMENTS_BACK = 6;

function shapeOf(family: MacroFamily, suffix: string): MacroShape | undefined {
  if (family === 'LH' || family === 'LD') {
    const m = LIB_SUFFIX_RE.exec(suffix);
    if (!m) return undefined;
    const n = m[1] === '' ? 0 : Number(m[1]);
    if (m[3] !== undefined) return { family, argCount: n + Number(m[4]), isStatic: false };
    if (m[1] === '') return undefined; // bare AROS_LH / AROS_LHI: not a definition macro
    return { family, argCount: n, isStatic: false };
  }
  if (family === 'INTH') return /^[0-4]$/.test(suffix) ? { family, argCount: Number(suffix), isStatic: false } : undefined;
  if (family === 'PROCH') return suffix === '' ? { family, argCount: 3, isStatic: false } : undefined;
  if (family === 'BOOPSI' || family === 'BOOPSI_PROTO') return { family, argCount: 3, isStatic: false };
  const m = HOOK_SUFFIX_RE.exec(suffix);
  if (!m) return undefined;
  return { family, argCount: Number(m[1]), isStatic: m[2] === 'S' };
}

const DISPATCHER_PARAMS = [
  { type: 'Class *', register: 'A0' },
  { type: 'Object *', register: 'A2' },
  { type: 'Msg', register: 'A1' },
];

/** The parameters of AROS_INTHn, AROS_PROCH and BOOPSI_DISPATCHER, whose types and registers the macros fix. */
const HANDLER_PARAMS: Readonly<Record<FixedFamily, ReadonlyArray<{ type: string; register: string }>>> = {
  INTH: [
    { type: '', register: 'A1' },
    { type: 'ULONG', register: 'D1' },
    { type: 'APTR', register: 'A0' },
    { type: 'VOID_FUNC', register: 'A5' },
  ],
  PROCH: [
    { type: 'STRPTR', register: 'A0' },
    { type: 'ULONG', register: 'D0' },
    { type: 'struct ExecBase *', register: 'A6' },
  ],
  BOOPSI: DISPATCHER_PARAMS,
  BOOPSI_PROTO: DISPATCHER_PARAMS,
};

function isFixed(family: MacroFamily): family is FixedFamily {
  return Object.hasOwn(HANDLER_PARAMS, family);
}

/** Where a fixed family's macro puts the function's name: after the return type for dispatchers. */
function nameArgument(family: FixedFamily | undefined): number {
  return family === 'INTH' || family === 'PROCH' ? 0 : 1;
}

/** Undefined if an argument is missing or empty. */
function handlerParams(family: FixedFamily, count: number, code: string, a: readonly ArgSpan[], hasDirective: boolean): ParamInfo[] | undefined {
  const fixed = HANDLER_PARAMS[family];
  // After the name; AROS_INTHn(name, type, data, ...): the data's type is an argument of its own.
  const first = nameArgument(family) + (family === 'INTH' && count > 0 ? 2 : 1);
  if (a.length !== first + count) return undefined;
  const params: ParamInfo[] = [];
  for (let i = 0; i < count; i++) {
    const name = normalize(argText(code, a[first + i], hasDirective));
    const type = i === 0 && family === 'INTH' ? normalize(argText(code, a[1], hasDirective)) : fixed[i].type;
    if (name === '' || type === '') return undefined;
    params.push({ type, name, register: fixed[i].register });
  }
  return params;
}

/**
 * Finds the AROS macro-defined functions (and their prototypes) in one file.
 * `text` is the original text, `lex` its `lexC` result, `starts` its `lineStarts`.
 */
export function scanArosDefinitions(text: string, lex: LexResult, starts: number[]): ArosDefinition[] {
  const code = lex.code;
  const out: ArosDefinition[] = [];
  MACRO_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = MACRO_RE.exec(code)) !== null) {
    const at = m.index;
    const nameEnd = at + m[0].length;
    // Whole identifier only, optionally with the old `__` prefix.
    let macroStart = at;
    if (at >= 2 && code.charCodeAt(at - 1) === 95 && code.charCodeAt(at - 2) === 95) macroStart = at - 2;
    if (macroStart > 0 && isIdentChar(code.charCodeAt(macroStart - 1))) continue;
    if (nameEnd < code.length && isIdentChar(code.charCodeAt(nameEnd))) continue;
    const shape = m[1] !== undefined ? shapeOf(m[1] as MacroFamily, m[2]) : shapeOf(m[3] ? 'BOOPSI_PROTO' : 'BOOPSI', '');
    if (!shape) continue;
    const def = scanOne(text, code, lex.comments, starts, macroStart, nameEnd, code.slice(macroStart, nameEnd), shape);
    // The scan goes on from the macro name, not after the body: nested (GCC)
    // hook definitions inside a body are found too.
    if (def) out.push(def);
  }
  return out;
}

function scanOne(
  text: string,
  code: string,
  comments: CommentSpan[],
  starts: number[],
  macroStart: number,
  macroEnd: number,
  macro: string,
  shape: MacroShape,
): ArosDefinition | undefined {
  if (inDirective(code, macroStart)) return undefined;

  // The argument list.
  const open = skipBlanks(code, macroEnd);
  if (code.charCodeAt(open) !== 40 /* ( */) return undefined;
  const args = splitArgs(code, open);
  if (!args) return undefined;
  const close = args.close;

  // Expression position: `x = AROS_UFH...(`, `f(AROS_LH...(` are not ours.
  const prev = prevSignificant(code, macroStart);
  if (prev >= 0) {
    const pc = code.charCodeAt(prev);
    if (pc === 40 || pc === 44 || pc === 61) return undefined;
  }

  // What follows the closing paren decides definition or prototype.
  const after = skipBlanksAndDirectives(code, close + 1);
  const ac = code.charCodeAt(after);
  let definition: boolean;
  if (ac === 123 /* { */) definition = true;
  else if (ac === 59 /* ; */) definition = false;
  else return undefined;
  if (definition && (shape.family === 'LD' || shape.family === 'UFP' || shape.family === 'BOOPSI_PROTO')) return undefined;

  const a = args.parts;
  const library = shape.family === 'LH' || shape.family === 'LD';
  const handler = isFixed(shape.family) ? shape.family : undefined;
  if (library ? a.length < 6 : a.length < nameArgument(handler) + 1) return undefined;

  const retType = handler === 'INTH' ? 'ULONG' : handler === 'PROCH' ? 'SIPTR' : normalize(argText(code, a[0], args.hasDirective));
  if (retType === '') return undefined;
  const nameInfo = nameOf(code, a[nameArgument(handler)]);
  if (!nameInfo) return undefined;

  let params: ParamInfo[] = [];
  if (handler) {
    const fixed = handlerParams(handler, shape.argCount, code, a, args.hasDirective);
    if (!fixed) return undefined;
    params = fixed;
  } else {
    const paramEnd = library ? a.length - 4 : a.length;
    for (let i = 2; i < paramEnd; i++) {
      const p = parseArgMacro(code, a[i], args.hasDirective);
      if (p) params.push(p);
    }
  }

  const aros: ArosInfo = { form: library ? 'library' : 'hook', macro };
  let lvoExpr: string | undefined;
  if (library) {
    aros.baseType = normalize(argText(code, a[a.length - 4], args.hasDirective));
    aros.baseName = normalize(argText(code, a[a.length - 3], args.hasDirective));
    const lvoText = normalize(argText(code, a[a.length - 2], args.hasDirective));
    if (/^\d+$/.test(lvoText)) aros.lvo = Number(lvoText);
    else if (/^0x[0-9a-fA-F]+$/.test(lvoText)) aros.lvo = parseInt(lvoText, 16);
    aros.library = normalize(argText(code, a[a.length - 1], args.hasDirective));
    if (aros.lvo === undefined && lvoText !== '') lvoExpr = lvoText;
  }

  // Storage keywords written before the macro.
  let regionStart = macroStart;
  const words: string[] = [];
  for (;;) {
    const p = prevSignificant(code, regionStart);
    if (p < 0 || !isIdentChar(code.charCodeAt(p))) break;
    let s = p;
    while (s > 0 && isIdentChar(code.charCodeAt(s - 1))) s--;
    const w = code.slice(s, p + 1);
    if (!STORAGE_WORDS.has(w) || inDirective(code, s)) break;
    words.unshift(w);
    regionStart = s;
  }
  if (shape.isStatic && !words.includes('static') && !words.includes('STATIC')) words.unshift('static');
  const storage = words.length > 0 ? words.join(' ') : undefined;

  let regionEnd: number;
  let bodyStart: number | undefined;
  if (definition) {
    bodyStart = after;
    regionEnd = matchBrace(code, after);
  } else {
    regionEnd = after + 1;
  }

  const name = nameInfo.name;
  const sym: ArosDefinition = {
    name,
    kind: 'function',
    definition,
    range: { start: offsetToPosition(starts, regionStart), end: offsetToPosition(starts, regionEnd) },
    selectionRange: {
      start: offsetToPosition(starts, nameInfo.start),
      end: offsetToPosition(starts, nameInfo.end),
    },
    signature: formatArosSignature(retType, name, params, aros, storage, lvoExpr),
    storage,
    returnType: retType,
    params,
    aros,
    // Present from the start, so that documentation attached later keeps one shape (see newSymbol).
    autodoc: undefined,
    doc: undefined,
    regionStart,
    regionEnd,
  };
  if (definition) attachDoc(sym, text, code, comments, regionStart, macroStart, bodyStart ?? regionEnd);
  return sym;
}

/**
 * A readable C-like signature with registers and library location as comments:
 * `APTR AllocPooled(APTR poolHeader /* A0 *\/, IPTR memSize /* D0 *\/) /* struct ExecBase *SysBase, LVO 118, Exec *\/`.
 * Hooks (no library information) get no trailing comment; `storage` is prefixed.
 * `lvoText` shows an LVO written as an expression (when `aros.lvo` is undefined).
 */
export function formatArosSignature(
  returnType: string,
  name: string,
  params: readonly ParamInfo[],
  aros: ArosInfo | undefined,
  storage?: string,
  lvoText?: string,
): string {
  // Joined as it goes: `map` then `join` met parameter lists of several array kinds, each a deoptimization.
  let list = '';
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    const decl = joinTypeName(p.type, p.name);
    list += (i > 0 ? ', ' : '') + (p.register ? `${decl} /* ${p.register} */` : decl);
  }
  let s = `${storage ? storage + ' ' : ''}${joinTypeName(returnType, name)}(${params.length > 0 ? list : 'void'})`;
  if (aros && aros.form === 'library') {
    const loc: string[] = [];
    if (aros.baseType || aros.baseName) loc.push(joinTypeName(aros.baseType ?? '', aros.baseName ?? ''));
    const lvo = aros.lvo !== undefined ? String(aros.lvo) : lvoText;
    if (lvo !== undefined) loc.push(`LVO ${lvo}`);
    if (aros.library) loc.push(aros.library);
    if (loc.length > 0) s += ` /* ${loc.join(', ')} */`;
  }
  return s;
}

/** `struct Foo *` + `bar` gives `struct Foo *bar`; `ULONG` + `x` gives `ULONG x`. */
export function joinTypeName(type: string, name: string): string {
  if (type === '') return name;
  if (name === '') return type;
  return type.endsWith('*') ? type + name : `${type} ${name}`;
}

// ---------------------------------------------------------------------------
// Argument lists

interface ArgSpan {
  start: number;
  end: number;
}

interface SplitArgs {
  parts: ArgSpan[];
  /** Offset of the closing paren. */
  close: number;
  /** A preprocessor line occurs inside the list; argument texts must drop it. */
  hasDirective: boolean;
}

/**
 * Splits the parenthesised list opening at `open` into top-level arguments.
 * Returns undefined when the list is unterminated or runs into `{`, `}` or `;`
 * (which never occur inside these macros), so a half-typed invocation yields nothing.
 */
function splitArgs(code: string, open: number): SplitArgs | undefined {
  const parts: ArgSpan[] = [];
  let depth = 0;
  let argStart = open + 1;
  let hasDirective = false;
  const limit = Math.min(code.length, open + MAX_ARGS_LENGTH);
  for (let i = open + 1; i < limit; i++) {
    const c = code.charCodeAt(i);
    switch (c) {
      case 40: // (
      case 91: // [
        depth++;
        break;
      case 41: // )
      case 93: // ]
        if (depth === 0) {
          if (c === 93) return undefined;
          parts.push({ start: argStart, end: i });
          return { parts: trimEmptyTail(parts, code), close: i, hasDirective };
        }
        depth--;
        break;
      case 44: // ,
        if (depth === 0) {
          parts.push({ start: argStart, end: i });
          argStart = i + 1;
        }
        break;
      case 123: // {
      case 125: // }
      case 59: // ;
        return undefined;
      case 10: {
        // A preprocessor line inside the list: skip it whole.
        const j = skipSpacesTabs(code, i + 1);
        if (code.charCodeAt(j) === 35 /* # */) {
          hasDirective = true;
          i = endOfDirective(code, j) - 1;
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}

/** `AROS_LH0(void, Foo, ...)` has no empty arguments, but `f(a, )` style slips are dropped. */
function trimEmptyTail(parts: ArgSpan[], code: string): ArgSpan[] {
  if (parts.length === 1 && code.slice(parts[0].start, parts[0].end).trim() === '') return [];
  return parts;
}

function argText(code: string, span: ArgSpan, hasDirective: boolean): string {
  const s = code.slice(span.start, span.end);
  return hasDirective ? s.replace(/^[ \t]*#.*(?:\\\r?\n.*)*$/gm, '') : s;
}

/** Collapses blanks: `struct  ExecBase   *` gives `struct ExecBase *`. */
function normalize(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** `AROS_LHA(type, name, reg)`, `AROS_LHA2(type, name, r1, r2)` and the like. */
function parseArgMacro(code: string, span: ArgSpan, hasDirective: boolean): ParamInfo | undefined {
  const t = argText(code, span, hasDirective).trim();
  if (t === '') return undefined;
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*\(/.exec(t);
  if (!m || !t.endsWith(')') || !/AROS_/.test(m[1])) {
    return { type: normalize(t), name: '' };
  }
  const inner = t.slice(m[0].length, -1);
  const pieces = splitTopLevel(inner).map(normalize);
  if (pieces.length >= 3) {
    return { type: pieces[0], name: pieces[1], register: pieces.slice(2).join('/') };
  }
  if (pieces.length === 2) return { type: pieces[0], name: pieces[1] };
  return { type: pieces[0] ?? '', name: '' };
}


/** The function name in the second argument, with its offsets. */
function nameOf(code: string, span: ArgSpan): { name: string; start: number; end: number } | undefined {
  const s = code.slice(span.start, span.end);
  const first = IDENT_RE.exec(s);
  if (!first) return undefined;
  let id = first;
  let base = span.start;
  // `GM_UNIQUENAME(LibInit)`, `AROS_SLIB_ENTRY(ReadFunc, Lib, 0)`: the first identifier inside.
  const rest = s.slice(first.index + first[0].length);
  const paren = /^\s*\(/.exec(rest);
  if (paren) {
    const innerFrom = first.index + first[0].length + paren[0].length;
    const inner = IDENT_RE.exec(s.slice(innerFrom));
    if (inner) {
      id = inner;
      base = span.start + innerFrom;
    }
  } else if (rest.trim() !== '') {
    // Something other than a single identifier (`a b`, `*p`): not a name.
    return undefined;
  }
  const start = base + id.index;
  return { name: id[0], start, end: start + id[0].length };
}

// ---------------------------------------------------------------------------
// Lines, blanks and braces

function skipSpacesTabs(code: string, i: number): number {
  while (i < code.length) {
    const c = code.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/**
 * Skips blanks and whole preprocessor lines between `)` and `{`. An `#else` or
 * `#elif` met there ends the branch the macro was in, so the other branch (often
 * a plain C head for non-AROS builds) is skipped up to its `#endif`.
 */
function skipBlanksAndDirectives(code: string, i: number): number {
  for (;;) {
    i = skipBlanks(code, i);
    if (i < code.length && code.charCodeAt(i) === 35 && atLineStart(code, i)) {
      const end = endOfDirective(code, i);
      const word = directiveWord(code, i);
      i = word === 'else' || word === 'elif' ? skipToEndif(code, end) : end;
      continue;
    }
    return i;
  }
}

/** Offset just past the `#endif` closing the current conditional, starting at `i`. */
function skipToEndif(code: string, i: number): number {
  let depth = 0;
  const re = /^[ \t]*#[ \t]*(if|ifdef|ifndef|endif)\b/gm;
  re.lastIndex = i;
  let m: RegExpExecArray | null;
  while ((m = re.exec(code)) !== null) {
    if (m[1] === 'endif') {
      if (depth === 0) return endOfDirective(code, m.index);
      depth--;
    } else depth++;
  }
  return code.length;
}

/** True when `off` lies on a preprocessor line (including `\` continuation lines). */
function inDirective(code: string, off: number): boolean {
  let ls = code.lastIndexOf('\n', off - 1) + 1;
  // Walk back over continued lines to the start of the logical line.
  while (ls >= 2) {
    let k = ls - 2;
    if (k >= 0 && code.charCodeAt(k) === 13) k--;
    if (k >= 0 && code.charCodeAt(k) === 92) ls = code.lastIndexOf('\n', k - 1) + 1;
    else break;
  }
  const j = skipSpacesTabs(code, ls);
  return code.charCodeAt(j) === 35;
}

/**
 * Offset of the last non-blank character before `off`, skipping preprocessor
 * lines; -1 at the start of the file.
 */
function prevSignificant(code: string, off: number): number {
  let i = off - 1;
  while (i >= 0) {
    const c = code.charCodeAt(i);
    if (isBlank(c)) {
      i--;
      continue;
    }
    if (inDirective(code, i)) {
      // Jump to the line before this directive's logical line.
      let ls = code.lastIndexOf('\n', i) + 1;
      while (ls >= 2) {
        let k = ls - 2;
        if (k >= 0 && code.charCodeAt(k) === 13) k--;
        if (k >= 0 && code.charCodeAt(k) === 92) ls = code.lastIndexOf('\n', k - 1) + 1;
        else break;
      }
      i = ls - 1;
      continue;
    }
    return i;
  }
  return -1;
}

const BRACE_RE = /[{}#]/g;

/**
 * Offset just past the `}` matching the `{` at `open`, or the end of the text
 * when unbalanced. Preprocessor-aware in the ctags way: braces are counted in
 * the first branch of each `#if` only (`#else`/`#elif` branches are skipped to
 * their `#endif`), and `#define` and other directive lines are ignored, so
 * alternative function heads for other compilers do not unbalance the body.
 */
function matchBrace(code: string, open: number): number {
  let depth = 0;
  BRACE_RE.lastIndex = open;
  let m: RegExpExecArray | null;
  while ((m = BRACE_RE.exec(code)) !== null) {
    const c = m[0];
    if (c === '{') depth++;
    else if (c === '}') {
      if (--depth === 0) return m.index + 1;
    } else {
      const hash = m.index;
      if (!atLineStart(code, hash)) continue;
      const end = endOfDirective(code, hash);
      const word = directiveWord(code, hash);
      if (word === 'else' || word === 'elif') BRACE_RE.lastIndex = skipToEndif(code, end);
      else if (word === 'if' && /^#[ \t]*if[ \t]+0[ \t]*$/.test(code.slice(hash, end).trimEnd()))
        BRACE_RE.lastIndex = skipDeadBranch(code, end);
      else BRACE_RE.lastIndex = end;
    }
  }
  return code.length;
}

/** After `#if 0`: offset just past the `#else`, `#elif` or `#endif` that ends the dead branch. */
function skipDeadBranch(code: string, i: number): number {
  return endOfDirective(code, branchEnd(code, i));
}

// ---------------------------------------------------------------------------
// AutoDoc

/** Index of the first comment whose start is >= off. */
function firstCommentAtOrAfter(comments: CommentSpan[], off: number): number {
  let lo = 0;
  let hi = comments.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (comments[mid].start < off) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** True when code[from, to) holds only blanks and preprocessor lines, over at most `maxLines` lines. */
function onlyBlanksAndDirectives(code: string, from: number, to: number, maxLines: number): boolean {
  let lines = 0;
  let i = from;
  while (i < to) {
    const c = code.charCodeAt(i);
    if (c === 10) {
      if (++lines > maxLines) return false;
      i++;
      continue;
    }
    if (isBlank(c)) {
      i++;
      continue;
    }
    if (c === 35 && atLineStart(code, i)) {
      // A directive line; a comment may sit at its end (`#define X 1 /* ... */`).
      i = endOfDirective(code, i);
      continue;
    }
    return false;
  }
  return true;
}

function attachDoc(
  sym: SymbolInfo,
  text: string,
  code: string,
  comments: CommentSpan[],
  regionStart: number,
  macroStart: number,
  bodyOpen: number,
): void {
  if (comments.length === 0) return;
  // Walk back from the construct over comments separated only by blanks and
  // preprocessor lines, looking for the AutoDoc banner.
  const firstAfter = firstCommentAtOrAfter(comments, regionStart);
  let banner = -1;
  let nearest = -1;
  let limitEnd = regionStart;
  for (let k = firstAfter - 1, steps = 0; k >= 0 && steps < MAX_DOC_COMMENTS_BACK; k--, steps++) {
    const c = comments[k];
    if (c.end > limitEnd) break;
    if (!onlyBlanksAndDirectives(code, c.end, limitEnd, MAX_DOC_GAP_LINES)) break;
    if (nearest < 0) nearest = k;
    if (c.block && isAutoDocBanner(text.slice(c.start, Math.min(c.end, c.start + 400)))) {
      banner = k;
      break;
    }
    limitEnd = c.start;
  }

  // Comments from the banner (or, without one, from the macro) up to the body.
  const from = banner >= 0 ? banner : firstCommentAtOrAfter(comments, macroStart);
  const texts: string[] = [];
  for (let k = from; k < comments.length && comments[k].end <= bodyOpen; k++) {
    // Comments on preprocessor lines (`#define X /* ... */`) are not part of the AutoDoc.
    if (inDirective(code, comments[k].start)) continue;
    texts.push(text.slice(comments[k].start, comments[k].end));
  }
  const doc = texts.length > 0 ? parseAutoDoc(texts) : undefined;
  if (doc) {
    sym.autodoc = doc;
    return;
  }
  // No AutoDoc: a plain comment right above (at most one blank line between) becomes `doc`.
  if (nearest >= 0) {
    const c = comments[nearest];
    if (onlyBlanksAndDirectives(code, c.end, regionStart, 2)) {
      const plain = plainComment(text.slice(c.start, c.end));
      // A breadcrumb is not documentation (as for plain C symbols in analyze.ts).
      if (plain !== '' && !/\b(AI_PHASE|AI_STATUS)\s*:/i.test(plain)) sym.doc = plain;
    }
  }
}

function plainComment(raw: string): string {
  let s = raw;
  if (s.startsWith('//')) {
    s = s
      .split('\n')
      .map((l) => l.replace(/^\s*\/\/+\s?/, ''))
      .join('\n');
  } else {
    s = s.slice(2, s.endsWith('*/') ? -2 : undefined).replace(/^\*+/, '').replace(/\*+$/, '');
    s = s
      .split('\n')
      .map((l) => l.replace(/^\s*\*(?!\*)\s?/, ''))
      .join('\n');
  }
  s = s.trim();
  // Nothing but decoration (`/*****/`, `/* ---- */`) is no documentation.
  return /^[\s*\-=_~#/]*$/.test(s) ? '' : s;
}
