// `aros/status` notifications folded into one board (the index, each model
// role, the client connection) and summarised for the status bar.

import type { ModelRole, StatusParams, StatusState } from './protocol';

export type ClientState = 'starting' | 'running' | 'stopped';

export interface StatusBoard {
  client: ClientState;
  /** False without a workspace folder: the server then indexes nothing and says nothing about an index. */
  folder: boolean;
  index?: StatusParams;
  models: Partial<Record<ModelRole, StatusParams>>;
}

export interface StatusSummary {
  /** Status bar text, with `$(icon)` codicons. */
  text: string;
  /** One line per component, for the tooltip and "Show status". */
  lines: string[];
  level: 'ok' | 'busy' | 'error' | 'stopped';
}

const STATES: ReadonlySet<string> = new Set<StatusState>(['loading', 'indexing', 'ready', 'busy', 'error', 'unloaded']);
const ROLES: readonly ModelRole[] = ['codegen', 'llm'];

export function emptyBoard(client: ClientState = 'starting', folder = true): StatusBoard {
  return { client, folder, models: {} };
}

/** The board after one notification; anything malformed leaves it as it was (a notification has no reply to complain in). */
export function applyStatus(board: StatusBoard, raw: unknown): StatusBoard {
  if (typeof raw !== 'object' || raw === null) return board;
  const p = raw as Partial<StatusParams>;
  if (typeof p.state !== 'string' || !STATES.has(p.state) || typeof p.message !== 'string') return board;
  const params: StatusParams = {
    state: p.state,
    message: p.message,
    component: p.component === 'model' ? 'model' : 'index',
    ...(p.role === 'codegen' || p.role === 'llm' ? { role: p.role } : {}),
    ...(typeof p.files === 'number' ? { files: p.files } : {}),
  };
  if (p.component === 'model') {
    if (!params.role) return board;
    return { ...board, models: { ...board.models, [params.role]: params } };
  }
  if (p.component !== undefined && p.component !== 'index') return board;
  return { ...board, index: params };
}

export function withClientState(board: StatusBoard, client: ClientState): StatusBoard {
  // A stopped server's last words no longer describe anything: a new one starts from scratch.
  return client === 'starting' ? emptyBoard('starting', board.folder) : { ...board, client };
}

const BUSY: ReadonlySet<StatusState> = new Set<StatusState>(['loading', 'indexing', 'busy']);
const MODEL_MARK: Record<StatusState, string> = { ready: '✓', loading: '…', busy: '…', indexing: '…', unloaded: '○', error: '✗' };

export function summarizeStatus(board: StatusBoard): StatusSummary {
  const lines: string[] = [];
  if (board.client !== 'running') {
    const word = board.client === 'starting' ? 'starting' : 'stopped';
    lines.push(`Server: ${word}`);
    return { text: board.client === 'starting' ? '$(sync~spin) AROS: starting' : '$(debug-disconnect) AROS: stopped', lines, level: board.client === 'starting' ? 'busy' : 'stopped' };
  }
  const idx = board.index;
  let head: string;
  if (!idx && !board.folder) head = '$(file) AROS: no folder';
  else if (!idx) head = '$(sync~spin) AROS';
  else if (idx.state === 'error') head = '$(error) AROS: index error';
  else if (BUSY.has(idx.state)) head = `$(sync~spin) AROS: ${idx.state}`;
  else if (idx.state === 'ready') head = `$(database) AROS${idx.files !== undefined ? ` ${formatCount(idx.files)} files` : ''}`;
  else head = `$(database) AROS: ${idx.state}`;
  const noIndex = board.folder ? 'waiting for the server' : 'none — no folder is open, so only open documents are served';
  lines.push(`Index: ${idx ? `${idx.state}${idx.files !== undefined ? ` (${formatCount(idx.files)} files)` : ''} — ${idx.message}` : noIndex}`);
  const parts = [head];
  for (const role of ROLES) {
    const m = board.models[role];
    if (!m) continue;
    parts.push(`${role} ${MODEL_MARK[m.state]}`);
    lines.push(`${role}: ${m.state} — ${m.message}`);
  }
  const all = [idx, ...ROLES.map((r) => board.models[r])].filter((s): s is StatusParams => s !== undefined);
  const level = all.some((s) => s.state === 'error') ? 'error' : (!idx && board.folder) || all.some((s) => BUSY.has(s.state)) ? 'busy' : 'ok';
  return { text: parts.join(' · '), lines, level };
}

/** 12345 → "12,345", independent of the machine's locale (the tests compare text). */
export function formatCount(n: number): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
