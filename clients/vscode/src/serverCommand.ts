// Which program runs the server: the `aros-lsp.server.command` setting, else
// a server bundled with the extension, else `aros-lsp` on PATH.

export interface ServerCommandInput {
  /** The setting as read; anything but a non-empty array of non-empty strings is reported and ignored. */
  configured: unknown;
  /** The bundled server's `out/cli/main.js`, when the extension ships one. */
  bundledMain?: string;
  /** Values for `${workspaceFolder}` and `${userHome}` (and a leading `~/`). */
  workspaceFolder?: string;
  userHome: string;
}

export interface ServerCommand {
  command: string;
  args: string[];
  source: 'setting' | 'bundled' | 'path';
  /** Why the setting was not used, when it was set but invalid. */
  problem?: string;
}

export const SERVER_ON_PATH = 'aros-lsp';

export function resolveServerCommand(input: ServerCommandInput): ServerCommand {
  let problem: string | undefined;
  const c = input.configured;
  const isEmpty = c === undefined || c === null || (Array.isArray(c) && c.length === 0);
  if (!isEmpty) {
    if (Array.isArray(c) && c.every((x): x is string => typeof x === 'string' && x !== '')) {
      const argv = c.map((a) => substitute(a, input));
      if (argv.some((a) => a.includes('${workspaceFolder}'))) problem = 'aros-lsp.server.command uses ${workspaceFolder} but no folder is open';
      else return { command: argv[0], args: argv.slice(1), source: 'setting' };
    } else {
      problem = `aros-lsp.server.command must be an array of non-empty strings, e.g. ["aros-lsp"]; got ${JSON.stringify(c)}`;
    }
  }
  // `node` from PATH, not VS Code's own runtime: the server's native modules are built for Node.
  if (input.bundledMain) return { command: 'node', args: [input.bundledMain], source: 'bundled', ...(problem ? { problem } : {}) };
  return { command: SERVER_ON_PATH, args: [], source: 'path', ...(problem ? { problem } : {}) };
}

function substitute(arg: string, input: ServerCommandInput): string {
  let out = arg.replace(/\$\{userHome\}/g, input.userHome);
  if (input.workspaceFolder !== undefined) out = out.replace(/\$\{workspaceFolder\}/g, input.workspaceFolder);
  if (out === '~' || out.startsWith('~/')) out = input.userHome + out.slice(1);
  return out;
}

/** The command as one line for messages (arguments with spaces quoted). */
export function describeCommand(c: Pick<ServerCommand, 'command' | 'args'>): string {
  return [c.command, ...c.args].map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ');
}

/**
 * The log level for a line the server writes to stderr. Its own lines
 * (`[aros-lsp] …`) are also sent as `window/logMessage`, which the client
 * logs already: debug level keeps them out of the channel unless asked for.
 * Anything else (a crash, a stack trace, node's own warnings) is an error.
 */
export function stderrLevel(line: string): 'debug' | 'error' {
  return line.startsWith('[aros-lsp] ') ? 'debug' : 'error';
}
