// A model-backed command shown as `$/progress` while it runs, cancellable
// from the progress (the request's own `$/cancelRequest` works too).

import type { CancellationToken } from 'vscode-languageserver/node';
import type { ServerContext } from './context';

export async function withProgress<T>(ctx: ServerContext, title: string, token: CancellationToken, work: (token: CancellationToken) => Promise<T>): Promise<T> {
  const progress = await ctx.connection.window.createWorkDoneProgress();
  progress.begin(title, undefined, 'asking the model', true);
  let cancelled = token.isCancellationRequested;
  const listeners: Array<() => void> = [];
  const merged: CancellationToken = {
    get isCancellationRequested() {
      return cancelled || token.isCancellationRequested;
    },
    onCancellationRequested: (listener: () => void) => {
      listeners.push(listener);
      return token.onCancellationRequested(listener);
    },
  } as CancellationToken;
  progress.token.onCancellationRequested(() => {
    cancelled = true;
    for (const l of listeners) l();
  });
  try {
    return await work(merged);
  } finally {
    progress.done();
  }
}
