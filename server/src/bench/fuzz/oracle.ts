// What the server must do with one JSON-RPC message, decided from the bytes
// alone (independently of the server's code): the rules of JSON-RPC 2.0 and
// LSP's lifecycle, as the server documents them.
//
// - A body that is not JSON: one error response -32700 (ParseError) with id null.
// - JSON that is not a message (an array/batch, a number, a string, null, an
//   object that is neither request, notification nor response, a request whose
//   id is not a string or finite number): one error -32600 (InvalidRequest) with id null.
// - A request before `initialize`: error -32002 (ServerNotInitialized) with its id.
// - A request after `shutdown`, or a second `initialize`: error -32600 with its id.
// - A request whose params nest deeper than 256 levels: -32602 (InvalidParams).
// - A request for a method the server does not have: -32601 (MethodNotFound).
// - Any other request: a result, or an error other than InternalError (-32603).
// - Notifications and responses: no answer.

export type Phase = 'uninitialized' | 'running' | 'shutdown';

export const ParseError = -32700;
export const InvalidRequest = -32600;
export const MethodNotFound = -32601;
export const InvalidParams = -32602;
export const InternalError = -32603;
export const ServerNotInitialized = -32002;
export const RequestCancelled = -32800;

/** Request methods the server registers. */
export const REQUEST_METHODS = new Set([
  'initialize',
  'shutdown',
  'textDocument/hover',
  'textDocument/definition',
  'textDocument/declaration',
  'textDocument/references',
  'textDocument/completion',
  'textDocument/inlineCompletion',
  'textDocument/documentSymbol',
  'textDocument/codeAction',
  'completionItem/resolve',
  'workspace/symbol',
  'workspace/executeCommand',
  'workspace/textDocumentContent',
  'aros/runIteration',
  'aros/health',
]);

export type Expectation =
  | { kind: 'none'; exit?: boolean }
  /** A response with this id (the key is JSON.stringify of the id as parsed). */
  | { kind: 'response'; key: string; method: string; error?: number; noInternalError?: boolean }
  /** An error response with id null. */
  | { kind: 'null-error'; code: number };

const MAX_DEPTH = 256;

/** Nesting of objects and arrays beyond `limit` levels (the value itself is level 1), breadth-first. */
function depthOver(value: unknown, limit: number): boolean {
  let level: unknown[] = [value];
  for (let depth = 1; level.length; depth++) {
    const next: unknown[] = [];
    for (const v of level) {
      if (typeof v !== 'object' || v === null) continue;
      if (depth > limit) return true;
      for (const c of Array.isArray(v) ? v : Object.values(v)) next.push(c);
    }
    level = next;
  }
  return false;
}

/** The key responses are matched by. */
export function idKey(id: unknown): string {
  return JSON.stringify(id);
}

export function isValidId(id: unknown): id is string | number {
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

/** What a body (the JSON text of one frame) must produce in `phase`; and the phase after it. */
export function expectForBody(body: string, phase: Phase): { expect: Expectation; phase: Phase } {
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    return { expect: { kind: 'null-error', code: ParseError }, phase };
  }
  return expectForMessage(message, phase);
}

export function expectForMessage(message: unknown, phase: Phase): { expect: Expectation; phase: Phase } {
  const invalid = { expect: { kind: 'null-error', code: InvalidRequest } as Expectation, phase };
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return invalid;
  const m = message as Record<string, unknown>;
  if (typeof m.method === 'string') {
    if (!('id' in m)) {
      // A notification: only `exit` changes anything (the process ends).
      return { expect: { kind: 'none', exit: m.method === 'exit' }, phase };
    }
    if (!isValidId(m.id)) return invalid;
    const key = idKey(m.id);
    const method = m.method;
    const tooDeep = depthOver(m.params === null ? undefined : m.params, MAX_DEPTH);
    if (phase === 'uninitialized') {
      if (method === 'initialize') {
        if (tooDeep) return { expect: { kind: 'response', key, method, error: InvalidParams }, phase };
        // initialize needs params with a capabilities object; otherwise InvalidParams, and still uninitialized.
        const p = m.params as Record<string, unknown> | null | undefined;
        const caps = typeof p === 'object' && p !== null && !Array.isArray(p) ? p.capabilities : undefined;
        if (typeof caps !== 'object' || caps === null || Array.isArray(caps)) return { expect: { kind: 'response', key, method, error: InvalidParams }, phase };
        return { expect: { kind: 'response', key, method, noInternalError: true }, phase: 'running' };
      }
      return { expect: { kind: 'response', key, method, error: ServerNotInitialized }, phase };
    }
    if (phase === 'shutdown') return { expect: { kind: 'response', key, method, error: InvalidRequest }, phase };
    if (method === 'initialize') return { expect: { kind: 'response', key, method, error: InvalidRequest }, phase };
    if (tooDeep) return { expect: { kind: 'response', key, method, error: InvalidParams }, phase };
    if (method === 'shutdown') return { expect: { kind: 'response', key, method, noInternalError: true }, phase: 'shutdown' };
    if (!REQUEST_METHODS.has(method)) return { expect: { kind: 'response', key, method, error: MethodNotFound }, phase };
    return { expect: { kind: 'response', key, method, noInternalError: true }, phase };
  }
  if ('method' in m) return invalid;
  // A response from the client (to a request of the server's, or to nothing): no answer.
  if ((m.result !== undefined || Boolean(m.error)) && (typeof m.id === 'string' || typeof m.id === 'number' || m.id === null)) return { expect: { kind: 'none' }, phase };
  return invalid;
}
