// `npm run fuzz -- --count N --seconds S`: random and mutated JSON-RPC traffic
// against the real server over stdio (see bench/fuzz/). Stops at whichever
// limit comes first; prints what ran, peak RSS and every failure with the
// command that replays it; exits 1 on any failure.
//
//   --seed N          the run's seed (default: from the clock, printed)
//   --case I[,J...]   replay only these cases of the seed
//   --probe-every K   known-good requests every K cases (default 50)
//   --bound-ms MS     how long one answer may take (default 30000)
//   --stall-ms MS     how long the stalled 10 MB frame stalls (default 2000)
//   --no-huge         leave out the 10-50 MB payloads
//   --no-fresh        leave out the cases that need a server of their own
//   --no-replay       do not replay failing cases alone
//   --json            the report as JSON
//
// The server under test is out/cli/main.js; AROS_LSP_FUZZ_SERVER=path/to/main.js
// fuzzes another build.

import { formatReport, runFuzz } from './fuzz/runner';

function parse(argv: string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'`);
    const [k, inline] = a.slice(2).split('=', 2);
    if (inline !== undefined) out.set(k, inline);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out.set(k, argv[++i]);
    else out.set(k, true);
  }
  return out;
}

function num(v: string | true | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (v === true || !Number.isFinite(n) || n < 0) throw new Error(`--${name} needs a non-negative number`);
  return n;
}

async function main(): Promise<number> {
  const args = parse(process.argv.slice(2));
  const seed = num(args.get('seed'), 'seed', Date.now() % 1_000_000);
  const caseArg = args.get('case');
  const only = typeof caseArg === 'string' ? caseArg.split(',').map((s) => num(s, 'case', 0)) : undefined;
  const json = args.has('json');
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  log(`aros-lsp fuzz: seed ${seed}`);
  const report = await runFuzz({
    seed,
    count: num(args.get('count'), 'count', 1000),
    seconds: num(args.get('seconds'), 'seconds', 60),
    probeEvery: num(args.get('probe-every'), 'probe-every', 50),
    boundMs: num(args.get('bound-ms'), 'bound-ms', 30_000),
    stallMs: num(args.get('stall-ms'), 'stall-ms', 2000),
    huge: !args.has('no-huge'),
    fresh: !args.has('no-fresh'),
    replayFailures: !args.has('no-replay'),
    only,
    log,
  });
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  return report.failures.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`aros-lsp fuzz: ${(err as Error).message}\n`);
    process.exitCode = 2;
  },
);
