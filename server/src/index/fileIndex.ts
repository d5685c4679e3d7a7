import type { Breadcrumb } from '../breadcrumbs/types';
import type { IncludeInfo, SymbolInfo } from './types';

/** What parsing one file yields; content-derived only, so it can be cached by content hash. */
export interface FileAnalysis {
  lines: number;
  symbols: SymbolInfo[];
  includes: IncludeInfo[];
  breadcrumbs: Breadcrumb[];
  /**
   * Each identifier that occurs in code once, in order of first use (names typed
   * into an open document's body come last); exact positions are found on demand.
   */
  identifiers: string[];
  hasErrors: boolean;
}

export interface FileEntry extends FileAnalysis {
  /** Workspace-relative, forward slashes. */
  path: string;
  hash: string;
  size: number;
  mtimeMs: number;
  /** How the bytes were decoded: invalid UTF-8 falls back to Latin-1 rather than failing. */
  encoding: 'utf8' | 'latin1';
}

export interface SkippedFile {
  path: string;
  reason: string;
}
