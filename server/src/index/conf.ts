// AROS module description files (`*.conf`, read by the build tool genmodule):
// a cheap second source of library function signatures, registers and LVOs.
//
//   ##begin config
//   basename Foo            (library name; default: the file name, capitalised)
//   libbase FooBase         (default: <basename>Base)
//   libbasetype struct FooBaseIntern
//   libbasetypeextern struct FooBase
//   options noresident      (changes LVO numbering, see below)
//   beginio_func BeginIO    (devices)
//   ##end config
//   ##begin functionlist
//   APTR AllocMem(IPTR byteSize, ULONG requirements) (D0, D1)
//   .skip 2
//   ##end functionlist
//
// LVO numbering, as genmodule does it (checked against the AROS_LHn definitions
// of every module in the tree):
// - The first entry of the list gets the module type's first LVO:
//   library, class, gadget, image, hidd, usbclass, btclass: 5 (Open, Close,
//   Expunge and a reserved vector come first); datatype, mui, mcc, mcp: 6;
//   device: 7 (BeginIO and AbortIO are LVO 5 and 6); resource, handler: 1.
// - `options noresident` in the config makes it 1 (exec.library lists its own
//   `open`/`close` from LVO 1).
// - Each entry takes the next LVO; `.skip N` skips N; an EMPTY LINE inside the
//   list also skips one (genmodule counts it as an unused vector).
// - `.private`, `.alias`, `.function`, `.cfunction`, `.version`, `.novararg`,
//   `.unusedlibbase`, `.inlineguard` and lines starting with `#` take no LVO.
// The module type is not in the .conf file but in the `modtype=` of the
// `%build_module` call in the directory's mmakefile.src (`modtypeFromMmakefile`).
// Without it, the type is a device when beginio_func/abortio_func is set,
// otherwise a library.
//
// Entries become function symbols (`definition: false`, aros.macro `conf`).
// A `.alias Name` line adds a second symbol with the same signature and LVO.
// For devices with beginio_func/abortio_func, BeginIO (LVO 5) and AbortIO
// (LVO 6) are added on the config lines that name them.
// `cfunctionlist` (stack-call functions) is read like `functionlist` without
// registers. Class, interface and handler sections (methodlist, attributelist,
// their own config) are ignored.

import { formatArosSignature } from './aros';
import { matchingParen, splitTopLevel } from './signatureText';
import type { ArosInfo, ParamInfo, Range, SymbolInfo } from './types';
import { newSymbol } from './symbol';

export interface ConfFile {
  /** Library name as used in LVO comments and the `Lib_Function` symbols: `basename`, else the capitalised file name. */
  library: string;
  /** `libbase`, else `<library>Base`. */
  baseName?: string;
  /** `libbasetype` as written (the internal type), else `libbasetypeextern`. */
  baseType?: string;
  /** Module type used for numbering: the `modtype` option, the config's `type`, or the inferred one. */
  type?: string;
  /** LVO of the first function list entry. */
  firstLvo: number;
  functions: SymbolInfo[];
}

export interface ConfOptions {
  /** Module type from the mmakefile (`library`, `device`, `resource`, ...). */
  modtype?: string;
}

const FIRST_LVO: Readonly<Record<string, number>> = {
  library: 5,
  class: 5,
  gadget: 5,
  image: 5,
  hidd: 5,
  usbclass: 5,
  btclass: 5,
  datatype: 6,
  mui: 6,
  mcc: 6,
  mcp: 6,
  device: 7,
  resource: 1,
  handler: 1,
};

/** Sections that hold nested sections of their own; everything inside them is skipped. */
const NESTING_SECTIONS: ReadonlySet<string> = new Set(['class', 'interface', 'handler']);

interface Line {
  text: string;
  /** Offset of the line's first character in the file. */
  start: number;
  no: number;
}

export function parseConfFile(text: string, path: string, options: ConfOptions = {}): ConfFile {
  const lines = splitLines(text);
  const config = new Map<string, { value: string; line: Line; valueStart: number }>();
  let noresident = false;
  const lists: Array<{ kind: 'functionlist' | 'cfunctionlist'; lines: Line[] }> = [];

  // Sections: `##begin name` ... `##end name`; class/interface/handler nest.
  const stack: string[] = [];
  let currentList: Line[] | undefined;
  for (const line of lines) {
    const t = line.text.trim();
    const directive = /^##\s*(begin|end)\s+(\S+)/.exec(t);
    if (directive) {
      const section = directive[2];
      if (directive[1] === 'begin') {
        stack.push(section);
        currentList = undefined;
        if (stack.length === 1 && (section === 'functionlist' || section === 'cfunctionlist')) {
          currentList = [];
          lists.push({ kind: section, lines: currentList });
        }
      } else {
        // Pop to the matching begin (tolerates a missing ##end).
        const at = stack.lastIndexOf(section);
        if (at >= 0) stack.length = at;
        currentList = undefined;
      }
      continue;
    }
    if (stack.length !== 1 || stack.some((s) => NESTING_SECTIONS.has(s))) continue;
    if (stack[0] === 'config') {
      const kv = /^(\S+)\s*(.*)$/.exec(t);
      if (!kv || t.startsWith('#')) continue;
      const key = kv[1];
      const value = kv[2].trim();
      if (key === 'options' && /(^|[\s,])noresident([\s,]|$)/.test(value)) noresident = true;
      if (!config.has(key)) config.set(key, { value, line, valueStart: line.start + line.text.indexOf(value, line.text.indexOf(key) + key.length) });
    } else if (currentList) {
      currentList.push(line);
    }
  }

  const file = baseNameOf(path);
  const basename = config.get('basename')?.value;
  const library = basename || capitalise(file.replace(/\.conf$/i, ''));
  const baseName = config.get('libbase')?.value || `${library}Base`;
  const libbasetype = config.get('libbasetype')?.value;
  const libbasetypeextern = config.get('libbasetypeextern')?.value;
  const hasIo = config.has('beginio_func') || config.has('abortio_func');
  const type = options.modtype || config.get('type')?.value || (hasIo ? 'device' : 'library');
  const firstLvo = noresident ? 1 : (FIRST_LVO[type] ?? 5);
  const publicBaseType = libbasetypeextern
    ? `${libbasetypeextern} *`
    : type === 'device'
      ? 'struct Device *'
      : type === 'resource' || type === 'handler'
        ? 'APTR'
        : 'struct Library *';

  const functions: SymbolInfo[] = [];
  const arosFor = (lvo: number): ArosInfo => ({
    form: 'library',
    macro: 'conf',
    lvo,
    library,
    baseName,
    baseType: publicBaseType,
  });

  if (hasIo) {
    const ioreq: ParamInfo[] = [{ type: 'struct IORequest *', name: 'ioreq', register: 'A1' }];
    const io: Array<[string, string, string, number]> = [
      ['beginio_func', 'BeginIO', 'void', 5],
      ['abortio_func', 'AbortIO', 'LONG', 6],
    ];
    for (const [key, name, ret, lvo] of io) {
      const c = config.get(key);
      if (!c) continue;
      const aros = arosFor(lvo);
      const r = lineRange(c.line, c.valueStart - c.line.start, c.valueStart - c.line.start + c.value.length);
      functions.push(
        newSymbol({
          name,
          kind: 'function',
          definition: false,
          range: r,
          selectionRange: r,
          signature: formatArosSignature(ret, name, ioreq, aros),
          returnType: ret,
          params: ioreq.map((p) => ({ ...p })),
          aros,
        }),
      );
    }
  }

  for (const list of lists) {
    let lvo = firstLvo;
    let last: SymbolInfo | undefined;
    for (const line of list.lines) {
      const raw = line.text;
      const t = raw.trim();
      if (t === '') {
        lvo++;
        continue;
      }
      if (t.startsWith('#')) continue;
      if (t.startsWith('.')) {
        const d = /^\.(\w+)\s*(\S*)/.exec(t);
        if (!d) continue;
        if (d[1] === 'skip') {
          const n = parseInt(d[2], 10);
          if (n > 0) lvo += n;
        } else if (d[1] === 'alias' && last && /^[A-Za-z_]\w*$/.test(d[2])) {
          const col = raw.indexOf(d[2], raw.indexOf('alias') + 5);
          functions.push(
            newSymbol({
              ...last,
              name: d[2],
              params: last.params?.map((p) => ({ ...p })),
              aros: last.aros ? { ...last.aros } : undefined,
              range: lineRange(line, raw.length - raw.trimStart().length, raw.trimEnd().length),
              selectionRange: lineRange(line, col, col + d[2].length),
              signature: last.signature?.replace(new RegExp(`\\b${last.name}\\(`), `${d[2]}(`),
            }),
          );
        }
        continue;
      }
      const fn = parseEntry(line, list.kind === 'functionlist', arosFor(lvo));
      lvo++;
      if (fn) {
        functions.push(fn);
        last = fn;
      } else {
        last = undefined;
      }
    }
  }

  const out: ConfFile = { library, baseName, firstLvo, type, functions };
  const bt = libbasetype ?? libbasetypeextern;
  if (bt) out.baseType = bt;
  return out;
}

/** `APTR AllocMem(IPTR byteSize, ULONG requirements) (D0, D1)   # comment` */
function parseEntry(line: Line, registers: boolean, aros: ArosInfo): SymbolInfo | undefined {
  const raw = line.text;
  const hash = raw.indexOf('#');
  const body = hash >= 0 ? raw.slice(0, hash) : raw;
  const open = body.indexOf('(');
  if (open < 0) return undefined;
  const head = body.slice(0, open);
  const nm = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(head);
  if (!nm) return undefined;
  const name = nm[1];
  const returnType = normalize(head.slice(0, nm.index));
  if (returnType === '') return undefined;
  const close = matchingParen(body, open);
  if (close < 0) return undefined;
  const paramText = body.slice(open + 1, close).trim();
  const params: ParamInfo[] = [];
  if (paramText !== '' && paramText !== 'void' && paramText !== 'VOID') {
    for (const p of splitTopLevel(paramText)) params.push(splitDeclaration(p));
  }
  if (registers) {
    const rest = body.slice(close + 1);
    const ro = rest.indexOf('(');
    const rc = rest.indexOf(')', ro + 1);
    if (ro >= 0 && rc > ro) {
      const regs = rest
        .slice(ro + 1, rc)
        .split(',')
        .map((r) => r.trim().replace(/\s+/g, ''))
        .filter((r) => r !== '');
      regs.forEach((r, i) => {
        if (i < params.length) params[i].register = r;
      });
    }
  }
  const first = raw.length - raw.trimStart().length;
  const nameStart = nm.index + nm[0].indexOf(name);
  return newSymbol({
    name,
    kind: 'function',
    definition: false,
    range: lineRange(line, first, body.trimEnd().length),
    selectionRange: lineRange(line, nameStart, nameStart + name.length),
    signature: formatArosSignature(returnType, name, params, aros),
    returnType,
    params,
    aros,
  });
}

/** `struct Node *node` gives type `struct Node *`, name `node`; `void (*fn)(APTR)` gives name `fn`. */
export function splitDeclaration(decl: string): ParamInfo {
  const d = normalize(decl);
  if (d === '...') return { type: '...', name: '' };
  const fp = /\(\s*\*\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)/.exec(d);
  if (fp) return { type: normalize(d.slice(0, fp.index) + '(*)' + d.slice(fp.index + fp[0].length)), name: fp[1] };
  let core = d;
  let suffix = '';
  const arr = /(\s*\[[^\]]*\])+$/.exec(core);
  if (arr) {
    suffix = arr[0].trim();
    core = core.slice(0, arr.index);
  }
  const m = /([A-Za-z_][A-Za-z0-9_]*)$/.exec(core);
  if (!m) return { type: d, name: '' };
  const before = core.slice(0, m.index).trim();
  // A lone type (`ULONG`, `struct Foo`) has no name.
  if (before === '' || /^(struct|union|enum|const|unsigned|signed)$/.test(before)) return { type: d, name: '' };
  return { type: normalize(before + (suffix ? ' ' + suffix : '')), name: m[1] };
}

/**
 * The `modtype=` of the `%build_module` (or similar) call for `modname` in an
 * mmakefile.src, or the only modtype in the file when no call names it.
 */
export function modtypeFromMmakefile(mmakefile: string, modname: string): string | undefined {
  const joined = mmakefile.replace(/\\\r?\n/g, ' ');
  const all = new Set<string>();
  let found: string | undefined;
  for (const line of joined.split('\n')) {
    const t = /\bmodtype=([A-Za-z0-9_]+)/.exec(line);
    if (!t) continue;
    all.add(t[1]);
    const n = /\bmodname=([A-Za-z0-9_.-]+)/.exec(line);
    if (n && n[1] === modname && found === undefined) found = t[1];
  }
  if (found) return found;
  return all.size === 1 ? [...all][0] : undefined;
}

function splitLines(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  let no = 0;
  while (start <= text.length) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    let end = nl;
    if (end > start && text.charCodeAt(end - 1) === 13) end--;
    out.push({ text: text.slice(start, end), start, no });
    no++;
    start = nl + 1;
  }
  return out;
}

function lineRange(line: Line, from: number, to: number): Range {
  return { start: { line: line.no, character: from }, end: { line: line.no, character: Math.max(from, to) } };
}

function normalize(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function baseNameOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}

function capitalise(s: string): string {
  return s === '' ? s : s[0].toUpperCase() + s.slice(1);
}
