// Plain data shared by the index, the breadcrumbs module and their adapters.
// Nothing here knows about LSP: positions are 0-based lines and UTF-16 columns,
// which happen to match LSP so the adapter can pass them through unchanged.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type SymbolKind =
  | 'function'
  | 'struct'
  | 'union'
  | 'enum'
  | 'field'
  | 'enumerator'
  | 'typedef'
  | 'macro'
  | 'variable';

export interface ParamInfo {
  /** C type text, e.g. `struct ExecBase *`. Empty for macro parameters. */
  type: string;
  name: string;
  /** m68k register for AROS library functions and hooks (`A0`, `D0`; `D0/D1` for 64-bit pairs). */
  register?: string;
}

/** What AROS adds to a function defined through `AROS_LHn`/`AROS_UFHn` or listed in a `.conf` file. */
export interface ArosInfo {
  /** `library` for AROS_LHn (and conf entries), `hook` for AROS_UFHn. */
  form: 'library' | 'hook';
  /** The macro as written, e.g. `AROS_LH2I`, `AROS_UFH3S`, or `conf` for a `.conf` entry. */
  macro: string;
  baseType?: string;
  baseName?: string;
  lvo?: number;
  library?: string;
}

export interface SymbolInfo {
  name: string;
  kind: SymbolKind;
  /** false for prototypes, `extern` declarations, forward struct declarations and `.conf` entries. */
  definition: boolean;
  /** The whole construct. */
  range: Range;
  /** The name. */
  selectionRange: Range;
  /** Index (into the same file's symbol array) of the enclosing struct/union/enum for fields and enumerators. */
  parent?: number;
  /** C text of the declaration without the body, for hover and completion. */
  signature?: string;
  /** `static`, `extern`, `inline`, `static inline`, ... as written. */
  storage?: string;
  returnType?: string;
  /** Functions and function-like macros. */
  params?: ParamInfo[];
  aros?: ArosInfo;
  /** Sections of an attached AutoDoc comment, keyed by upper-case heading (NAME, FUNCTION, INPUTS, ...). */
  autodoc?: Record<string, string>;
  /** A plain leading doc comment (non-AutoDoc), trimmed. */
  doc?: string;
}

export interface IncludeInfo {
  path: string;
  system: boolean;
  line: number;
}
