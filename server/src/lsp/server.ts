// Wires the LSP connection to the feature modules. It decides nothing itself:
// each handler lives in the module named for its feature.

import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import {
  createConnection,
  DidChangeWatchedFilesNotification,
  ProposedFeatures,
  StreamMessageWriter,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { defaultSettings, type WorkspaceSettings } from '../config/workspaceSettings';
import { outsideProblem } from '../config/workspacePaths';
import { SettingsLayers, sameSettings } from './configuration';
import { WorkspaceSession } from '../index/workspaceSession';
import type { ServerContext } from './context';
import { uriToPath } from './convert';
import { publishOpenDocuments, publishWorkspace } from './diagnostics';
import { CompilerDiagnostics, checkDocument } from './compilerDiagnostics';
import { withProgress } from './withProgress';
import { AUTODOC_COMMAND, DRAFT_BREADCRUMB_COMMAND, draftBreadcrumb, writeAutodoc } from './autodocAction';
import { EXPLAIN_COMMANDS, REVIEW_SOURCE, VIRTUAL_SCHEME, VirtualDocuments, explainOrReview } from './explainAction';
import { documentSync, registerDocuments } from './documents';
import { indexWithProgress } from './indexing';
import { FrameReader } from './frameReader';
import { gateUntilInitialized } from './initGate';
import { registerNavigation } from './navigation';
import { LOOP_COMMANDS, codeActionCapability, registerCodeActions } from './codeActions';
import { invalid, requireString } from './params';
import { statusNotification } from './status';
import { registerSymbols } from './symbols';
import { recordEdit, registerCompletion } from './completion';
import { ServerModels } from './models';
import { loopTask, registerIteration, runWithProgress } from './iteration';
import { IterationService } from '../iteration/iterationService';
import { RecentEdits } from '../context/completionContext';
import type { AcceptanceStats } from '../completion/acceptanceStats';
import { ACCEPT_COMMAND, completionShownNotification, handleAccepted, handleShown, reopenStats } from './acceptance';
import { registerHealth } from './health';

export const COMMANDS = { checkBreadcrumbs: 'aros.checkBreadcrumbs', reindex: 'aros.reindex' } as const;
/** Compile a document's current text with the configured command and publish the diagnostics. */
const CHECK_FILE = 'aros.checkFile';

export interface ServeOptions {
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  version: string;
}

export function startServer(options: ServeOptions): void {
  const writer = new StreamMessageWriter(options.output ?? claimStdout());
  const stderrLog = (m: string): boolean => process.stderr.write(`[aros-lsp] ${m}\n`);
  const gate = gateUntilInitialized(new FrameReader(options.input ?? process.stdin, stderrLog), writer, stderrLog);
  const connection = createConnection(ProposedFeatures.all, gate.reader, gate.writer);
  let session: WorkspaceSession | undefined;
  let indexAbort = new AbortController();
  let watchDynamic = false;
  let indexable = false;
  let snippetSupport = false;
  let showDocumentSupport = false;
  let virtualDocuments: VirtualDocuments | undefined;
  let models: ServerModels | undefined;
  /** The settings in force (the session keeps those it indexed with). */
  let currentSettings: WorkspaceSettings = defaultSettings();
  let iteration: { service: IterationService; session: WorkspaceSession; settings: WorkspaceSettings } | undefined;
  const iterationService = (): IterationService | undefined => {
    if (!session || !indexable || !models) return undefined;
    if (iteration?.session !== session || iteration.settings !== currentSettings) {
      iteration = { service: new IterationService({ session, runtime: models.models(), settings: currentSettings, models: models.configuration, log }), session, settings: currentSettings };
    }
    return iteration.service;
  };
  let stats: AcceptanceStats | undefined;
  const recent = new RecentEdits();

  const log = (message: string): void => {
    process.stderr.write(`[aros-lsp] ${message}\n`);
    connection.console.log(message);
  };
  const compilerDiagnostics = new CompilerDiagnostics();
  const ctx: ServerContext = {
    connection,
    session: () => session,
    log,
    compilerDiagnostics,
    onEdited: (key, changes, text) => {
      recordEdit(recent, key, changes, text);
      compilerDiagnostics.clear(key);
    },
  };
  let layers: SettingsLayers | undefined;
  const warn = (problem: string): void => {
    log(problem);
    void connection.window.showWarningMessage(`aros-lsp: ${problem}`);
  };
  const makeSession = (root: string, settings: WorkspaceSettings): WorkspaceSession => {
    const created: WorkspaceSession = new WorkspaceSession(root, settings, {
      log,
      // The server will be asked for names while it indexes: keep them current as files arrive.
      eagerNames: true,
      onState: (state, message) => {
        // A replaced session's last words (its cancelled indexing) are not the server's state.
        if (created !== session) return;
        void connection.sendNotification(statusNotification, { component: 'index', state, message, files: created.index.fileCount });
      },
    });
    return created;
  };

  connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
    const root = workspaceRoot(params);
    if (root) {
      const fileSettings = await readWorkspaceSettingsFile(root);
      layers = new SettingsLayers(root, fileSettings.value, params.initializationOptions);
      const { settings, problems } = layers.resolve();
      for (const p of [...fileSettings.problems, ...problems]) warn(p);
      currentSettings = settings;
      session = makeSession(root, settings);
      stats = await reopenStats(stats, root, settings, log);
    } else {
      // No folder: open documents are still analysed and navigable; nothing is indexed or persisted.
      log('no workspace folder: serving open documents only');
      session = new WorkspaceSession(path.parse(process.cwd()).root, { ...defaultSettings(), workers: 0 }, { persist: false, workspace: false, log });
    }
    indexable = root !== undefined;
    models = new ServerModels(
      connection,
      { root, workspace: layers?.workspaceModels(), initialization: modelsOf(params.initializationOptions) },
      () => session?.index,
      log,
      warn,
    );
    snippetSupport = params.capabilities.textDocument?.completion?.completionItem?.snippetSupport === true;
    showDocumentSupport = params.capabilities.window?.showDocument?.support === true;
    // Clients that can ask for a document's content get explanations as read-only virtual documents.
    virtualDocuments = (params.capabilities.workspace as { textDocumentContent?: unknown } | undefined)?.textDocumentContent ? new VirtualDocuments() : undefined;
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
        completionProvider: { triggerCharacters: ['.', '>', '"', '<', '/', ':'], resolveProvider: true },
        inlineCompletionProvider: true,
        workspace: { textDocumentContent: { schemes: [VIRTUAL_SCHEME] } },
        codeActionProvider: codeActionCapability,
        executeCommandProvider: { commands: [...Object.values(COMMANDS), ACCEPT_COMMAND, ...Object.values(LOOP_COMMANDS), CHECK_FILE, AUTODOC_COMMAND, DRAFT_BREADCRUMB_COMMAND, ...Object.values(EXPLAIN_COMMANDS)] },
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
    if (session && indexable) void indexWithProgress(ctx, indexAbort.signal);
  });

  connection.onExecuteCommand(async (params, token) => {
    // Not String(command): an object whose own `toString` is not a function throws on conversion.
    if (typeof params?.command !== 'string') throw invalid('params.command must be a string');
    // Sent by the client when the user accepts an inline suggestion; needs no session.
    if (params.command === ACCEPT_COMMAND) return handleAccepted(stats, params.arguments);
    if (!session) return { error: 'no workspace folder is open' };
    switch (params?.command) {
      case LOOP_COMMANDS.implement:
      case LOOP_COMMANDS.run:
        return runWithProgress(ctx, iterationService, loopTask(params.arguments, params.command === LOOP_COMMANDS.implement), token);
      case LOOP_COMMANDS.fix: {
        const r = await runWithProgress(ctx, iterationService, loopTask(params.arguments, true), token);
        const t = r.results[0];
        // The fix is offered only when the code compiles without the error; otherwise the user hears why.
        if (t && t.status !== 'success') void connection.window.showInformationMessage(`aros-lsp: the error is not fixed: ${t.reason}`);
        return r;
      }
      case EXPLAIN_COMMANDS.explain:
      case EXPLAIN_COMMANDS.review:
        return withProgress(ctx, params.command === EXPLAIN_COMMANDS.review ? 'Reviewing the function' : 'Explaining the function', token, (t) => explainOrReview(
          ctx,
          {
            runtime: () => models?.models(),
            showDocumentSupport,
            virtualDocuments,
            setReview: (key, uri, diagnostics) => {
              compilerDiagnostics.set(key, diagnostics, REVIEW_SOURCE);
              publishOpenDocuments(ctx, session as WorkspaceSession, new Map([[key, uri]]));
            },
          },
          params.command === EXPLAIN_COMMANDS.review,
          params.arguments,
          t,
        ));
      case AUTODOC_COMMAND:
        return withProgress(ctx, 'Writing the AutoDoc', token, (t) => writeAutodoc(ctx, () => models?.models(), params.arguments, t));
      case DRAFT_BREADCRUMB_COMMAND:
        return withProgress(ctx, 'Drafting the breadcrumb', token, (t) => draftBreadcrumb(ctx, () => models?.models(), params.arguments, t));
      case CHECK_FILE:
        return checkDocument(ctx, compilerDiagnostics, currentSettings, params.arguments, token, (key, uri) => publishOpenDocuments(ctx, session as WorkspaceSession, new Map([[key, uri]])));
      case COMMANDS.checkBreadcrumbs:
        return publishWorkspace(ctx, session);
      case COMMANDS.reindex:
        if (!indexable) throw invalid('no workspace folder is open: there is nothing to index');
        indexAbort.abort();
        indexAbort = new AbortController();
        await indexWithProgress(ctx, indexAbort.signal);
        return session.lastSummary ?? null;
      default:
        throw invalid(`unknown command '${String(params?.command)}' (known: ${Object.values(COMMANDS).join(', ')})`);
    }
  });

  connection.onNotification(completionShownNotification, (params) => handleShown(stats, params));

  registerDocuments(ctx);
  registerSymbols(ctx);
  registerNavigation(ctx);
  registerCodeActions(ctx);
  registerCompletion(
    ctx,
    {
      engine: () => models?.engine(),
      snippets: () => snippetSupport,
      reportNoSuggestion: (reason) => models?.reportNoSuggestion(reason),
      stats: () => stats,
    },
    recent,
  );

  registerIteration(ctx, iterationService);
  registerHealth(connection);
  connection.workspace.textDocumentContent.on((params) => {
    const uri = requireString(params, 'uri');
    const text = virtualDocuments?.get(uri);
    if (text === undefined) throw invalid(`no such document: ${uri}`);
    return { text };
  });

  let shutdownReceived = false;
  // New settings that change anything start a fresh session (open documents carried over) and re-index.
  connection.onDidChangeConfiguration(async (params) => {
    if (!indexable || !session || !layers || !layers.updateFromClient(params?.settings)) return;
    await models?.updateClient(layers.clientModels());
    const { settings, problems } = layers.resolve();
    for (const p of problems) warn(p);
    stats = await reopenStats(stats, session.root, settings, log);
    currentSettings = settings;
    // Statistics and loop settings are not the index's business: changing them must not re-index.
    if (sameSettings(settings, session.settings)) return;
    const old = session;
    indexAbort.abort();
    indexAbort = new AbortController();
    session = makeSession(old.root, settings);
    for (const doc of old.documents.all()) session.documents.open(doc.path, doc.version, doc.text);
    await old.dispose();
    log('settings changed: re-indexing');
    void indexWithProgress(ctx, indexAbort.signal);
  });

  connection.onShutdown(async () => {
    shutdownReceived = true;
    indexAbort.abort();
    await Promise.all([session?.dispose(), models?.dispose(), stats?.flush()]);
  });

  // The client closed our input (it quit or crashed without `exit`): end like `exit` would, 0 after
  // `shutdown` and 1 otherwise. vscode-languageserver only does this for streams it opened itself,
  // and its parent-process watchdog would otherwise keep an orphaned server alive for good.
  if (!options.input) {
    let ending = false;
    const onEnd = (): void => {
      if (ending) return;
      ending = true;
      indexAbort.abort();
      void Promise.all(shutdownReceived ? [] : [session?.dispose(), models?.dispose(), stats?.flush()])
        .catch(() => undefined)
        .finally(() => process.exit(shutdownReceived ? 0 : 1));
    };
    process.stdin.on('end', onEnd);
    process.stdin.on('close', onEnd);
  }

  // One bad request must not end the session: report it and keep serving.
  process.on('uncaughtException', (err) => log(`internal error: ${err.stack ?? err.message}`));
  process.on('unhandledRejection', (err) => log(`internal error: ${String((err as Error)?.stack ?? err)}`));

  connection.listen();
}

function modelsOf(options: unknown): unknown {
  return typeof options === 'object' && options !== null ? (options as Record<string, unknown>).models : undefined;
}

function workspaceRoot(params: InitializeParams): string | undefined {
  // Fields of the wrong type (a client's bug) count as absent.
  const first: unknown = Array.isArray(params.workspaceFolders) ? (params.workspaceFolders[0] as { uri?: unknown } | null | undefined)?.uri : undefined;
  const folder = typeof first === 'string' ? first : typeof params.rootUri === 'string' ? params.rootUri : undefined;
  if (folder) return uriToPath(folder);
  return typeof params.rootPath === 'string' && params.rootPath ? path.resolve(params.rootPath) : undefined;
}

async function readWorkspaceSettingsFile(root: string): Promise<{ value?: unknown; problems: string[] }> {
  const file = path.join(root, 'aros-lsp.json');
  // A settings file that is a symlink out of the workspace is not the workspace's to give.
  const outside = outsideProblem(root, file);
  if (outside) return { problems: [`aros-lsp.json ${outside}; it is ignored`] };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { problems: [] };
  }
  try {
    return { value: JSON.parse(text), problems: [] };
  } catch (err) {
    return { problems: [`aros-lsp.json is not valid JSON (${(err as Error).message}); using defaults`] };
  }
}

/**
 * stdout carries the protocol, so nothing else may write there: the protocol gets a private
 * handle on it, and process.stdout.write goes to stderr. That covers console output (ours or a
 * dependency's; vscode-languageserver redirects the console only for streams it opens itself)
 * and the stdout of worker threads, which Node pipes into process.stdout.
 */
function claimStdout(): NodeJS.WritableStream {
  const stdout = process.stdout;
  const write = stdout.write.bind(stdout) as (chunk: Uint8Array, callback: (err?: Error | null) => void) => boolean;
  const protocol = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      write(chunk, (err) => callback(err ?? undefined));
    },
  });
  stdout.on('error', (err) => protocol.destroy(err));
  stdout.write = ((...args: Parameters<typeof process.stderr.write>) => process.stderr.write(...args)) as typeof stdout.write;
  return protocol;
}
