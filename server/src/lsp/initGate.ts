// The protocol's rules that vscode-languageserver does not enforce, applied to
// every message before the connection sees it (it would otherwise answer a
// request before `initialize` with an empty result that looks real, run a
// second `initialize`, serve requests after `shutdown`, leave requests it
// cannot correlate unanswered, and crash in its own code on some params):
//
// - Until `initialize` arrives, a request is answered with ServerNotInitialized
//   (-32002) and a notification other than `exit` is dropped. An `initialize`
//   whose params are not an object with a `capabilities` object is answered
//   with InvalidParams and the server stays uninitialized; a `processId` that
//   is not a positive 32-bit integer is ignored (vscode-languageserver would
//   take it for a dead parent and exit).
// - A second `initialize`, and any request after `shutdown`, is answered with
//   InvalidRequest (-32600); after `shutdown` notifications other than `exit` are dropped.
// - JSON that is not a JSON-RPC message (a batch array, a number, a string,
//   null, an object that is neither request, notification nor response, a
//   request whose id is not a string or a finite number) is answered with one
//   InvalidRequest error with id null, as JSON-RPC 2.0 says; LSP has no batches.
// - A frame whose body is not JSON (reported by FrameReader) is answered with
//   ParseError (-32700), id null.
// - A request whose id prints the same as that of a request still being
//   served (5 and "5" included: vscode-jsonrpc queues requests by the printed
//   id and would silently drop one) is answered with InvalidRequest.
// - `params: null` on a request is taken as no params (vscode-languageserver
//   reads fields of params before our handlers run).
// - Params nested deeper than MAX_PARAMS_DEPTH levels are refused: InvalidParams
//   for a request, dropped for a notification (recursive code, such as
//   vscode-jsonrpc's tracer or the JSON of an echoed completion item, would
//   overflow the stack on them and leave the request unanswered).
// - The notifications vscode-jsonrpc and vscode-languageserver handle
//   themselves are dropped when their params lack the field they read
//   (`$/cancelRequest` id, `$/setTrace` value, `$/progress` and
//   `window/workDoneProgress/cancel` token, `workspace/didChangeWorkspaceFolders` event).

import {
  ErrorCodes,
  Message,
  type DataCallback,
  type Disposable,
  type MessageReader,
  type MessageWriter,
  type ResponseMessage,
} from 'vscode-languageserver/node';
import { ParseFailure } from './frameReader';

/**
 * The reader and writer the connection must use. `log` must not write to the
 * connection: before `initialize` the server may send nothing but responses.
 */
export function gateUntilInitialized(reader: MessageReader, writer: MessageWriter, log: (message: string) => void): { reader: MessageReader; writer: MessageWriter } {
  let state: 'new' | 'running' | 'shutdown' = 'new';
  /** Requests handed to the connection and not answered yet, by printed id. */
  const serving = new Set<string>();
  const answer = (id: string | number | null, code: number, message: string): void => {
    const response: ResponseMessage = { jsonrpc: '2.0', id, error: { code, message } };
    writer.write(response).catch(() => undefined);
  };
  reader.onError((err) => {
    if (err instanceof ParseFailure) answer(null, ErrorCodes.ParseError, err.message);
  });
  const gatedReader: MessageReader = {
    onError: reader.onError,
    onClose: reader.onClose,
    onPartialMessage: reader.onPartialMessage,
    dispose: () => reader.dispose(),
    listen(callback: DataCallback): Disposable {
      return reader.listen((message) => {
        const problem = invalidMessage(message);
        if (problem) {
          log(`${problem}: answered with InvalidRequest`);
          answer(null, ErrorCodes.InvalidRequest, problem);
          return;
        }
        if (Message.isRequest(message)) {
          if (state === 'new' && message.method !== 'initialize') {
            log(`request ${clip(message.method)} before initialize: answered with ServerNotInitialized`);
            answer(message.id, ErrorCodes.ServerNotInitialized, `the server is not initialized: send 'initialize' before '${clip(message.method)}'`);
            return;
          }
          if (state === 'shutdown') {
            log(`request ${clip(message.method)} after shutdown: answered with InvalidRequest`);
            answer(message.id, ErrorCodes.InvalidRequest, `the server is shutting down: only 'exit' may follow 'shutdown', not '${clip(message.method)}'`);
            return;
          }
          if (state === 'running' && message.method === 'initialize') {
            log('a second initialize: answered with InvalidRequest');
            answer(message.id, ErrorCodes.InvalidRequest, "'initialize' may be sent only once");
            return;
          }
          const key = String(message.id);
          if (serving.has(key)) {
            log(`request ${clip(message.method)} with the id ${clip(JSON.stringify(message.id))} of a request still being served: answered with InvalidRequest`);
            answer(message.id, ErrorCodes.InvalidRequest, `the id ${clip(JSON.stringify(message.id))} is in use by a request still being served`);
            return;
          }
          if (message.params === null) delete message.params;
          if (deeperThan(message.params, MAX_PARAMS_DEPTH)) {
            log(`request ${clip(message.method)} with params nested deeper than ${MAX_PARAMS_DEPTH} levels: answered with InvalidParams`);
            answer(message.id, ErrorCodes.InvalidParams, `params are nested deeper than ${MAX_PARAMS_DEPTH} levels`);
            return;
          }
          if (message.method === 'initialize') {
            const params = message.params as Record<string, unknown> | undefined;
            if (typeof params !== 'object' || Array.isArray(params) || typeof params.capabilities !== 'object' || params.capabilities === null || Array.isArray(params.capabilities)) {
              log('initialize without an object of params holding capabilities: answered with InvalidParams');
              answer(message.id, ErrorCodes.InvalidParams, "initialize needs params with a 'capabilities' object");
              return;
            }
            const pid = params.processId;
            if (pid !== undefined && pid !== null && !(typeof pid === 'number' && Number.isInteger(pid) && pid > 0 && pid <= 0x7fffffff)) {
              log(`initialize: processId ${JSON.stringify(pid)} is not a process id; ignored`);
              params.processId = null;
            }
            state = 'running';
          } else if (message.method === 'shutdown') state = 'shutdown';
          serving.add(key);
        } else if (Message.isNotification(message) && message.method !== 'exit') {
          if (state !== 'running') {
            log(`notification ${clip(message.method)} ${state === 'new' ? 'before initialize' : 'after shutdown'}: dropped`);
            return;
          }
          if (deeperThan(message.params, MAX_PARAMS_DEPTH)) {
            log(`notification ${clip(message.method)} with params nested deeper than ${MAX_PARAMS_DEPTH} levels: dropped`);
            return;
          }
          const required = LIBRARY_NOTIFICATIONS.get(message.method);
          if (required && !required.check((message.params as Record<string, unknown> | null | undefined)?.[required.field])) {
            log(`${message.method} without ${required.what}: dropped`);
            return;
          }
        }
        callback(message);
      });
    },
  };
  const gatedWriter: MessageWriter = {
    onError: writer.onError,
    onClose: writer.onClose,
    end: () => writer.end(),
    dispose: () => writer.dispose(),
    write(message: Message): Promise<void> {
      if (Message.isResponse(message) && message.id !== null) serving.delete(String(message.id));
      return writer.write(message);
    },
  };
  return { reader: gatedReader, writer: gatedWriter };
}

export const MAX_PARAMS_DEPTH = 256;

/** A client's string as it goes into a log line or an error message: at most 100 characters. */
function clip(s: string): string {
  return s.length > 100 ? `${s.slice(0, 100)}… (${s.length} characters)` : s;
}

const idLike = (v: unknown): boolean => typeof v === 'string' || typeof v === 'number';
/** Notifications handled inside vscode-jsonrpc / vscode-languageserver, and the field each reads without checking. */
const LIBRARY_NOTIFICATIONS = new Map<string, { field: string; what: string; check: (v: unknown) => boolean }>([
  ['$/cancelRequest', { field: 'id', what: 'a string or numeric id', check: idLike }],
  ['$/setTrace', { field: 'value', what: 'a string value', check: (v) => typeof v === 'string' }],
  ['$/progress', { field: 'token', what: 'a string or numeric token', check: idLike }],
  ['window/workDoneProgress/cancel', { field: 'token', what: 'a string or numeric token', check: idLike }],
  ['workspace/didChangeWorkspaceFolders', { field: 'event', what: 'an event object', check: (v) => typeof v === 'object' && v !== null }],
]);

/** Whether objects and arrays in `value` nest deeper than `limit` (the value itself is level 1); without recursion. */
export function deeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

/** Why a parsed body is not a JSON-RPC message the connection can handle (undefined when it is one). */
function invalidMessage(message: unknown): string | undefined {
  if (Array.isArray(message)) return 'a batch (JSON array): LSP does not support batches';
  if (typeof message !== 'object' || message === null) return `not a JSON-RPC message: ${JSON.stringify(message)?.slice(0, 40)}`;
  const m = message as Record<string, unknown>;
  if (typeof m.method === 'string') {
    if (!('id' in m)) return undefined;
    if (typeof m.id === 'string' || (typeof m.id === 'number' && Number.isFinite(m.id))) return undefined;
    return `a request whose id is ${describe(m.id)}: an id must be a string or a number`;
  }
  if ('method' in m) return `a message whose method is ${describe(m.method)}, not a string`;
  if ((m.result !== undefined || Boolean(m.error)) && (typeof m.id === 'string' || typeof m.id === 'number' || m.id === null)) return undefined;
  return 'an object that is neither a request, a notification nor a response';
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return String(v);
  return `a ${typeof v}`;
}
