// Which breadcrumbs are related (BREADCRUMBS.md, "Relations"), for exploration and hover.

import type { BreadcrumbItem } from './types';
import { effective, phaseList, phaseOf } from './values';

export type RelationKind =
  /** Both carry the same AI_BREADCRUMB (one feature across files). */
  | 'feature'
  /** This breadcrumb's AI_DEPENDENCIES names the other's phase. */
  | 'depends-on'
  /** The other's AI_DEPENDENCIES names this phase. */
  | 'dependency-of'
  /** This breadcrumb's AI_BLOCKS names the other's phase. */
  | 'blocks'
  /** The other's AI_BLOCKS names this phase. */
  | 'blocked-by'
  /** Same LINUX_REF or AMIGAOS_REF (see `tag`). */
  | 'same-ref'
  /** This breadcrumb's PREVIOUS_IMPLEMENTATION_REF / CORRECTION_REF names the other's file or symbol. */
  | 'refers-to'
  /** The other's PREVIOUS_IMPLEMENTATION_REF / CORRECTION_REF names this file or symbol. */
  | 'referred-by';

export interface RelationReason {
  kind: RelationKind;
  /** The tag that carries the relation. */
  tag: string;
  /** The shared value, the phase named, or the reference. */
  value: string;
}

export interface RelatedItem<T extends BreadcrumbItem = BreadcrumbItem> {
  item: T;
  reasons: RelationReason[];
}

const SHARED_TAGS = ['AI_BREADCRUMB', 'LINUX_REF', 'AMIGAOS_REF'];
const REF_TAGS = ['PREVIOUS_IMPLEMENTATION_REF', 'CORRECTION_REF'];

/** Every item of `all` related to `item` (never `item` itself), in the order of `all`. */
export function relatedBreadcrumbs<T extends BreadcrumbItem>(item: BreadcrumbItem, all: ReadonlyArray<T>): RelatedItem<T>[] {
  const out: RelatedItem<T>[] = [];
  for (const other of all) {
    if (other === item || (other.file === item.file && other.breadcrumb.line === item.breadcrumb.line)) continue;
    const reasons = relationReasons(item, other);
    if (reasons.length > 0) out.push({ item: other, reasons });
  }
  return out;
}

/** Why `a` relates to `b`, seen from `a`. */
export function relationReasons(a: BreadcrumbItem, b: BreadcrumbItem): RelationReason[] {
  const reasons: RelationReason[] = [];
  const x = a.breadcrumb;
  const y = b.breadcrumb;

  for (const tag of SHARED_TAGS) {
    const va = effective(x, tag)?.trim();
    if (va !== undefined && va !== '' && va === effective(y, tag)?.trim()) {
      reasons.push({ kind: tag === 'AI_BREADCRUMB' ? 'feature' : 'same-ref', tag, value: va });
    }
  }

  const pa = phaseOf(x);
  const pb = phaseOf(y);
  if (pb !== undefined) {
    if (phaseList(effective(x, 'AI_DEPENDENCIES')).includes(pb)) reasons.push({ kind: 'depends-on', tag: 'AI_DEPENDENCIES', value: pb });
    if (phaseList(effective(x, 'AI_BLOCKS')).includes(pb)) reasons.push({ kind: 'blocks', tag: 'AI_BLOCKS', value: pb });
  }
  if (pa !== undefined) {
    if (phaseList(effective(y, 'AI_DEPENDENCIES')).includes(pa)) reasons.push({ kind: 'dependency-of', tag: 'AI_DEPENDENCIES', value: pa });
    if (phaseList(effective(y, 'AI_BLOCKS')).includes(pa)) reasons.push({ kind: 'blocked-by', tag: 'AI_BLOCKS', value: pa });
  }

  for (const tag of REF_TAGS) {
    const ra = effective(x, tag);
    if (ra !== undefined && refNames(ra, b)) reasons.push({ kind: 'refers-to', tag, value: ra });
    const rb = effective(y, tag);
    if (rb !== undefined && refNames(rb, a)) reasons.push({ kind: 'referred-by', tag, value: rb });
  }
  return reasons;
}

function normalizePath(p: string): string {
  return p.replace(/\\/g, '/');
}

/**
 * Whether a reference such as `radeon_cs.c`, `drivers/radeon/radeon_cs.c:42`,
 * `radeon_cs.c:init_cp` or `init_cp()` names the item's file (basename or path suffix)
 * or its target symbol.
 */
export function refNames(ref: string, item: BreadcrumbItem): boolean {
  const file = normalizePath(item.file);
  const symbol = item.breadcrumb.target?.name;
  for (const token of ref.split(/[\s,;]+/)) {
    // `file:line`, `file:symbol`, `file#L42` and `symbol()` name their parts.
    for (const raw of normalizePath(token).split(/[:#]/)) {
      const part = raw.replace(/\(\)$/, '').replace(/^\.\//, '');
      if (part === '') continue;
      if (symbol !== undefined && part === symbol) return true;
      if (file === part || file.endsWith('/' + part)) return true;
    }
  }
  return false;
}
