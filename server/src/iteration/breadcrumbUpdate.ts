// The task's breadcrumb after an attempt: its status, and the compiler errors
// that were fixed along the way with the reason, as BREADCRUMBS.md asks
// (COMPILER_ERR needs a FIX_REASON once the status says the code works).

import type { Breadcrumb } from '../breadcrumbs/types';

export interface BreadcrumbChange {
  status: string;
  /** Errors met and fixed in earlier attempts, with what fixed them. */
  fixed?: Array<{ error: string; reason: string }>;
  strategy?: string;
}

/** The text with the breadcrumb's lines rewritten; line count may grow. */
export function updateBreadcrumb(text: string, breadcrumb: Breadcrumb, change: BreadcrumbChange): string {
  const lines = text.split('\n');
  const first = breadcrumb.range.start.line;
  const last = breadcrumb.range.end.line;
  const block = lines.slice(first, last + 1);
  const tagLine = /^(\s*(?:\/\/|\/?\*+)?\s*)(AI_[A-Z_]+|COMPILER_ERR|FIX_REASON)\s*:(.*)$/;
  let prefix = breadcrumb.form === 'line' ? '// ' : ' * ';
  let lastTag = -1;
  let statusSet = false;
  block.forEach((line, i) => {
    const m = tagLine.exec(line);
    if (!m) return;
    prefix = m[1].replace(/^\s*\/\*+\s*/, ' * ');
    lastTag = i;
    if (m[2] === 'AI_STATUS') {
      block[i] = `${m[1]}AI_STATUS: ${change.status}`;
      statusSet = true;
    } else if (m[2] === 'AI_STRATEGY' && change.strategy) {
      block[i] = `${m[1]}AI_STRATEGY: ${oneLine(change.strategy)}`;
      change = { ...change, strategy: undefined };
    }
  });
  const added: string[] = [];
  if (!statusSet) added.push(`${prefix}AI_STATUS: ${change.status}`);
  if (change.strategy) added.push(`${prefix}AI_STRATEGY: ${oneLine(change.strategy)}`);
  for (const f of change.fixed ?? []) added.push(`${prefix}COMPILER_ERR: ${oneLine(f.error)}`, `${prefix}FIX_REASON: ${oneLine(f.reason)}`);
  const at = lastTag >= 0 ? lastTag + 1 : block.length - (breadcrumb.form === 'block' ? 1 : 0);
  block.splice(at, 0, ...added);
  return [...lines.slice(0, first), ...block, ...lines.slice(last + 1)].join('\n');
}

function oneLine(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 197)}...` : t;
}
