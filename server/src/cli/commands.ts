// The `aros-lsp` commands. With no command (or `serve`) it is the language
// server on stdio; everything else answers from the same core in a shell.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from './args';

const HELP = `aros-lsp: a language server for the AROS C tree

Usage:
  aros-lsp [serve] [--stdio]          run the language server on stdin/stdout (default)
  aros-lsp index DIR [--json]         build or refresh the index of DIR and summarize it
  aros-lsp symbols DIR QUERY [--json] [--limit N]
                                      fuzzy-search symbols (exact, prefix, word segments, fuzzy)
  aros-lsp definition DIR NAME [--json]
                                      where NAME is defined (AROS library functions included)
  aros-lsp breadcrumbs DIR [--json] [--check]
                                      breadcrumb statistics, tasks and findings;
                                      --check exits 1 when there are errors
  aros-lsp models list [--json] [--config FILE]
                                      the model roles of config/models.json (plus FILE) and what
                                      their GGUF files are: architecture, context, FIM, chat template
  aros-lsp models pull [ROLE|REF] [--config FILE] [--no-progress]
                                      download the roles' hf:/http(s) model files (or one ROLE:
                                      codegen, llm; or one REF) into $AROS_LSP_MODEL_DIR, default
                                      ~/.cache/aros-lsp/models; an interrupted download resumes
  aros-lsp models check [ROLE] [--config FILE] [--threads N] [--json]
                                      load each role's model, generate a few tokens; print load
                                      time, first-token latency and tokens/s
  aros-lsp models run [--role codegen|llm] [--config FILE] [--threads N] [--max-tokens N] PROMPT
                                      stream one generation to stdout (llm: as a chat message)
  aros-lsp complete FILE:LINE:COL [--explain] [--root DIR] [--config FILE] [--threads N]
                                      the inline suggestion at a position (1-based line and column);
                                      --explain prints every prompt part, the windows and timings
  aros-lsp stats [DIR] [--json]       completion acceptance statistics (setting completionStats)
  aros-lsp iterate --workspace DIR (--project NAME | --file FILE --symbol NAME)
                  [--max-iterations N] [--max-retries N] [--apply] [--json] [--config FILE]
                                      the six-phase loop on the project's breadcrumb tasks: explore,
                                      reason, generate, review, compile (really), learn; exit 0 when
                                      a task succeeded, 1 when none did, 2 on a fatal error
  aros-lsp check FILE [--workspace DIR] [--json]
                                      the configured compiler on FILE (a scratch copy), gcc-style
                                      diagnostics; exit 1 when there are errors
  aros-lsp sessions list [DIR] | sessions show ID [DIR]
                                      the loop's session logs
  aros-lsp --version | --help

Index options (all commands taking DIR):
  --cache-dir DIR      where the index cache lives (default: ~/.cache/aros-lsp/<workspace>)
  --no-cache           neither read nor write the cache
  --workers N          parse threads (default: one per core)
  --max-file-bytes N   skip larger files (default 5242880)
  --exclude GLOBS      comma-separated gitignore-style patterns to leave out
  --verbose            log skipped files and cache decisions to stderr
  --no-progress        no progress bar on stderr
`;

export function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Runs one command; -1 for the server, which runs until the client says exit. */
export async function runCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.flags.has('version') || args.flags.has('v')) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (args.flags.has('help') || args.flags.has('h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const command = args.positionals[0] ?? 'serve';
  // A reader that stops early (`| head`) closes the pipe: the command ends quietly, as Unix tools do.
  // Not for the server, whose stdout is the protocol.
  if (command !== 'serve') {
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      process.exit(0);
    });
  }
  // Each command's modules are loaded when it runs: loading all of them (the
  // server, the model runtime) cost every command about 100 ms at start.
  switch (command) {
    case 'serve': {
      (require('../lsp/server') as typeof import('../lsp/server')).startServer({ version: packageVersion() });
      return -1;
    }
    case 'index':
      return (require('./indexCommand') as typeof import('./indexCommand')).indexCommand(args);
    case 'symbols':
      return (require('./queryCommands') as typeof import('./queryCommands')).symbolsCommand(args);
    case 'definition':
      return (require('./queryCommands') as typeof import('./queryCommands')).definitionCommand(args);
    case 'breadcrumbs':
      return (require('./breadcrumbsCommand') as typeof import('./breadcrumbsCommand')).breadcrumbsCommand(args);
    case 'models':
      return (require('./modelsCommand') as typeof import('./modelsCommand')).modelsCommand(args);
    case 'complete':
      return (require('./completeCommand') as typeof import('./completeCommand')).completeCommand(args);
    case 'iterate':
      return (require('./iterateCommand') as typeof import('./iterateCommand')).iterateCommand(args);
    case 'sessions':
      return (require('./sessionsCommand') as typeof import('./sessionsCommand')).sessionsCommand(args);
    case 'check':
      return (require('./checkCommand') as typeof import('./checkCommand')).checkCommand(args);
    case 'stats':
      return (require('./statsCommand') as typeof import('./statsCommand')).statsCommand(args);
    default:
      process.stderr.write(`aros-lsp: unknown command '${command}'\n\n${HELP}`);
      return 2;
  }
}
