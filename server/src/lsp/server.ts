// Wires the LSP connection to the feature modules. It decides nothing itself:
// each handler lives in the module named for its feature.

import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  createConnection,
  DidChangeWatchedFilesNotification,
  ProposedFeatures,
  StreamMessageReader,
  StreamMessageWriter,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { resolveSettings } from '../config/workspaceSettings';
import { WorkspaceSession } from '../index/workspaceSession';
import type { ServerContext } from './context';
import { uriToPath } from './convert';
import { publishWorkspace } from './diagnostics';
import { documentSync, registerDocuments } from './documents';
import { indexWithProgress } from './indexing';
import { registerNavigation } from './navigation';
import { statusNotification } from './status';
import { registerSymbols } from './symbols';

export const COMMANDS = { checkBreadcrumbs: 'aros.checkBreadcrumbs', reindex: 'aros.reindex' } as const;

export interface ServeOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  version: string;
}

export function startServer(options: ServeOptions): void {
  const connection = createConnection(
    ProposedFeatures.all,
    new StreamMessageReader(options.input ?? process.stdin),
    new StreamMessageWriter(options.output ?? process.stdout),
  );
  let session: WorkspaceSession | undefined;
  let indexAbort = new AbortController();
  let watchDynamic = false;

  const log = (message: string): void => {
    process.stderr.write(`[aros-lsp] ${message}\n`);
    connection.console.log(message);
  };
  const ctx: ServerContext = { connection, session: () => session, log };

  connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
    const root = workspaceRoot(params);
    if (root) {
      const fileSettings = await readWorkspaceSettingsFile(root);
      const { settings, problems } = resolveSettings(root, [
        { value: fileSettings.value, source: 'workspace', origin: 'aros-lsp.json' },
        { value: params.initializationOptions, source: 'user', origin: 'initializationOptions' },
      ]);
      for (const p of [...fileSettings.problems, ...problems]) {
        log(p);
        void connection.window.showWarningMessage(`aros-lsp: ${p}`);
      }
      session = new WorkspaceSession(root, settings, {
        log,
        onState: (state, message) => {
          void connection.sendNotification(statusNotification, { component: 'index', state, message, files: session?.index.fileCount });
        },
      });
    } else {
      log('no workspace folder: serving open documents only');
    }
    watchDynamic = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: documentSync },
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        definitionProvider: true,
        declarationProvider: true,
        referencesProvider: true,
        hoverProvider: true,
        executeCommandProvider: { commands: Object.values(COMMANDS) },
      },
      serverInfo: { name: 'aros-lsp', version: options.version },
    };
  });

  connection.onInitialized(() => {
    if (watchDynamic) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/*.{c,h,conf}' }],
      });
    }
    if (session) void indexWithProgress(ctx, indexAbort.signal);
  });

  connection.onExecuteCommand(async (params) => {
    if (!session) return { error: 'no workspace folder is open' };
    switch (params?.command) {
      case COMMANDS.checkBreadcrumbs:
        return publishWorkspace(ctx, session);
      case COMMANDS.reindex:
        indexAbort.abort();
        indexAbort = new AbortController();
        await indexWithProgress(ctx, indexAbort.signal);
        return session.lastSummary ?? null;
      default:
        throw new Error(`unknown command '${String(params?.command)}'`);
    }
  });

  registerDocuments(ctx);
  registerSymbols(ctx);
  registerNavigation(ctx);

  connection.onShutdown(async () => {
    indexAbort.abort();
    await session?.dispose();
  });

  // One bad request must not end the session: report it and keep serving.
  process.on('uncaughtException', (err) => log(`internal error: ${err.stack ?? err.message}`));
  process.on('unhandledRejection', (err) => log(`internal error: ${String((err as Error)?.stack ?? err)}`));

  connection.listen();
}

function workspaceRoot(params: InitializeParams): string | undefined {
  const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
  if (folder) return uriToPath(folder);
  return params.rootPath ? path.resolve(params.rootPath) : undefined;
}

async function readWorkspaceSettingsFile(root: string): Promise<{ value?: unknown; problems: string[] }> {
  let text: string;
  try {
    text = await readFile(path.join(root, 'aros-lsp.json'), 'utf8');
  } catch {
    return { problems: [] };
  }
  try {
    return { value: JSON.parse(text), problems: [] };
  } catch (err) {
    return { problems: [`aros-lsp.json is not valid JSON (${(err as Error).message}); using defaults`] };
  }
}
