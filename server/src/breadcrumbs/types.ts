// Data model of AI breadcrumbs (see BREADCRUMBS.md). Plain data, no LSP types:
// ranges use the index's 0-based line / UTF-16 column positions.

import type { Range } from '../index/types';

export interface BreadcrumbEntry {
  /** Upper-case tag name: a known tag, or an unknown `AI_*` tag (kept so the validator can hint). */
  tag: string;
  /** The rest of the line, trimmed. For a multi-line AI_CONTEXT, the JSON lines joined by `\n`. */
  value: string;
  /** 0-based line of the tag. */
  line: number;
  /** From the tag's first character to the end of the value (the last JSON line for AI_CONTEXT). Set by the parser. */
  range?: Range;
  /** The value alone; empty (start = end) right after the colon when the value is empty. Set by the parser. */
  valueRange?: Range;
}

/** A definition or declaration of the file, as the indexer supplies them (sorted by startLine). */
export interface BreadcrumbTarget {
  name: string;
  kind: string;
  startLine: number;
  endLine: number;
  hasBody: boolean;
}

export interface Breadcrumb {
  form: 'line' | 'block';
  /** The comment's range (line form: the first to the last `//` line of the run). */
  range: Range;
  /** First line of the comment. */
  line: number;
  /** Every tag line in order: known tags and unknown `AI_*` tags; other `WORD:` lines are notes. */
  entries: BreadcrumbEntry[];
  /** Tag -> every value in order; the last one is the effective value. */
  tags: Record<string, string[]>;
  /** Plain comment lines inside the breadcrumb, trimmed. */
  notes: string[];
  /** Parsed JSON of the effective (last) AI_CONTEXT, when it is valid. */
  context?: unknown;
  /** The first AI_CONTEXT that is not valid JSON. */
  contextError?: { message: string; line: number };
  /** The first declaration or definition that follows the comment. */
  target?: { name: string; kind: string; line: number };
  /** The comment lies inside a function body. */
  insideFunction: boolean;
}

export interface BreadcrumbItem {
  file: string;
  breadcrumb: Breadcrumb;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface Finding {
  severity: Severity;
  code: string;
  message: string;
  range: Range;
  data?: { tag?: string; value?: string; suggestion?: string };
}

/** Finding codes, for adapters and quick fixes. */
export const FINDING_CODES = [
  'missing-tag',
  'invalid-json',
  'invalid-value',
  'invalid-format',
  'missing-fix-reason',
  'unknown-tag',
  'no-target',
  'unknown-phase',
  'dependency-cycle',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

export const REQUIRED_TAGS: readonly string[] = ['AI_PHASE', 'AI_STATUS'];

export const STATUS_VALUES: readonly string[] = ['NOT_STARTED', 'PARTIAL', 'IMPLEMENTED', 'FIXED', 'NEEDS_REFACTOR'];

export const COMPLEXITY_VALUES: readonly string[] = ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** Every tag of the Tags table, in the table's order. */
export const KNOWN_TAGS: readonly string[] = [
  // core
  'AI_PHASE',
  'AI_STATUS',
  // strategy
  'AI_PATTERN',
  'AI_STRATEGY',
  'AI_DETAILS',
  // notes and history
  'AI_NOTE',
  'AI_HISTORY',
  'AI_CHANGE',
  // feature marker
  'AI_BREADCRUMB',
  // errors
  'COMPILER_ERR',
  'RUNTIME_ERR',
  'FIX_REASON',
  // references
  'LINUX_REF',
  'AMIGAOS_REF',
  'AROS_IMPL',
  // tracker
  'REF_GITHUB_ISSUE',
  'REF_PR',
  'REF_TROUBLE_TICKET',
  'REF_USER_FEEDBACK',
  'REF_AUDIT_LOG',
  // provenance
  'HUMAN_OVERRIDE',
  'PREVIOUS_IMPLEMENTATION_REF',
  'CORRECTION_REF',
  'AI_VERSION',
  'AI_TRAIN_HASH',
  'AI_TIMESTAMP',
  // JSON
  'AI_CONTEXT',
  // work distribution
  'AI_ASSIGNED_TO',
  'AI_CLAIMED_AT',
  'AI_ESTIMATED_TIME',
  'AI_PRIORITY',
  'AI_DEPENDENCIES',
  'AI_BLOCKS',
  'AI_COMPLEXITY',
  'AI_BOUNTY',
  'AI_TIMEOUT',
  'AI_RETRY_COUNT',
  'AI_MAX_RETRIES',
];

const KNOWN_SET = new Set(KNOWN_TAGS);

/** `tag` must already be upper-case. */
export function isKnownTag(tag: string): boolean {
  return KNOWN_SET.has(tag);
}
