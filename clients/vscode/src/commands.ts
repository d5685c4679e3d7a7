// Command ids. The extension registers every entry of COMMANDS (one handler
// each, checked by the type of the handler table in extension.ts);
// SERVER_COMMANDS are registered by vscode-languageclient from the server's
// executeCommandProvider and only contributed here so that they show in the
// command palette. package.json must name exactly these (the test checks it).

export const COMMANDS = {
  runLoopOnProject: 'aros-lsp.runLoopOnProject',
  runLoopOnTask: 'aros-lsp.runLoopOnTask',
  openSessionLogs: 'aros-lsp.openSessionLogs',
  chooseModels: 'aros-lsp.chooseModels',
  restartServer: 'aros-lsp.restartServer',
  showStatus: 'aros-lsp.showStatus',
} as const;

export type CommandName = keyof typeof COMMANDS;

export const SERVER_COMMANDS = {
  checkBreadcrumbs: 'aros.checkBreadcrumbs',
  reindex: 'aros.reindex',
} as const;

/** The client id: also the prefix of the trace setting vscode-languageclient reads (`aros-lsp.trace.server`). */
export const CLIENT_ID = 'aros-lsp';
/** The configuration section the server reads (`workspace/didChangeConfiguration` under `aros-lsp`). */
export const SECTION = 'aros-lsp';
