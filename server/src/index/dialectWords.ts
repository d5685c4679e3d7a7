// Amiga and AROS sources put macros where C has none: calling conventions
// between a return type and a name (`static ULONG SAVEDS f(...)`), register
// and stacking hints before fields (`STACKED ULONG MethodID;`), keywords
// spelled as macros (`CONST`, `STATIC`), attributes after a struct
// (`} __packed;`), C++ linkage (`__BEGIN_DECLS`, `extern "C" {` under
// `#ifdef __cplusplus`), symbol-set macros invoked at file level without
// a `;` (`ADD2INITLIB(Init, 0)`), and attributes where C has none. tree-sitter
// knows none of these: it read
// `STACKED ULONG MethodID;` as a field named `ULONG`, `CONST UBYTE x[]` as a
// variable named `CONST`, and whole headers in error recovery, its slowest
// path. ctags users list such words with `-I`; here they are neutralized in
// the text the declarations' structure is read from (the skeleton), at the
// same offsets: blanked, or respelled as the keyword they stand for.
// Declarations' names and signatures are read from that text too (a
// signature then splits into C's parts: `static int Init (LIBBASETYPEPTR
// base)` for `static int SAVEDS GM_UNIQUENAME(Init)(LIBBASETYPEPTR base)`);
// identifiers, macros, AROS functions and documentation from the real one.

import { branchEnd, endOfDirective } from './directives';
import { blankLines, findIdentifier, isBlank, isIdentChar, skipBlanks, spaces, uniqueIdentifiers } from './lexer';
import { matchingParen } from './signatureText';

/**
 * Expand to nothing or to an attribute in every definition the AROS tree
 * has of them (`git grep '#define SAVEDS'`...), or belong to other
 * compilers' headers in the tree (SAS/C, VBCC, AmigaOS 4, Windows hosts).
 * Blanked only before a name, `*` or `(*` (`ULONG APICALL (*Obtain)(...)`):
 * an enumerator or variable spelled the same (`enum { ..., STATIC = 414 }`
 * in dhcp) is left alone, and so is a macro of the same name that wraps a
 * parameter list (`LibInit REGARGS((REG(d0, ...)))` in amigaguide).
 */
const HEAD_WORDS = [
  'SAVEDS', 'STDARGS', 'REGARGS', 'ASM', 'STACKED', 'ALIGNED', '__aligned', 'CONSTRUCTOR', 'DESTRUCTOR', 'USED', 'USED_VAR',
  'APICALL', 'PTRCALL', 'PTRFASTCALL', 'WINAPI', 'WINSCARDAPI', 'CALLBACK', '__saveds', '__stdargs', '__regargs', '__interrupt',
  '__startup', '__aros', '__ahdecl', '__stdcall', '__cdecl', 'asmlinkage', '__user', '__iomem', 'VARARGS68K', 'ASMCALL',
  '__stackalign', '__must_check', '__eficall', '__fenv_static', 'UD_INLINE', 'ASL_NOINLINE', 'SC_M68K_HOT', 'LIBUDIS86_DLLEXTERN',
];

/**
 * Attributes that also stand last, before `;` or `,` (`} __packed;`, `int x __unused;`), and words that
 * stand alone at file level (`BOOPSI_DISPATCHER_END` after a dispatcher's body, see aros.ts): blanked
 * wherever they stand.
 */
const ANYWHERE_WORDS = [
  '__packed', 'SCTP_PACKED', 'STRUCT_PACKED', '__used', '__unused', '__read_mostly', '__pure2', '__BEGIN_DECLS', '__END_DECLS',
  'BOOPSI_DISPATCHER_END',
];

/**
 * Symbol-set macros (aros/symbolsets.h): file-level invocations that add a
 * function to a set run at start-up or at a library's open, written with or
 * without a `;` (their expansion has its own). Without one, tree-sitter read
 * the next declaration as part of the call. They declare nothing the index
 * keeps (their functions are referenced, and identifiers come from the real
 * text): the whole invocation, up to its `)`, is blanked.
 */
const CALL_WORDS = [
  'ADD2INITLIB', 'ADD2EXPUNGELIB', 'ADD2OPENLIB', 'ADD2CLOSELIB', 'ADD2OPENDEV', 'ADD2CLOSEDEV', 'ADD2INIT', 'ADD2EXIT', 'ADD2CTORS',
  'ADD2DTORS', 'ADD2INITARRAY', 'ADD2FINIARRAY', 'ADD2INITCLASSES', 'ADD2EXPUNGECLASSES', 'ADD2SET', 'ADD2LIBS', 'DEFINESET', 'DECLARESET',
  'THIS_PROGRAM_HANDLES_SYMBOLSET',
];
/**
 * GCC's and Microsoft's attributes, blanked with their arguments as the
 * symbol-set macros are: tree-sitter does not read them between a
 * declarator and its initializer (`const struct Resident r
 * __attribute__((section(".text"))) = {...}`, every AROS ROM module), nor
 * first in a head or after a `*` (`T *__attribute__((x)) f(...)` was a
 * function named `__attribute__`), and they hold nothing the index keeps.
 * One between a type word and the declarator (`static inline int
 * __attribute__((always_inline)) f(...)`) tree-sitter reads: it is left, and
 * a file with only those needs no neutralized copy (the benchmark's open
 * document: re-index p50 4.0 -> 3.4 ms; 46 AROS files parsed that were
 * not, the same symbols).
 */
const ATTRIBUTE_WORDS = ['__attribute__', '__attribute', '__declspec'];
/** Longest argument list of a symbol-set macro looked at: longer, or unbalanced, and the invocation is left alone. */
const MAX_CALL = 2000;

/**
 * Macros that make a function's (or a table's) real name from the one
 * written: `GM_UNIQUENAME(Init)`, `AROS_SLIB_ENTRY(ReadFunc, Lib, 0)`,
 * `MNAME_ROOT(New)` (`VGAGfxBM__Root__New`), and the `FNAME_` and `MNAME_`
 * families of the drivers. tree-sitter read `GM_UNIQUENAME(Init)(...)` as a
 * function named GM_UNIQUENAME, and the AROS_SLIB_ENTRY heads as errors.
 * All but the first identifier inside the parentheses is blanked: the
 * symbol is named as written, as aros.ts names `AROS_LHn` functions
 * declared through the same macros.
 */
const NAME_WORDS = ['AROS_SLIB_ENTRY', 'GM_UNIQUENAME', 'LC_BUILDNAME', 'BZ_API', 'WCHARFUNC'];
const NAME_FAMILIES = ['FNAME', 'MNAME'];

/** Macro spellings of keywords, respelled in place (same length); before a name, `*` or `(*` only, as HEAD_WORDS. */
const KEYWORDS = new Map([
  ['CONST', 'const'],
  ['STATIC', 'static'],
  ['INLINE', 'inline'],
  ['VOLATILE', 'volatile'],
  ['REGISTER', 'register'],
  ['EXTERN', 'extern'],
]);

const ALL_WORDS = [...HEAD_WORDS, ...ANYWHERE_WORDS, ...CALL_WORDS, ...ATTRIBUTE_WORDS, ...KEYWORDS.keys()];
/** The words looked for, and `__cplusplus`: a file that mentions none of them is left as it is. */
const MENTIONED = new Set([...ALL_WORDS, ...NAME_WORDS, '__cplusplus']);
const NAMES = new Set(NAME_WORDS);
const ANYWHERE = new Set(ANYWHERE_WORDS);
const CALLS = new Set([...CALL_WORDS, ...ATTRIBUTE_WORDS]);
const ATTRIBUTES = new Set(ATTRIBUTE_WORDS);
const STAR = 42;
const OPEN_PAREN = 40;
const CLOSE_PAREN = 41;
const COMMA = 44;
const UNDERSCORE = 95;

/** `#ifdef __cplusplus`, `#if defined(__cplusplus)`, `#if defined __cplusplus`: a branch only C++ compiles. */
const CPLUSPLUS_ONLY = /^#[ \t]*(?:ifdef[ \t]+__cplusplus|if[ \t]+defined[ \t]*(?:\([ \t]*__cplusplus[ \t]*\)|[ \t]__cplusplus))[ \t]*$/;

/**
 * `code` (the lexer's masked text) with the dialect's words neutralized and
 * the C++-only branches of conditionals blanked, newlines kept: the same
 * length and lines, so every offset still points at the real text.
 * `identifiers` (the code's own, `uniqueIdentifiers`) tell which words
 * occur: most files use none (the code is returned as it is), the others
 * are searched for those few with `indexOf` rather than for all with one
 * regular expression (over all AROS code 254 -> 210 ms, most of it the
 * copies). A copy of a text over 128 KB is a large-object allocation,
 * about 0.8 ms on the benchmark machine: an open document that uses the
 * words outside its bodies pays it on each analysis.
 */
export function neutralizeDialect(code: string, identifiers: readonly string[] = uniqueIdentifiers(code)): string {
  const present = identifiers.filter((name) => MENTIONED.has(name) || isNameFamily(name));
  if (present.length === 0) return code;
  const parts: string[] = [];
  let copied = 0;
  for (const [at, word] of occurrences(code, present)) {
    // Inside an invocation blanked already (`ADD2LIBS(..., CONST ...)`).
    if (at < copied) continue;
    const after = at + word.length;
    if (NAMES.has(word) || isNameFamily(word)) {
      const close = callEnd(code, after);
      const name = close < 0 ? undefined : firstName(code, after, close);
      if (!name) continue;
      parts.push(code.slice(copied, at), blankLines(code.slice(at, name.start)), code.slice(name.start, name.end), blankLines(code.slice(name.end, close)));
      copied = close;
    } else if (CALLS.has(word)) {
      const close = callEnd(code, after);
      if (close < 0 || (ATTRIBUTES.has(word) && afterTypeWord(code, at) && beforeDeclarator(code, close))) continue;
      parts.push(code.slice(copied, at), blankLines(code.slice(at, close)));
      copied = close;
    } else if (ANYWHERE.has(word) || beforeDeclarator(code, after)) {
      parts.push(code.slice(copied, at), KEYWORDS.get(word) ?? spaces(word.length));
      copied = after;
    }
  }
  const words = copied === 0 ? code : (parts.push(code.slice(copied)), parts.join(''));
  return present.includes('__cplusplus') ? blankCplusplusBranches(words) : words;
}

/** Every occurrence of the words as whole identifiers, in the order they stand. */
function occurrences(code: string, words: readonly string[]): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  for (const word of words) {
    if (word === '__cplusplus') continue;
    for (const at of findIdentifier(code, word)) out.push([at, word]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** Whether a word ends just before offset `i` (past blanks). */
function afterTypeWord(code: string, i: number): boolean {
  while (i > 0 && isBlank(code.charCodeAt(i - 1))) i--;
  return i > 0 && isIdentChar(code.charCodeAt(i - 1));
}

/** Whether a name, `*` or `(*` follows offset `i` (past blanks): the word is then part of a declaration's head. */
function beforeDeclarator(code: string, i: number): boolean {
  i = skipBlanks(code, i);
  if (i >= code.length) return false;
  const c = code.charCodeAt(i);
  if (c === OPEN_PAREN) {
    const next = skipBlanks(code, i + 1);
    return next < code.length && code.charCodeAt(next) === STAR;
  }
  return isIdentChar(c) || c === STAR;
}

function isNameFamily(word: string): boolean {
  return NAME_FAMILIES.some((f) => word.startsWith(f) && (word.length === f.length || word.charCodeAt(f.length) === UNDERSCORE));
}

/** The identifier an argument list (from `from` to just past its `)`) starts with, if it starts with one. */
function firstName(code: string, from: number, close: number): { start: number; end: number } | undefined {
  const start = skipBlanks(code, skipBlanks(code, from) + 1);
  let end = start;
  while (end < close && isIdentChar(code.charCodeAt(end))) end++;
  const first = code.charCodeAt(start);
  if (end === start || (first >= 48 && first <= 57)) return undefined;
  const after = skipBlanks(code, end);
  return after < close && (code.charCodeAt(after) === COMMA || code.charCodeAt(after) === CLOSE_PAREN) ? { start, end } : undefined;
}

/** Offset just past the `)` of the argument list that follows offset `i` (past blanks), or -1. */
function callEnd(code: string, i: number): number {
  i = skipBlanks(code, i);
  if (code.charCodeAt(i) !== OPEN_PAREN) return -1;
  const close = matchingParen(code, i, Math.min(code.length, i + MAX_CALL));
  return close < 0 ? -1 : close + 1;
}

/** Blanks what stands between each C++-only `#if` and its `#else`, `#elif` or `#endif` (nested conditionals included). */
function blankCplusplusBranches(code: string): string {
  const parts: string[] = [];
  let copied = 0;
  const directive = /^[ \t]*#/gm;
  let m: RegExpExecArray | null;
  while ((m = directive.exec(code)) !== null) {
    const hash = m.index + m[0].length - 1;
    const end = endOfDirective(code, hash);
    directive.lastIndex = end;
    if (!CPLUSPLUS_ONLY.test(code.slice(hash, end))) continue;
    const ends = branchEnd(code, end);
    parts.push(code.slice(copied, end), blankLines(code.slice(end, ends)));
    copied = ends;
    directive.lastIndex = ends;
  }
  if (copied === 0) return code;
  parts.push(code.slice(copied));
  return parts.join('');
}
