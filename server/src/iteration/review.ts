// Deterministic checks of a generated function before anything is compiled:
// it parses, the target is still there with its signature, and the updated
// breadcrumb is valid.

import { parseBreadcrumbs } from '../breadcrumbs/parse';
import { validateBreadcrumb } from '../breadcrumbs/validate';
import { analyzeC } from '../index/analyze';
import { findFunction, type TargetFunction } from './targetFunction';

export interface ReviewOutcome {
  ok: boolean;
  findings: string[];
}

export function reviewChange(before: TargetFunction, newText: string, breadcrumbLine?: number): ReviewOutcome {
  const findings: string[] = [];
  const after = findFunction(newText, before.name);
  if (!after) {
    findings.push(`the function ${before.name} is missing from the result`);
    return { ok: false, findings };
  }
  if (normalise(after.signature) !== normalise(before.signature)) {
    findings.push(`the signature of ${before.name} changed: was \`${before.signature}\`, is \`${after.signature}\``);
  }
  const fn = newText.slice(after.start, after.end);
  // AROS macro heads do not parse as C: judge those by the body alone.
  const parsed = analyzeC(/^\s*AROS_/m.test(after.header) ? `void __aros_lsp_check(void)\n{${after.body ?? ''}}\n` : fn, { fullParse: true });
  if (parsed.analysis.hasErrors) findings.push(`${before.name} does not parse as C`);
  if (breadcrumbLine !== undefined) {
    const crumb = parseBreadcrumbs(newText).find((b) => b.line === breadcrumbLine);
    if (!crumb) findings.push('the breadcrumb is missing');
    else for (const f of validateBreadcrumb(crumb)) if (f.severity === 'error') findings.push(`breadcrumb: ${f.message}`);
  }
  return { ok: findings.length === 0, findings };
}

function normalise(signature: string): string {
  return signature.replace(/\s+/g, ' ').replace(/\s*([(),*])\s*/g, '$1').trim();
}
