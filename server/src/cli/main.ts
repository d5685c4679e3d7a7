#!/usr/bin/env node
// The `aros-lsp` entry point. Kept small: `serve` may start itself again with
// the server's V8 flags (serverProcess.ts) before any of the rest is loaded.

import { needsRelaunch, relaunch } from './serverProcess';
import { applyVmFlags } from './vmFlags';

const argv = process.argv.slice(2);
if (needsRelaunch(argv, process.execArgv, process.env)) relaunch(__filename, argv, process.execArgv);
else {
  applyVmFlags(process.execArgv);
  // Loaded only here: the relaunching process never pays for the server's modules.
  const { runCommand } = require('./commands') as typeof import('./commands');
  runCommand(argv).then(
    (code) => {
      // -1: the server runs until the client says exit.
      if (code >= 0) process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`aros-lsp: ${(err as Error).message}\n`);
      process.exitCode = 2;
    },
  );
}
