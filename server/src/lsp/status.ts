// The `aros/status` notification: what the server is doing, in words, so a
// client never has to guess why nothing happens.

import { NotificationType } from 'vscode-languageserver/node';

export type StatusState = 'loading' | 'indexing' | 'ready' | 'busy' | 'error' | 'unloaded';

export interface StatusParams {
  state: StatusState;
  message: string;
  /** Which part of the server the status is about. */
  component: 'index' | 'model';
  /** For component 'model': which role. */
  role?: 'codegen' | 'llm';
  files?: number;
}

export const statusNotification = new NotificationType<StatusParams>('aros/status');
