// Breadcrumb diagnostics: published for open documents as they change, and
// for the whole workspace when the `aros.checkBreadcrumbs` command asks.

import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { BreadcrumbItem, Finding, Severity } from '../breadcrumbs/types';
import { validateBreadcrumb, validateWorkspace } from '../breadcrumbs/validate';
import type { WorkspaceSession } from '../index/workspaceSession';
import type { ServerContext } from './context';
import { pathToUri } from './convert';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(f: Finding): Diagnostic {
  return { range: f.range, severity: SEVERITY[f.severity], code: f.code, source: 'aros-lsp', message: f.message, data: f.data };
}

/** Findings per file: each breadcrumb's own rules plus the cross-breadcrumb ones. */
export function findingsByFile(items: readonly BreadcrumbItem[], only?: ReadonlySet<string>): Map<string, Finding[]> {
  const cross = validateWorkspace(items);
  const out = new Map<string, Finding[]>();
  for (const { file, breadcrumb } of items) {
    if (only && !only.has(file)) continue;
    let list = out.get(file);
    if (!list) out.set(file, (list = []));
    list.push(...validateBreadcrumb(breadcrumb));
  }
  for (const [file, findings] of cross) {
    if (only && !only.has(file)) continue;
    const list = out.get(file) ?? [];
    list.push(...findings);
    out.set(file, list);
  }
  return out;
}

export function publishOpenDocuments(ctx: ServerContext, session: WorkspaceSession, uris: ReadonlyMap<string, string>): void {
  const crumbs = session.settings.breadcrumbDiagnostics;
  if (!crumbs && !ctx.compilerDiagnostics) return;
  const byFile = crumbs ? findingsByFile(session.breadcrumbItems(), new Set(uris.keys())) : new Map<string, Finding[]>();
  for (const [key, uri] of uris) {
    const diagnostics = [...(byFile.get(key) ?? []).map(toDiagnostic), ...(ctx.compilerDiagnostics?.get(key) ?? [])];
    void ctx.connection.sendDiagnostics({ uri, diagnostics });
  }
}

export interface WorkspaceCheck {
  files: number;
  errors: number;
  warnings: number;
  hints: number;
}

export function publishWorkspace(ctx: ServerContext, session: WorkspaceSession): WorkspaceCheck {
  const byFile = findingsByFile(session.breadcrumbItems());
  const result: WorkspaceCheck = { files: 0, errors: 0, warnings: 0, hints: 0 };
  for (const [key, findings] of byFile) {
    if (findings.length === 0) continue;
    result.files++;
    for (const f of findings) {
      if (f.severity === 'error') result.errors++;
      else if (f.severity === 'warning') result.warnings++;
      else result.hints++;
    }
    void ctx.connection.sendDiagnostics({ uri: pathToUri(session.absOf(key)), diagnostics: findings.map(toDiagnostic) });
  }
  return result;
}
