// Turns gcc/clang text output into structured diagnostics, and maps the
// diagnostics of a scratch copy back onto the file it was copied from.
// Pure functions: no file system, no processes.

import * as path from 'node:path';

export type CompilerSeverity = 'error' | 'warning' | 'note' | 'fatal';

export interface IncludeSite {
  file: string;
  line: number;
}

export interface CompilerDiagnostic {
  /** Absolute path. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, as the compiler printed it (gcc: display columns). */
  column?: number;
  severity: CompilerSeverity;
  message: string;
  /** The warning option, normalised: `-Werror=x` and `-Werror,-Wx` become `-Wx`. */
  flag?: string;
  /** Notes that followed this diagnostic (empty for notes themselves unless nested notes were attached). */
  notes: CompilerDiagnostic[];
  /**
   * Where the diagnostic's file was included from, innermost first: `[0]` is the
   * `#include` line that pulled the file in, the last entry is in the main source file.
   */
  includeChain: IncludeSite[];
}

// file:line[:col][{ranges}]: severity: message. The file may hold spaces but
// not start with one, so indented source excerpts never match.
const DIAG_RE =
  /^([^\s:][^:]*?):(\d+)(?::(\d+))?(?::\{[\d:-]+\})*:\s*(fatal error|error|warning|note|remark|sorry, unimplemented|internal compiler error):\s?(.*)$/;
// ld with debug info: "a.c:3: undefined reference to `foo'" (optionally "/usr/bin/ld: " first).
const LINKER_RE = /^(?:\S*ld(?:\.\w+)?: )?([^\s:][^:]*?):(\d+):\s+((?:undefined reference to|multiple definition of) .*)$/;
// make's own errors: "Makefile:12: *** missing separator.  Stop."
const MAKE_ERROR_RE = /^([^\s:][^:]*?):(\d+): \*\*\* (.*?)(?:\s+Stop\.)?$/;
const INCLUDED_RE = /^In file included from (.+?):(\d+)(?::\d+)?[:,]$/;
const INCLUDED_CONT_RE = /^\s+from (.+?):(\d+)(?::\d+)?[:,]$/;
const MAKE_DIR_RE = /^\S*make(?:\[\d+\])?: (Entering|Leaving) directory [`'‘"](.*)['’"]$/;
const FLAG_RE = /\s*\[(-[A-Za-z][^\]\s]*)\]$/;
// CSI sequences (colours) and OSC 8 hyperlinks (gcc's -fdiagnostics-urls).
// eslint-disable-next-line no-control-regex
const ANSI_RE = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g;

interface ParseState {
  dirs: string[];
  /** Include sites read since the last diagnostic, in printed order. */
  pending: IncludeSite[];
  /** True when the pending chain came as repeated "In file included from" lines (clang: outermost first). */
  pendingClang: boolean;
  /** The previous line was part of an include chain. */
  inChain: boolean;
  /** The last non-note diagnostic, the owner of following notes. */
  parent: CompilerDiagnostic | undefined;
  /** The chain last read for each file: gcc prints a file's chain once, not before every diagnostic in it. */
  chains: Map<string, IncludeSite[]>;
  out: CompilerDiagnostic[];
}

/**
 * Parses compiler (and make) output; `cwd` resolves relative paths. Lines that are not diagnostics are skipped.
 * Stops at `limit` diagnostics (the notes after the last are not read): a flood of errors costs no more than that.
 */
export function parseGccOutput(text: string, cwd: string, limit = Infinity): CompilerDiagnostic[] {
  const state: ParseState = { dirs: [path.resolve(cwd)], pending: [], pendingClang: false, inChain: false, parent: undefined, chains: new Map(), out: [] };
  for (let at = 0; at <= text.length; ) {
    const nl = text.indexOf('\n', at);
    const end = nl < 0 ? text.length : nl;
    let line = text.slice(at, end);
    // Most lines have neither: testing first is far cheaper than two replaces per line.
    if (line.includes('\x1b')) line = line.replace(ANSI_RE, '');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    at = end + 1;
    parseLine(line, state);
    if (state.out.length >= limit) break;
  }
  return state.out;
}

function parseLine(line: string, state: ParseState): void {
  if (line.length === 0 || isExcerpt(line)) return;
  if (trackMakeDirectory(line, state)) return;
  const wasInChain = state.inChain;
  state.inChain = readInclude(line, state, wasInChain);
  if (state.inChain) return;
  const diag = readDiagnostic(line, baseDir(state));
  if (diag) addDiagnostic(diag, state);
  // Anything else ("In function 'f':", "At top level:", "inlined from", "N errors generated.") is context: skipped.
}

/** gcc's `  5 |   code` and `    |   ^~~` lines. */
function isExcerpt(line: string): boolean {
  return /^\s*\d*\s*\|/.test(line);
}

function baseDir(state: ParseState): string {
  return state.dirs[state.dirs.length - 1]!;
}

function trackMakeDirectory(line: string, state: ParseState): boolean {
  const m = MAKE_DIR_RE.exec(line);
  if (!m) return false;
  if (m[1] === 'Entering') state.dirs.push(path.resolve(baseDir(state), m[2]!));
  else if (state.dirs.length > 1) state.dirs.pop();
  return true;
}

function readInclude(line: string, state: ParseState, continuing: boolean): boolean {
  const head = INCLUDED_RE.exec(line);
  if (head) {
    // Header lines in a row are clang's style (one per level); otherwise a new chain starts.
    if (!continuing) state.pending = [];
    state.pendingClang = state.pending.length > 0;
    state.pending.push(site(head[1]!, head[2]!, baseDir(state)));
    return true;
  }
  const cont = INCLUDED_CONT_RE.exec(line);
  if (cont && continuing) {
    state.pending.push(site(cont[1]!, cont[2]!, baseDir(state)));
    return true;
  }
  return false;
}

function site(file: string, line: string, dir: string): IncludeSite {
  return { file: path.resolve(dir, file), line: Number(line) };
}

function readDiagnostic(line: string, dir: string): CompilerDiagnostic | undefined {
  const d = DIAG_RE.exec(line);
  if (d) return makeDiagnostic(d[1]!, d[2]!, d[3], severityOf(d[4]!), d[5]!, dir);
  const l = LINKER_RE.exec(line);
  if (l) return makeDiagnostic(l[1]!, l[2]!, undefined, 'error', l[3]!, dir);
  const m = MAKE_ERROR_RE.exec(line);
  if (m) return makeDiagnostic(m[1]!, m[2]!, undefined, 'fatal', m[3]!, dir);
  return undefined;
}

function severityOf(word: string): CompilerSeverity {
  switch (word) {
    case 'fatal error':
    case 'internal compiler error':
      return 'fatal';
    case 'warning':
      return 'warning';
    case 'note':
    case 'remark':
      return 'note';
    default:
      return 'error';
  }
}

function makeDiagnostic(
  file: string,
  line: string,
  column: string | undefined,
  severity: CompilerSeverity,
  text: string,
  dir: string,
): CompilerDiagnostic | undefined {
  // <command-line>, <built-in>: no file to point at.
  if (file.startsWith('<')) return undefined;
  const { message, flag } = splitFlag(text.trim());
  const diag: CompilerDiagnostic = {
    file: path.resolve(dir, file),
    line: Math.max(1, Number(line)),
    severity,
    message,
    notes: [],
    includeChain: [],
  };
  if (column !== undefined && Number(column) > 0) diag.column = Number(column);
  if (flag !== undefined) diag.flag = flag;
  return diag;
}

function splitFlag(text: string): { message: string; flag?: string } {
  const m = FLAG_RE.exec(text);
  if (!m) return { message: text };
  return { message: text.slice(0, m.index), flag: normaliseFlag(m[1]!) };
}

function normaliseFlag(flag: string): string {
  // clang: "-Werror,-Wunused-variable"; gcc: "-Werror=unused-variable".
  const parts = flag.split(',');
  const last = parts[parts.length - 1]!;
  const gccError = /^-Werror=(.+)$/.exec(last);
  return gccError ? `-W${gccError[1]}` : last;
}

function addDiagnostic(diag: CompilerDiagnostic, state: ParseState): void {
  diag.includeChain = takeChain(diag, state);
  if (diag.severity === 'note' && state.parent) state.parent.notes.push(diag);
  else {
    state.out.push(diag);
    if (diag.severity !== 'note') state.parent = diag;
  }
}

function takeChain(diag: CompilerDiagnostic, state: ParseState): IncludeSite[] {
  if (state.pending.length > 0) {
    const chain = state.pendingClang ? [...state.pending].reverse() : state.pending;
    state.pending = [];
    state.pendingClang = false;
    state.chains.set(diag.file, chain);
    return chain.map((s) => ({ ...s }));
  }
  return (state.chains.get(diag.file) ?? []).map((s) => ({ ...s }));
}

/**
 * Rewrites diagnostics of `fromFile` (a scratch copy) as diagnostics of `toFile`:
 * the path in locations, include chains, notes and message text; lines through
 * `lineMap` (identity when absent; results below 1 become 1). Returns new objects.
 */
export function mapDiagnostics(
  diags: readonly CompilerDiagnostic[],
  fromFile: string,
  toFile: string,
  lineMap?: (line: number) => number,
): CompilerDiagnostic[] {
  const from = path.resolve(fromFile);
  const to = path.resolve(toFile);
  const mapLine = (line: number): number => Math.max(1, lineMap ? lineMap(line) : line);
  const mapSite = (s: IncludeSite): IncludeSite => (s.file === from ? { file: to, line: mapLine(s.line) } : { ...s });
  const mapOne = (d: CompilerDiagnostic): CompilerDiagnostic => {
    const mapped: CompilerDiagnostic = {
      ...d,
      ...mapSite({ file: d.file, line: d.line }),
      message: d.message.split(from).join(to),
      notes: d.notes.map(mapOne),
      includeChain: d.includeChain.map(mapSite),
    };
    return mapped;
  };
  return diags.map(mapOne);
}
