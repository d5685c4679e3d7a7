// Validation rules of BREADCRUMBS.md. validateBreadcrumb covers what one breadcrumb can
// tell; validateWorkspace covers the rules that need every breadcrumb (phase names, cycles).

import type { Range } from '../index/types';
import { nearest } from './distance';
import { buildPhaseGraph, cyclicComponents, describeCycle } from './graph';
import {
  COMPLEXITY_VALUES,
  KNOWN_TAGS,
  REQUIRED_TAGS,
  STATUS_VALUES,
  isKnownTag,
  type Breadcrumb,
  type BreadcrumbEntry,
  type BreadcrumbItem,
  type Finding,
} from './types';
import { effective, lastEntry, phaseList, phaseOf, statusOf } from './values';

export { editDistance, nearest } from './distance';

/**
 * Statuses written by older tools, mapped to the valid status that means the same.
 * The old tool marked claimed tasks `IMPLEMENTING`; by edit distance that would become
 * `IMPLEMENTED`, which would silently drop unfinished work from the task list.
 */
const STATUS_ALIASES: Readonly<Record<string, string>> = { IMPLEMENTING: 'PARTIAL' };

/** Form checks for single-valued tags; each returns true when the value is well formed. */
const FORMATS: ReadonlyArray<{ tag: string; ok: (v: string) => boolean; expected: string }> = [
  { tag: 'AI_PRIORITY', ok: (v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 10, expected: 'an integer from 1 to 10' },
  {
    tag: 'AI_VERSION',
    ok: (v) => /^\d+(\.\d+)?$/.test(v) && Number(v) >= 0.1 && Number(v) <= 1,
    expected: 'a number from 0.1 to 1.0',
  },
  { tag: 'AI_RETRY_COUNT', ok: (v) => /^\d+$/.test(v), expected: 'a non-negative integer' },
  { tag: 'AI_MAX_RETRIES', ok: (v) => /^\d+$/.test(v), expected: 'a non-negative integer' },
  { tag: 'AI_CLAIMED_AT', ok: isIsoDateTime, expected: 'an ISO 8601 date or date-time' },
  { tag: 'AI_TIMESTAMP', ok: isIsoDateTime, expected: 'an ISO 8601 date or date-time' },
  {
    tag: 'AI_ESTIMATED_TIME',
    ok: (v) => /^(?=\d)(\d+(\.\d+)?h)?(\d+(\.\d+)?m)?$/i.test(v),
    expected: 'a duration such as 2.5h, 45m or 1h30m',
  },
  { tag: 'AI_TRAIN_HASH', ok: (v) => /^[0-9a-fA-F]{64}$/.test(v), expected: 'a hex SHA-256 (64 hex digits)' },
];

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:Z|[+-](\d{2})(?::?(\d{2}))?)?)?$/i;

/** ISO 8601 extended calendar date, optionally with time and zone; the date must exist. */
export function isIsoDateTime(v: string): boolean {
  const m = ISO.exec(v);
  if (m === null) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return false;
  const num = (s: string | undefined): number => (s === undefined ? 0 : Number(s));
  return num(m[4]) <= 24 && num(m[5]) <= 59 && num(m[6]) <= 60 && num(m[7]) <= 23 && num(m[8]) <= 59;
}

/** The line of an entry, when the parser did not record its exact range. */
function lineRange(line: number): Range {
  return { start: { line, character: 0 }, end: { line: line + 1, character: 0 } };
}

function entryRange(e: BreadcrumbEntry): Range {
  return e.range ?? lineRange(e.line);
}

function valueRange(e: BreadcrumbEntry): Range {
  return e.valueRange ?? entryRange(e);
}

/** The tag name alone, for unknown-tag quick fixes that rename it. */
function tagRange(e: BreadcrumbEntry): Range {
  if (e.range === undefined) return lineRange(e.line);
  const s = e.range.start;
  return { start: s, end: { line: s.line, character: s.character + e.tag.length } };
}

export function validateBreadcrumb(b: Breadcrumb): Finding[] {
  const findings: Finding[] = [];

  for (const tag of REQUIRED_TAGS) {
    const entry = lastEntry(b, tag);
    if (entry === undefined) {
      findings.push({ severity: 'error', code: 'missing-tag', message: `Breadcrumb has no ${tag}`, range: b.range, data: { tag } });
    } else if (entry.value === '') {
      findings.push({ severity: 'error', code: 'missing-tag', message: `${tag} is empty`, range: entryRange(entry), data: { tag } });
    }
  }

  if (b.contextError !== undefined) {
    const err = b.contextError;
    const entry = b.entries.find((e) => e.tag === 'AI_CONTEXT' && e.line === err.line);
    findings.push({
      severity: 'error',
      code: 'invalid-json',
      message: err.message,
      range: entry !== undefined ? entryRange(entry) : lineRange(err.line),
      data: { tag: 'AI_CONTEXT' },
    });
  }

  for (const e of b.entries) {
    if (e.tag === 'AI_STATUS' && e.value !== '') checkValue(e, STATUS_VALUES, findings);
    else if (e.tag === 'AI_COMPLEXITY') checkValue(e, COMPLEXITY_VALUES, findings);
    const format = FORMATS.find((f) => f.tag === e.tag);
    if (format !== undefined && !format.ok(e.value)) {
      findings.push({
        severity: 'warning',
        code: 'invalid-format',
        message: `${e.tag} should be ${format.expected}, not "${e.value}"`,
        range: valueRange(e),
        data: { tag: e.tag, value: e.value },
      });
    }
    if (!isKnownTag(e.tag)) {
      const suggestion = nearest(e.tag, KNOWN_TAGS)!;
      findings.push({
        severity: 'hint',
        code: 'unknown-tag',
        message: `${e.tag}: did you mean ${suggestion}?`,
        range: tagRange(e),
        data: { tag: e.tag, value: e.value, suggestion },
      });
    }
  }

  const status = statusOf(b);
  const fixReason = effective(b, 'FIX_REASON');
  if ((status === 'IMPLEMENTED' || status === 'FIXED') && (fixReason === undefined || fixReason === '')) {
    const err = b.entries.find((e) => (e.tag === 'COMPILER_ERR' || e.tag === 'RUNTIME_ERR') && e.value !== '');
    if (err !== undefined) {
      findings.push({
        severity: 'warning',
        code: 'missing-fix-reason',
        message: `${err.tag} without FIX_REASON although AI_STATUS is ${status}`,
        range: entryRange(err),
        data: { tag: 'FIX_REASON' },
      });
    }
  }

  if (b.insideFunction && b.target === undefined) {
    findings.push({
      severity: 'hint',
      code: 'no-target',
      message: 'Breadcrumb inside a function body has no target definition; move it above the definition it describes',
      range: b.range,
    });
  }
  return findings;
}

/** The range of one phase id inside a comma list, so a quick fix can replace just that name. */
function phaseRange(e: BreadcrumbEntry, phase: string): Range {
  const whole = valueRange(e);
  if (e.valueRange === undefined || whole.start.line !== whole.end.line) return whole;
  let offset = 0;
  for (const part of e.value.split(',')) {
    const lead = part.length - part.trimStart().length;
    const name = part.trim();
    if (phaseList(name)[0] === phase) {
      const start = whole.start.character + offset + lead;
      return { start: { line: whole.start.line, character: start }, end: { line: whole.start.line, character: start + name.length } };
    }
    offset += part.length + 1;
  }
  return whole;
}

function checkValue(e: BreadcrumbEntry, allowed: readonly string[], findings: Finding[]): void {
  if (allowed.includes(e.value)) return;
  const alias = e.tag === 'AI_STATUS' ? STATUS_ALIASES[e.value.toUpperCase()] : undefined;
  const suggestion = alias ?? (e.value === '' ? undefined : nearest(e.value, allowed));
  const hint = suggestion !== undefined ? `; did you mean ${suggestion}?` : '';
  findings.push({
    severity: 'warning',
    code: 'invalid-value',
    message: `${e.tag} "${e.value}" is not one of ${allowed.join(', ')}${hint}`,
    range: valueRange(e),
    data: suggestion !== undefined ? { tag: e.tag, value: e.value, suggestion } : { tag: e.tag, value: e.value },
  });
}

/**
 * Cross-breadcrumb rules. The map has a key for every file in `items` (an empty array when
 * the file is clean) so an adapter can clear stale diagnostics by iterating it.
 */
export function validateWorkspace(items: ReadonlyArray<BreadcrumbItem>): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const { file } of items) if (!out.has(file)) out.set(file, []);

  const declared = new Set<string>();
  for (const { breadcrumb } of items) {
    const p = phaseOf(breadcrumb);
    if (p !== undefined) declared.add(p);
  }
  const declaredList = [...declared].sort();

  const graph = buildPhaseGraph(items);
  // Phase -> the cycle it lies on, as text.
  const cycleOf = new Map<string, { members: Set<string>; text: string }>();
  for (const comp of cyclicComponents(graph)) {
    const info = { members: new Set(comp), text: describeCycle(graph, comp).join(' → ') };
    for (const p of comp) cycleOf.set(p, info);
  }

  for (const { file, breadcrumb } of items) {
    const findings = out.get(file)!;
    const own = phaseOf(breadcrumb);
    for (const tag of ['AI_DEPENDENCIES', 'AI_BLOCKS']) {
      const entry = lastEntry(breadcrumb, tag);
      if (entry === undefined) continue;
      const named = phaseList(entry.value);
      for (const phase of named) {
        if (declared.has(phase)) continue;
        const where = phaseRange(entry, phase);
        // Only suggest a declared phase that is plausibly a typo of this one.
        const suggestion = nearest(phase, declaredList, Math.max(2, Math.floor(phase.length / 4)));
        findings.push({
          severity: 'warning',
          code: 'unknown-phase',
          message: `${tag} names phase ${phase}, which no breadcrumb declares${suggestion !== undefined ? `; did you mean ${suggestion}?` : ''}`,
          range: where,
          data: suggestion !== undefined ? { tag, value: phase, suggestion } : { tag, value: phase },
        });
      }
      const cycle = own !== undefined ? cycleOf.get(own) : undefined;
      if (cycle !== undefined && named.some((p) => cycle.members.has(p))) {
        findings.push({
          severity: 'warning',
          code: 'dependency-cycle',
          message: `Dependency cycle among phases: ${cycle.text} (each depends on the next)`,
          range: valueRange(entry),
          data: { tag, value: cycle.text },
        });
      }
    }
  }
  return out;
}
