// Requests arrive from editors we do not control: check the shape of params
// before use, and answer a malformed request with InvalidParams naming the field.

import { ErrorCodes, ResponseError, type Position } from 'vscode-languageserver/node';

export function invalid(message: string): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidParams, message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function requireUri(params: unknown): string {
  if (!isObject(params) || !isObject(params.textDocument) || typeof params.textDocument.uri !== 'string') {
    throw invalid('params.textDocument.uri must be a string');
  }
  return params.textDocument.uri;
}

export function requirePosition(params: unknown): Position {
  const p = isObject(params) ? params.position : undefined;
  if (!isObject(p) || !Number.isInteger(p.line) || !Number.isInteger(p.character)) {
    throw invalid('params.position must be { line: integer, character: integer }');
  }
  return { line: p.line as number, character: p.character as number };
}

export function requireString(params: unknown, key: string): string {
  const v = isObject(params) ? params[key] : undefined;
  if (typeof v !== 'string') throw invalid(`params.${key} must be a string`);
  return v;
}

export function optionalBoolean(params: unknown, path: string[]): boolean | undefined {
  let v: unknown = params;
  for (const k of path) v = isObject(v) ? v[k] : undefined;
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw invalid(`params.${path.join('.')} must be a boolean`);
  return v;
}
