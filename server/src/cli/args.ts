// A small argument parser: positionals plus `--flag` and `--key value` options.

export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  options: Map<string, string>;
}

/** Options that take a value; everything else starting with `--` is a flag. */
const VALUED = new Set(['cache-dir', 'workers', 'max-file-bytes', 'exclude', 'limit', 'config', 'role', 'threads', 'max-tokens', 'root', 'workspace', 'project', 'file', 'symbol', 'description', 'max-iterations', 'max-retries', 'compile-command']);

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Set<string>();
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const key = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (eq > 0) options.set(key, a.slice(eq + 1));
      else if (VALUED.has(key)) {
        const v = argv[++i];
        if (v === undefined) throw new Error(`--${key} needs a value`);
        options.set(key, v);
      } else flags.add(key);
    } else if (a.startsWith('-') && a.length > 1) {
      flags.add(a.slice(1));
    } else positionals.push(a);
  }
  return { positionals, flags, options };
}

export function intOption(args: ParsedArgs, key: string): number | undefined {
  const v = args.options.get(key);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${key} must be a non-negative integer, got '${v}'`);
  return n;
}
