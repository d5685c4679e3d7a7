// Markdown for a symbol: its C signature, AROS library facts, AutoDoc and breadcrumb.

import type { Breadcrumb } from '../breadcrumbs/types';
import type { SymbolInfo } from './types';
import type { SymbolRef } from './workspaceIndex';

const AUTODOC_ORDER = ['FUNCTION', 'INPUTS', 'RESULT', 'NOTES', 'EXAMPLE', 'BUGS', 'SEE ALSO'];
const MAX_SECTION = 1500;

export function hoverMarkdown(ref: SymbolRef, breadcrumb?: Breadcrumb): string {
  const s = ref.symbol;
  const parts: string[] = ['```c\n' + cSignature(s) + '\n```'];
  if (s.aros) parts.push(arosLine(s));
  const where = `*${describeKind(s)} in \`${ref.file.path}:${s.range.start.line + 1}\`*`;
  parts.push(where);
  if (s.autodoc) {
    const sections = AUTODOC_ORDER.filter((k) => s.autodoc?.[k]?.trim()).map((k) => `**${k}**\n\n${clip(s.autodoc?.[k] ?? '')}`);
    if (sections.length) parts.push(sections.join('\n\n'));
  } else if (s.doc) {
    parts.push(clip(s.doc));
  }
  if (breadcrumb) parts.push(breadcrumbSummary(breadcrumb));
  return parts.join('\n\n---\n\n');
}

export function cSignature(s: SymbolInfo): string {
  if (s.aros && s.params && s.returnType !== undefined) {
    const params = s.params.map((p) => `${joinType(p.type, p.name)}${p.register ? ` /* ${p.register} */` : ''}`).join(',\n    ');
    return `${joinType(s.returnType, s.name)}(${params ? `\n    ${params}\n` : ''})`;
  }
  return s.signature ?? s.name;
}

function joinType(type: string, name: string): string {
  if (!type) return name;
  return type.endsWith('*') ? `${type}${name}` : `${type} ${name}`;
}

function arosLine(s: SymbolInfo): string {
  const a = s.aros;
  if (!a) return '';
  if (a.form === 'hook') return `AROS hook (\`${a.macro}\`)${s.storage ? `, ${s.storage}` : ''}`;
  const facts = [`**${a.library ?? '?'}** library function`];
  if (a.baseType || a.baseName) facts.push(`base \`${joinType(a.baseType ?? '', a.baseName ?? '')}\``);
  if (a.lvo !== undefined) facts.push(`LVO ${a.lvo} (offset -${a.lvo * 6})`);
  facts.push(a.macro === 'conf' ? 'from the `.conf` function list' : `\`${a.macro}\``);
  return facts.join(' · ');
}

function describeKind(s: SymbolInfo): string {
  if (s.aros?.macro === 'conf') return 'listed';
  if (s.kind === 'function') return s.definition ? 'defined' : 'declared';
  return `${s.kind}${s.definition ? '' : ' declaration'}`;
}

export function breadcrumbSummary(b: Breadcrumb): string {
  const last = (tag: string): string | undefined => {
    const v = b.tags[tag];
    return v && v.length ? v[v.length - 1] : undefined;
  };
  const head = [last('AI_PHASE'), last('AI_STATUS'), last('AI_PRIORITY') ? `priority ${last('AI_PRIORITY')}` : undefined]
    .filter(Boolean)
    .join(' · ');
  const lines = [`**Breadcrumb** ${head}`];
  for (const tag of ['AI_STRATEGY', 'AI_DEPENDENCIES', 'COMPILER_ERR', 'FIX_REASON', 'LINUX_REF']) {
    const v = last(tag);
    if (v) lines.push(`- ${tag}: ${v}`);
  }
  return lines.join('\n');
}

function clip(text: string): string {
  return text.length > MAX_SECTION ? `${text.slice(0, MAX_SECTION)}…` : text;
}
