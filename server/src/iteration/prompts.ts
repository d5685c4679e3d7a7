// What the models are told. Stable text first (instructions, exploration),
// then the task, then what changes between attempts, so a retry reuses the
// cached prompt prefix.

import type { ChatMessage } from '../models/types';
import type { CompilerDiagnostic } from './gccDiagnostics';

export interface PriorAttempt {
  code?: string;
  errors: CompilerDiagnostic[];
  review?: string;
}

export interface RememberedFix {
  message: string;
  diff: string;
  reason: string;
}

export interface ReasonInput {
  task: string;
  file: string;
  breadcrumb?: string;
  currentCode: string;
  exploration: string;
  attempts: readonly PriorAttempt[];
  fixes: readonly RememberedFix[];
}

const SYSTEM =
  'You are an AROS operating system developer writing C (C99, AROS conventions: exec types such as ULONG and APTR, ' +
  'AROS_LHn library functions, AutoDoc comments). Plan the change in a few short numbered steps. Name the functions, ' +
  'types and headers you will use. Do not write the code.';

export function reasonMessages(input: ReasonInput): ChatMessage[] {
  const parts = [`Relevant code from the tree:\n${input.exploration || '(nothing found)'}`, `Task: ${input.task}`, `File: ${input.file}`];
  if (input.breadcrumb) parts.push(`Breadcrumb:\n${input.breadcrumb}`);
  parts.push(`Current code:\n${input.currentCode}`);
  input.attempts.forEach((a, i) => {
    const errors = a.errors.map(formatDiagnostic).join('\n') || '(no compiler errors)';
    parts.push(`Attempt ${i + 1} code:\n${a.code ?? '(none)'}\nAttempt ${i + 1} compiler errors:\n${errors}${a.review ? `\nReview: ${a.review}` : ''}`);
  });
  if (input.fixes.length) {
    parts.push(`Fixes that worked for similar errors before:\n${input.fixes.map((f) => `- error: ${f.message}\n  reason: ${f.reason}\n  diff:\n${indent(f.diff)}`).join('\n')}`);
  }
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

export function reviewMessages(task: string, code: string, findings: readonly string[]): ChatMessage[] {
  return [
    { role: 'system', content: 'You review AROS C code. Answer with OK or with the problems you see, one per line, briefly.' },
    { role: 'user', content: `Task: ${task}\n\nCode:\n${code}\n\nAutomatic checks: ${findings.length ? findings.join('; ') : 'all passed'}` },
  ];
}

/** The plan as a C comment placed at the top of the body the code model fills in. */
export function planComment(plan: string, errors: readonly CompilerDiagnostic[]): string {
  const lines = plan
    .split('\n')
    .map((l) => l.replace(/\*\//g, '* /').trimEnd())
    .filter((l) => l.trim())
    .slice(0, 12);
  const errs = errors.slice(0, 5).map((d) => `fix: ${d.message.replace(/\*\//g, '* /')}`);
  const body = [...lines, ...errs];
  return body.length ? `    /* ${body.join('\n       ')} */\n` : '';
}

export function formatDiagnostic(d: CompilerDiagnostic): string {
  return `${d.file.split('/').pop()}:${d.line}${d.column ? `:${d.column}` : ''}: ${d.severity}: ${d.message}${d.flag ? ` [${d.flag}]` : ''}`;
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}
