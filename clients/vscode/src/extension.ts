// The VS Code client of aros-lsp: starts the server over stdio with
// vscode-languageclient, forwards the `aros-lsp` settings, shows `aros/status`
// in the status bar and drives the loop (`aros/runIteration`) with progress,
// cancellation and a live output channel. Everything that needs no `vscode`
// lives in the small modules beside this one, where the tests reach it.

import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  NotificationType,
  RequestType,
  State,
  TransportKind,
  WorkDoneProgress,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { CLIENT_ID, COMMANDS, SECTION, type CommandName } from './commands';
import { findGgufFiles, listSessionFiles } from './files';
import { EventFormatter, formatResult, ProgressTracker } from './iterationEvents';
import { METHODS, type IterationResult, type ModelRole, type RunIterationParams, type StatusParams } from './protocol';
import { describeCommand, resolveServerCommand, stderrLevel } from './serverCommand';
import {
  effectiveCacheDir,
  isPlainObject,
  modelCacheDir,
  modelPathOf,
  pickServerSettings,
  realPathOf,
  removedPaths,
  SERVER_SETTING_KEYS,
  sessionsDir,
  withModelPath,
  workspaceFileSetting,
  workspaceRelative,
  type ServerSettingKey,
} from './settings';
import { applyStatus, emptyBoard, summarizeStatus, withClientState, type StatusBoard } from './status';
import { enclosingSymbol, type SymbolLike } from './symbols';

const statusNotification = new NotificationType<StatusParams>(METHODS.status);
const iterationEventNotification = new NotificationType<unknown>(METHODS.iterationEvent);
const runIterationRequest = new RequestType<RunIterationParams, IterationResult, void>(METHODS.runIteration);

/** The bundled server, if a packaging step put one into the extension. */
const BUNDLED_SERVER = path.join('server', 'out', 'cli', 'main.js');

let controller: Controller | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  controller = new Controller(context);
  await controller.start();
}

export async function deactivate(): Promise<void> {
  await controller?.dispose();
  controller = undefined;
}

class Controller {
  private client: LanguageClient | undefined;
  private board: StatusBoard = emptyBoard();
  /** What the running server got as initializationOptions (see `removedPaths`). */
  private initialSettings: Record<string, unknown> = {};
  /** The loop run in progress: the server's events carry no run id, so one at a time. */
  private loop: { onEvent: (e: unknown) => void } | undefined;
  private lifecycle: Promise<void> = Promise.resolve();
  private readonly serverLog: vscode.LogOutputChannel;
  private readonly loopLog: vscode.OutputChannel;
  private readonly item: vscode.StatusBarItem;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.serverLog = vscode.window.createOutputChannel('AROS language server', { log: true });
    this.loopLog = vscode.window.createOutputChannel('AROS loop');
    this.item = vscode.window.createStatusBarItem('aros-lsp.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'AROS language server';
    this.item.command = COMMANDS.showStatus;
    this.render();
    this.item.show();
    context.subscriptions.push(this.serverLog, this.loopLog, this.item);

    // Every command in COMMANDS has exactly one handler: the type of this table says so.
    const handlers: Record<CommandName, () => Promise<unknown>> = {
      runLoopOnProject: () => this.runLoopOnProject(),
      runLoopOnTask: () => this.runLoopOnTask(),
      openSessionLogs: () => this.openSessionLogs(),
      chooseModels: () => this.chooseModels(),
      restartServer: () => this.restart('restart requested'),
      showStatus: () => this.showStatus(),
    };
    for (const name of Object.keys(handlers) as CommandName[]) {
      context.subscriptions.push(vscode.commands.registerCommand(COMMANDS[name], () => this.guard(handlers[name])));
    }
    context.subscriptions.push(
      vscode.workspace.onDidChangeConfiguration((e) => void this.guard(() => this.configurationChanged(e))),
      vscode.workspace.onDidGrantWorkspaceTrust(() => void this.guard(() => this.sendSettings())),
    );
  }

  // --- the server --------------------------------------------------------

  start(): Promise<void> {
    return this.serialized(() => this.launch());
  }

  private async launch(): Promise<void> {
    const cfg = vscode.workspace.getConfiguration(SECTION);
    const root = workspaceRoot();
    const bundled = this.context.asAbsolutePath(BUNDLED_SERVER);
    const server = resolveServerCommand({
      configured: cfg.get<unknown>('server.command'),
      bundledMain: existsSync(bundled) ? bundled : undefined,
      workspaceFolder: root,
      userHome: os.homedir(),
    });
    if (server.problem) void vscode.window.showWarningMessage(`AROS: ${server.problem}; using ${describeCommand(server)}.`);
    this.serverLog.info(`starting the server (${server.source}): ${describeCommand(server)}`);

    const serverOptions: ServerOptions = {
      command: server.command,
      args: server.args,
      // `--stdio` is appended by the client library; `aros-lsp --stdio` is the server on stdio.
      transport: TransportKind.stdio,
      options: { cwd: root ?? os.homedir(), env: process.env },
    };
    this.initialSettings = this.serverSettings();
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'c' },
        // AROS headers are C, but VS Code opens `.h` files as C++ by default.
        { scheme: 'file', pattern: '**/*.h' },
      ],
      // No `synchronize.configurationSection`: it would send the whole section, our own keys and
      // VS Code's defaults included; configurationChanged sends only the values the user set.
      initializationOptions: this.initialSettings,
      outputChannel: this.serverLog,
      stdioOptions: {
        // Only used by non-stdio transports (stdout is the protocol here); as the library does it.
        stdout: (input, channel) => createInterface({ input, crlfDelay: Infinity }).on('line', (l) => channel.info(l)),
        stderr: (input, channel) => createInterface({ input, crlfDelay: Infinity }).on('line', (l) => channel[stderrLevel(l)](l)),
      },
      progressOnInitialization: true,
    };
    // `workspace/textDocumentContent` (the server's read-only `aros-lsp:` documents) is
    // a feature of vscode-languageclient 10: it registers a content provider for the
    // schemes the server names, so no document selector is needed for them.
    const client = new LanguageClient(CLIENT_ID, 'AROS language server', serverOptions, clientOptions);
    this.client = client;
    this.board = emptyBoard('starting', root !== undefined);
    this.render();
    client.onDidChangeState((e) => {
      if (this.client !== client) return;
      this.board = withClientState(this.board, e.newState === State.Running ? 'running' : e.newState === State.Starting ? 'starting' : 'stopped');
      this.render();
    });
    client.onNotification(statusNotification, (p) => {
      if (this.client !== client) return;
      this.board = applyStatus(this.board, p);
      this.render();
    });
    // Runs started elsewhere (the code actions' commands) are logged too, without taking the focus.
    const ambient = new EventFormatter();
    client.onNotification(iterationEventNotification, (e) => (this.loop ? this.loop.onEvent(e) : this.loopLog.append(ambient.format(e))));
    try {
      await client.start();
    } catch (err) {
      this.board = withClientState(this.board, 'stopped');
      this.render();
      // Not awaited: activation must not wait for the user to dismiss a message.
      void vscode.window
        .showErrorMessage(
          `AROS: the server did not start (${describeCommand(server)}): ${message(err)}. Install it (npm link in the aros-lsp checkout) or set aros-lsp.server.command.`,
          'Open settings',
          'Show log',
        )
        .then((action) => {
          if (action === 'Open settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'aros-lsp.server.command');
          if (action === 'Show log') this.serverLog.show();
        });
    }
  }

  private async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      // A hung server must not hang the restart: give it two seconds to shut down.
      await client.dispose(2000);
    } catch (err) {
      this.serverLog.warn(`stopping the server: ${message(err)}`);
    }
  }

  restart(reason: string): Promise<void> {
    return this.serialized(async () => {
      this.serverLog.info(`restarting the server: ${reason}`);
      await this.stop();
      await this.launch();
    });
  }

  dispose(): Promise<void> {
    return this.serialized(() => this.stop());
  }

  /** Starts, stops and restarts one after another: two quick setting changes must not leave two servers. */
  private serialized(fn: () => Promise<void>): Promise<void> {
    const next = this.lifecycle.then(fn, fn);
    this.lifecycle = next.catch(() => undefined);
    return next;
  }

  private serverSettings(): Record<string, unknown> {
    const cfg = vscode.workspace.getConfiguration(SECTION);
    return pickServerSettings((key: ServerSettingKey) => cfg.inspect(key), vscode.workspace.isTrusted);
  }

  private async configurationChanged(e: vscode.ConfigurationChangeEvent): Promise<void> {
    if (!e.affectsConfiguration(SECTION)) return;
    if (e.affectsConfiguration(`${SECTION}.server.command`)) return this.restart('aros-lsp.server.command changed');
    // trace.server is the client library's own business; nothing to send for it.
    if (!SERVER_SETTING_KEYS.some((k) => e.affectsConfiguration(`${SECTION}.${k}`))) return;
    const settings = this.serverSettings();
    const removed = removedPaths(this.initialSettings, settings);
    // The server layers initializationOptions under didChangeConfiguration: a removed value would stay.
    if (removed.length) return this.restart(`setting(s) removed: ${removed.join(', ')}`);
    await this.sendSettings(settings);
  }

  private async sendSettings(settings = this.serverSettings()): Promise<void> {
    const client = this.client;
    if (!client?.isRunning()) return;
    await client.sendNotification(DidChangeConfigurationNotification.type, { settings: { [SECTION]: settings } });
  }

  private async runningClient(): Promise<LanguageClient | undefined> {
    if (this.client?.isRunning()) return this.client;
    const action = await vscode.window.showErrorMessage('AROS: the language server is not running.', 'Restart server', 'Show log');
    if (action === 'Restart server') await this.restart('restart requested');
    if (action === 'Show log') this.serverLog.show();
    return this.client?.isRunning() ? this.client : undefined;
  }

  // --- status --------------------------------------------------------------

  private render(): void {
    const s = summarizeStatus(this.board);
    this.item.text = s.text;
    this.item.tooltip = `${s.lines.join('\n')}\n\nClick for details`;
    this.item.backgroundColor =
      s.level === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : s.level === 'stopped' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  private async showStatus(): Promise<void> {
    const s = summarizeStatus(this.board);
    type Item = vscode.QuickPickItem & { run?: () => Thenable<unknown> };
    const items: Item[] = [
      ...s.lines.map((line): Item => ({ label: line })),
      { label: '', kind: vscode.QuickPickItemKind.Separator },
      { label: '$(output) Show the server log', run: async () => this.serverLog.show() },
      { label: '$(debug-restart) Restart server', run: () => this.restart('restart requested') },
      { label: '$(file-binary) Choose models', run: () => this.chooseModels() },
      { label: '$(history) Open session logs', run: () => this.openSessionLogs() },
      { label: '$(settings-gear) Settings', run: () => vscode.commands.executeCommand('workbench.action.openSettings', SECTION) },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: 'AROS language server', placeHolder: s.text.replace(/\$\([^)]*\)\s*/g, '') });
    await pick?.run?.();
  }

  // --- the loop --------------------------------------------------------------

  private async runLoopOnProject(): Promise<void> {
    const root = requireRoot();
    if (!root) return;
    const names = new Set<string>();
    const fromSettings = this.serverSettings().projects;
    if (isPlainObject(fromSettings)) for (const k of Object.keys(fromSettings)) names.add(k);
    const fileProjects = workspaceFileSetting(await readWorkspaceFile(root), 'projects');
    if (isPlainObject(fileProjects)) for (const k of Object.keys(fileProjects)) names.add(k);
    const other = '$(edit) Another project name or directory…';
    const picked = names.size ? await vscode.window.showQuickPick([...[...names].sort(), other], { title: 'AROS: run the loop on a project' }) : other;
    if (picked === undefined) return;
    const project =
      picked === other
        ? await vscode.window.showInputBox({
            title: 'AROS: run the loop on a project',
            prompt: 'A project name from the `projects` setting, or a workspace-relative directory (radeonsi finds workbench/hidds/radeonsi)',
            validateInput: (v) => (v.trim() === '' || v.includes('..') ? 'a name or a relative path inside the workspace' : undefined),
          })
        : picked;
    if (!project) return;
    const apply = await askApply();
    if (apply === undefined) return;
    await this.runLoop({ project: project.trim(), apply }, `project ${project.trim()}`);
  }

  private async runLoopOnTask(): Promise<void> {
    const root = requireRoot();
    const editor = vscode.window.activeTextEditor;
    if (!root) return;
    if (!editor || editor.document.uri.scheme !== 'file') {
      void vscode.window.showWarningMessage('AROS: put the cursor in a function of a C file first.');
      return;
    }
    const file = workspaceRelative(root, editor.document.uri.fsPath);
    if (!file) {
      void vscode.window.showWarningMessage(`AROS: ${editor.document.uri.fsPath} is outside the workspace ${root}.`);
      return;
    }
    const raw = await vscode.commands.executeCommand<Array<vscode.DocumentSymbol | vscode.SymbolInformation> | undefined>('vscode.executeDocumentSymbolProvider', editor.document.uri);
    const symbols: SymbolLike[] = (raw ?? []).map((s) => ('location' in s ? { name: s.name, kind: s.kind, range: s.location.range } : s));
    const fn = enclosingSymbol(symbols, editor.selection.active, (k) => k === vscode.SymbolKind.Function || k === vscode.SymbolKind.Method);
    if (!fn) {
      void vscode.window.showWarningMessage('AROS: no function at the cursor (the loop works on one function at a time).');
      return;
    }
    const apply = await askApply();
    if (apply === undefined) return;
    // The server reads the breadcrumb for the description; one task is one iteration.
    await this.runLoop({ task: { file, symbol: fn.name }, maxIterations: 1, apply }, `${fn.name} in ${file}`);
  }

  private async runLoop(params: RunIterationParams, what: string): Promise<void> {
    if (this.loop) {
      void vscode.window.showWarningMessage('AROS: a loop is already running; cancel it from its notification first.');
      return;
    }
    const client = await this.runningClient();
    if (!client) return;
    const formatter = new EventFormatter();
    const log = this.loopLog;
    this.loop = { onEvent: (e) => log.append(formatter.format(e)) };
    log.show(true);
    log.appendLine(`\n>>> ${new Date().toLocaleString()}: the loop on ${what}${params.apply ? ' (the result is applied)' : ' (preview: nothing is written)'}`);
    const workDoneToken = `aros-loop-${randomUUID()}`;
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `AROS loop: ${what}`, cancellable: true },
        async (progress, cancel) => {
          const tracker = new ProgressTracker();
          // The server reports "Iteration 2/10 · compile" on the token we chose.
          const sub = client.onProgress(WorkDoneProgress.type, workDoneToken, (v) => progress.report(tracker.next(v)));
          try {
            // Cancelling the notification cancels the token, which sends $/cancelRequest.
            return await client.sendRequest(runIterationRequest, { ...params, workDoneToken }, cancel);
          } catch (err) {
            if (cancel.isCancellationRequested) return undefined;
            throw err;
          } finally {
            sub.dispose();
          }
        },
      );
      log.append(formatter.flush());
      if (!result) {
        log.appendLine('=== Cancelled.');
        void vscode.window.showInformationMessage('AROS loop cancelled.');
        return;
      }
      const { lines, message: summary } = formatResult(result);
      for (const line of lines) log.appendLine(line);
      const bad = result.summary.failed > 0 || (result.summary.total > 0 && result.summary.successful === 0 && result.summary.cancelled === 0);
      const action = await (bad ? vscode.window.showWarningMessage : vscode.window.showInformationMessage)(summary, 'Show output', 'Open session logs');
      if (action === 'Show output') log.show();
      if (action === 'Open session logs') await this.openSessionLogs();
    } catch (err) {
      log.append(formatter.flush());
      log.appendLine(`=== Failed: ${message(err)}`);
      void vscode.window.showErrorMessage(`AROS loop failed: ${message(err)}`);
    } finally {
      this.loop = undefined;
    }
  }

  // --- session logs and models --------------------------------------------

  private async openSessionLogs(): Promise<void> {
    const root = requireRoot();
    if (!root) return;
    const dir = sessionsDir(effectiveCacheDir(root, this.serverSettings().cacheDir, await readWorkspaceFile(root)));
    const sessions = await listSessionFiles(dir);
    if (!sessions.length) {
      void vscode.window.showInformationMessage(`AROS: no session logs yet in ${dir} (every run of the loop writes one).`);
      return;
    }
    type Item = vscode.QuickPickItem & { file?: string };
    const reveal: Item = { label: '$(folder-opened) Reveal the sessions folder' };
    const items: Item[] = sessions.map((s) => ({
      label: s.id,
      description: `${s.outcome}${s.subject ? ` · ${s.subject}` : ''}`,
      detail: `${(s.bytes / 1024).toFixed(1)} KB`,
      file: s.file,
    }));
    const pick = await vscode.window.showQuickPick([...items, reveal], { title: `AROS session logs (${dir})`, matchOnDescription: true });
    if (!pick) return;
    if (pick === reveal) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(sessions[0].file));
    else if (pick.file) await vscode.window.showTextDocument(vscode.Uri.file(pick.file), { preview: true });
  }

  private async chooseModels(): Promise<void> {
    const cfg = vscode.workspace.getConfiguration(SECTION);
    const userModels = cfg.inspect<unknown>('models')?.globalValue;
    const effective = this.serverSettings().models;
    const roles: Array<vscode.QuickPickItem & { role: ModelRole }> = [
      { role: 'codegen', label: 'codegen', description: modelPathOf(effective, 'codegen') ?? 'default (config/models.json)', detail: 'fill-in-the-middle: inline completion, code generation' },
      { role: 'llm', label: 'llm', description: modelPathOf(effective, 'llm') ?? 'default (config/models.json)', detail: 'instruction model: planning, review, prose' },
    ];
    const role = await vscode.window.showQuickPick(roles, { title: 'AROS: choose the model for a role' });
    if (!role) return;

    const cacheDir = modelCacheDir();
    const files = new Set<string>(await findGgufFiles(cacheDir));
    for (const uri of await vscode.workspace.findFiles('**/*.gguf', '**/node_modules/**', 200)) files.add(uri.fsPath);
    type Item = vscode.QuickPickItem & { value?: string | null };
    const browse: Item = { label: '$(folder-opened) Browse…' };
    const reset: Item = { label: '$(discard) Use the default', description: 'remove the setting', value: null };
    const items: Item[] = [...files].sort().map((f) => ({ label: path.basename(f), description: path.dirname(f), value: f }));
    const pick = await vscode.window.showQuickPick([...items, browse, reset], {
      title: `AROS: GGUF file for ${role.role}`,
      placeHolder: items.length ? undefined : `no .gguf files in ${cacheDir} or the workspace (aros-lsp models pull fetches the defaults)`,
      matchOnDescription: true,
    });
    if (!pick) return;
    let value = pick.value;
    if (pick === browse) {
      const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'GGUF models': ['gguf'] }, title: `GGUF file for ${role.role}` });
      if (!chosen?.[0]) return;
      value = chosen[0].fsPath;
    }
    // User settings: a model is a machine's choice, and writing there needs no trusted workspace.
    await cfg.update('models', withModelPath(userModels, role.role, value ?? undefined), vscode.ConfigurationTarget.Global);
    void vscode.window.showInformationMessage(value ? `AROS: ${role.role} uses ${value}.` : `AROS: ${role.role} uses its default model.`);
  }

  // --- helpers -----------------------------------------------------------------

  /** Runs a command handler; an exception becomes a message instead of vanishing. */
  private async guard(fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.serverLog.error(message(err));
      void vscode.window.showErrorMessage(`AROS: ${message(err)}`);
    }
  }
}

function workspaceRoot(): string | undefined {
  // The server indexes one root: the first folder, as it is sent in `rootUri`.
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
}

function requireRoot(): string | undefined {
  const root = workspaceRoot();
  if (!root) void vscode.window.showWarningMessage('AROS: open the AROS tree as a folder first.');
  return root;
}

async function readWorkspaceFile(root: string): Promise<string | undefined> {
  const file = path.join(root, 'aros-lsp.json');
  // Like the server: a settings file that is a symlink out of the workspace is not the workspace's.
  if (!workspaceRelative(realPathOf(root), realPathOf(file))) return undefined;
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function askApply(): Promise<boolean | undefined> {
  const items = [
    { label: 'Preview', description: 'show the result; write nothing', apply: false },
    { label: 'Apply', description: 'apply the edit if the files did not change during the run', apply: true },
  ];
  return (await vscode.window.showQuickPick(items, { title: 'AROS: what to do with the result' }))?.apply;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
