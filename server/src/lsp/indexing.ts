// Runs workspace indexing for the server: `$/progress` with file counts and
// `aros/status` for the state, both throttled so a fast index does not flood.

import type { IndexProgress } from '../index/indexer';
import type { ServerContext } from './context';
import { statusNotification } from './status';

const REPORT_EVERY_MS = 150;

export async function indexWithProgress(ctx: ServerContext, signal: AbortSignal): Promise<void> {
  const session = ctx.session();
  if (!session) return;
  const reporter = await ctx.connection.window.createWorkDoneProgress();
  // The progress is cancellable: the user's cancel stops this run (the index keeps what it has).
  const cancel = new AbortController();
  const stop = (): void => cancel.abort();
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  reporter.begin('Indexing AROS sources', 0, 'listing files', true);
  reporter.token?.onCancellationRequested?.(stop);
  let last = 0;
  const onProgress = (p: IndexProgress): void => {
    const now = Date.now();
    if (now - last < REPORT_EVERY_MS && p.done < p.total) return;
    last = now;
    if (p.phase === 'parse') {
      // While the tree is still listed the total grows: no percentage that would go back.
      if (p.listing) reporter.report(`${p.done}/${p.total} files (still listing)`);
      else reporter.report(p.total ? Math.floor((p.done / p.total) * 100) : 100, `${p.done}/${p.total} files`);
      void ctx.connection.sendNotification(statusNotification, {
        component: 'index',
        state: 'indexing',
        message: `indexing ${p.done}/${p.total} files`,
        files: session.index.fileCount,
      });
    } else {
      reporter.report(p.phase === 'save' ? 'saving the cache' : 'listing files');
    }
  };
  try {
    const summary = await session.indexWorkspace({ signal: cancel.signal, onProgress });
    ctx.log(
      `indexed ${summary.files} files in ${summary.elapsedMs} ms: ${summary.parsed} parsed, ${summary.reused} reused, ` +
        `${summary.skipped.length} skipped; ${summary.libraryFunctions} library functions, ${summary.hooks} hooks; cache: ${summary.cache}`,
    );
  } catch (err) {
    ctx.log(`indexing stopped: ${(err as Error).message}`);
  } finally {
    signal.removeEventListener('abort', stop);
    reporter.done();
  }
}
