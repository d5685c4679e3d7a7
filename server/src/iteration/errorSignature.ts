// Error signatures: a compiler message with everything specific to one place
// abstracted (quoted identifiers and types, numbers, paths, the location
// prefix), so the same mistake made in two files, or with two names, is
// recognised as one. The error memory is keyed by these; `errorKind` sorts a
// message into the classes the retry budget distinguishes.
//
// Input is one gcc/clang/ld diagnostic line, with or without its
// `file:line:col: error:` prefix; gcc's Unicode quotes (‘x’) and the ASCII
// ones of LANG=C ('x') give the same signature.

export type ErrorKind = 'syntax' | 'undeclared' | 'type' | 'implicit-declaration' | 'linker' | 'warning' | 'other';

export interface SignatureOptions {
  /** The diagnostic's option (`-Wint-conversion`, `int-conversion`, `-Werror=…`); read from a trailing `[...]` when absent. */
  flag?: string;
}

/** One message taken apart: the text without location, severity and flag. */
export interface ParsedMessage {
  text: string;
  severity?: string;
  flag?: string;
}

/** Statement keywords stay as they are: `expected ‘;’ before ‘return’` differs from `… before ‘}’`. */
const KEYWORDS = new Set([
  'return', 'if', 'else', 'while', 'for', 'do', 'switch', 'case', 'default', 'break', 'continue', 'goto',
  'sizeof', 'typedef', 'extern', 'static', 'inline', 'asm', '__asm__', '__attribute__', 'register', 'auto',
  '_Static_assert', 'restrict', '_Alignof', '_Generic',
]);
const TYPE_WORDS = new Set([
  'void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool', 'bool', 'const',
  'volatile', 'struct', 'union', 'enum', '_Complex', '__int128',
]);

const SOURCE_EXT = '(?:h|hh|hpp|hxx|c|cc|cpp|cxx|i|ii|s|S|o|a|so|inc|conf|ld)';
const PATH_TOKEN = new RegExp(`(?:[\\w.+~-]*/)+[\\w.+~-]+|\\b[\\w+~-]+(?:\\.[\\w+~-]+)*\\.${SOURCE_EXT}\\b`, 'g');
const IS_PATH = new RegExp(`^(?:[\\w.+~-]*/)+[\\w.+~-]*$|^[\\w+~-]+(?:\\.[\\w+~-]+)*\\.${SOURCE_EXT}$`);
const NUMBER_TOKEN = /(?<![\w.])[+-]?(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)[uUlLfF]*\b/g;
const IS_NUMBER = /^[+-]?(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)[uUlLfF]*$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Every quoting style of gcc, clang and ld. The ASCII forms must not start on
 * an apostrophe inside a word ("isn't"), and a lone `"` (`missing terminating
 * " character`) is not a quote.
 */
const QUOTED = /‘([^’\n]*)’|“([^”\n]*)”|`([^`'\n]*)['`]|(?<![\w'])'([^'\n]*)'(?![\w])|"([^"\n]*)"/g;

/** gcc repeats a typedef's meaning: `‘ULONG *’ {aka ‘long unsigned int *’}`. It varies with the headers, not the mistake. */
const AKA = /\s*\{aka [^}]*\}/g;

/** `file:12:3: `, `file:12: `, `file.c:(.text+0x1a): `, `/usr/bin/ld: `, `collect2: `. */
const LOCATION = /^(?:[^:\s]*:\d+(?::\d+)?:\s*|[^:\s]+:\(\.[^)]*\):\s*|(?:\S*\/)?(?:ld(?:\.\w+)?|collect2|cc1|gcc|g\+\+|clang|cc|as):\s*|In function [^:]*:\s*)/;
const SEVERITY = /^(fatal error|error|warning|note|remark):\s*/i;
const TRAILING_FLAG = /\s*\[(-[Wf][^\]\s]*)\]\s*$/;

/** The message without location, severity and trailing `[-W...]`. */
export function parseMessage(message: string): ParsedMessage {
  let text = message.split(/\r?\n/, 1)[0].trim();
  let severity: string | undefined;
  for (let step = 0; step < 6; step++) {
    const location = LOCATION.exec(text);
    if (location && location[0].length > 0) {
      text = text.slice(location[0].length);
      continue;
    }
    const sev = SEVERITY.exec(text);
    if (sev && severity === undefined) {
      severity = sev[1].toLowerCase();
      text = text.slice(sev[0].length);
      continue;
    }
    break;
  }
  const flagMatch = TRAILING_FLAG.exec(text);
  let flag: string | undefined;
  if (flagMatch) {
    flag = normaliseFlag(flagMatch[1]);
    text = text.slice(0, flagMatch.index);
  }
  return { text: text.trim(), severity, flag };
}

/**
 * `-Werror=int-conversion` and `int-conversion` → `-Wint-conversion`, so a
 * warning promoted to an error keeps its signature. clang's `-Wfoo,-Werror` keeps the first.
 */
export function normaliseFlag(flag: string): string {
  let f = flag.trim().split(',')[0];
  if (f.startsWith('-Werror=')) f = `-W${f.slice('-Werror='.length)}`;
  if (!f.startsWith('-')) f = `-W${f}`;
  return f;
}

/** What a quoted piece becomes in the signature. */
function abstractQuoted(content: string): string {
  const c = content.trim();
  if (c === '') return "''";
  if (/^[^\w\s]+$/.test(c)) return `'${c}'`; // a token such as ‘;’ or ‘->’ is the error itself
  if (IS_NUMBER.test(c)) return "'<n>'";
  if (IS_PATH.test(c)) return "'<path>'";
  if (IDENTIFIER.test(c)) {
    if (KEYWORDS.has(c)) return `'${c}'`;
    return TYPE_WORDS.has(c) ? "'<type>'" : "'<id>'";
  }
  if (looksLikeType(c)) return "'<type>'";
  return "'<expr>'";
}

/** `struct Foo`, `char *`, `ULONG *`, `int(void)`, `int[3]`, `const char * const`. */
function looksLikeType(c: string): boolean {
  const words = c.match(/[A-Za-z_]\w*/g) ?? [];
  if (words.some((w) => TYPE_WORDS.has(w))) return true;
  return /^[A-Za-z_]\w*(?:\s*(?:\*|\[\d*\]|const|volatile|restrict))+\s*$/.test(c);
}

/** Quoted pieces wait behind markers of private-use characters, which no later pattern matches (digits would be numbers). */
const MARKER = /\uE000([\uE100-\uE109]+)\uE001/g;

function marker(index: number): string {
  const digits = [...String(index)].map((d) => String.fromCharCode(0xe100 + Number(d))).join('');
  return `\uE000${digits}\uE001`;
}

function markerIndex(digits: string): number {
  return Number([...digits].map((c) => String(c.charCodeAt(0) - 0xe100)).join(''));
}

function abstractText(text: string): string {
  const quoted: string[] = [];
  // Quotes first, parked so the path and number passes cannot touch them.
  let t = text.replace(AKA, '').replace(QUOTED, (...groups: unknown[]) => {
    const content = groups.slice(1, 6).find((g): g is string => typeof g === 'string') ?? '';
    quoted.push(abstractQuoted(content));
    return marker(quoted.length - 1);
  });
  t = t.replace(/’/g, "'"); // the apostrophe of "isn’t" under a UTF-8 locale
  t = t.replace(PATH_TOKEN, '<path>');
  t = t.replace(NUMBER_TOKEN, '<n>');
  t = t.replace(MARKER, (_m, digits: string) => quoted[markerIndex(digits)]);
  return t.replace(/\s+/g, ' ').trim();
}

/**
 * The signature of one message: same mistake, same signature, whatever the
 * names, numbers and files. The flag (given or read from the message) is
 * appended as `[-Wflag]`.
 */
export function normaliseError(message: string, opts: SignatureOptions = {}): string {
  const parsed = parseMessage(message);
  const flag = opts.flag !== undefined && opts.flag.trim() !== '' ? normaliseFlag(opts.flag) : parsed.flag;
  const body = abstractText(parsed.text);
  return flag ? `${body} [${flag}]` : body;
}

const LINKER = [
  /undefined reference to/, /multiple definition of/, /ld returned \d+ exit status/, /cannot find -l/,
  /relocation truncated/, /undefined symbols? for architecture/, /unresolved external/, /first defined here/,
];
const IMPLICIT = [/implicit declaration of function/, /call to undeclared (?:library )?function/];
const SYNTAX = [
  /^expected\b/, /\bexpected .* before\b/, /\bat end of input\b/, /^stray\b/, /missing terminating/, /unterminated/,
  /invalid digit/, /invalid suffix/, /empty character constant/, /#(?:else|elif|endif) without #if/,
  /invalid preprocessing directive/, /extra tokens at end of/, /\bparse error\b|\bsyntax error\b/,
  /extraneous closing brace/, /unbalanced/, /expected .* after/, /missing ['‘]?[)\]}]/,
];
const UNDECLARED = [
  /\bundeclared\b/, /unknown type name/, /has no member named/, /no member named/, /was not declared/,
  /no such file or directory/, /file not found/,
];
const TYPE = [
  /incompatible/, /makes (?:pointer|integer) from (?:integer|pointer)/, /invalid operands/, /too (?:many|few) arguments/,
  /conflicting types/, /request for member .* (?:not a structure|is a pointer)/, /lvalue required|not assignable/,
  /invalid type argument/, /subscripted value is/, /is not a function/, /void value not ignored/,
  /returning .* from a function with/, /with a value, in function returning void/, /incomplete type|undefined type/,
  /storage size of .* (?:isn.t|is not) known/, /discards .* qualifier/, /pointer targets? .* differ/,
  /different signedness|differ in signedness/, /invalid initializer/, /cannot convert|invalid conversion|invalid cast/,
  /^(?:assignment|initialization|passing argument \d+|return(?:ing)?) .* from/, /array type/, /dereferencing .* pointer/,
  /size of array .* (?:negative|not an integ)/, /wrong type argument/, /used struct type value where scalar/,
  /aggregate value used where/,
];
const TYPE_FLAGS = new Set([
  '-Wincompatible-pointer-types', '-Wint-conversion', '-Wpointer-sign', '-Wdiscarded-qualifiers',
  '-Wint-to-pointer-cast', '-Wpointer-to-int-cast', '-Wreturn-mismatch',
]);

/**
 * Sorts a message for the retry budget: syntax errors are cheap to retry,
 * undeclared names (a missing header counts as one), type and link errors
 * dearer. An explicit `warning:` (or `severity`) makes it a warning, except an
 * implicit declaration: a missing prototype, an error in gcc 14 and a link
 * error later.
 */
export function errorKind(message: string, flag?: string, severity?: string): ErrorKind {
  const parsed = parseMessage(message);
  const text = parsed.text.toLowerCase();
  const f = flag !== undefined && flag.trim() !== '' ? normaliseFlag(flag) : parsed.flag;
  const sev = (severity ?? parsed.severity)?.toLowerCase();
  const whole = message.toLowerCase();
  if (/internal compiler error/.test(text)) return 'other';
  if (LINKER.some((r) => r.test(text)) || /collect2|\bld returned/.test(whole)) return 'linker';
  if (IMPLICIT.some((r) => r.test(text)) || f === '-Wimplicit-function-declaration') return 'implicit-declaration';
  if (sev === 'warning') return 'warning';
  if (SYNTAX.some((r) => r.test(text))) return 'syntax';
  if (UNDECLARED.some((r) => r.test(text))) return 'undeclared';
  if (TYPE.some((r) => r.test(text)) || (f !== undefined && TYPE_FLAGS.has(f))) return 'type';
  // A -W option without an error marker (gcc adds `-Werror=` when promoting) is a warning.
  if (f !== undefined && f.startsWith('-W') && sev !== 'error' && sev !== 'fatal error' && !/-werror/.test(whole)) return 'warning';
  return 'other';
}

/** Words, placeholders and punctuation of a signature, for similarity between signatures. */
export function signatureTokens(signature: string): string[] {
  return signature.match(/<[a-z]+>|\[-[\w=+-]+\]|[A-Za-z_][\w-]*|[^\s\w'<>]/g) ?? [];
}

/** Dice coefficient over a multiset. */
function dice(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  const counts = new Map<string, number>();
  for (const x of a) counts.set(x, (counts.get(x) ?? 0) + 1);
  let common = 0;
  for (const x of b) {
    const n = counts.get(x) ?? 0;
    if (n > 0) {
      common++;
      counts.set(x, n - 1);
    }
  }
  return (2 * common) / (a.length + b.length);
}

function bigrams(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < tokens.length; i++) out.push(`${tokens[i - 1]} ${tokens[i]}`);
  return out;
}

/**
 * Similarity of two signatures in [0, 1]: half shared tokens, half shared
 * token pairs, so word order counts but a reworded message still scores.
 */
export function signatureSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  const ta = signatureTokens(a);
  const tb = signatureTokens(b);
  return 0.5 * dice(ta, tb) + 0.5 * dice(bigrams(ta), bigrams(tb));
}
