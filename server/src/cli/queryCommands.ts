// `aros-lsp symbols DIR QUERY` and `aros-lsp definition DIR NAME`.

import { cSignature } from '../index/hoverText';
import { definitions } from '../index/navigation';
import { searchSymbols } from '../index/search';
import type { SymbolRef } from '../index/workspaceIndex';
import { intOption, type ParsedArgs } from './args';
import { openIndex } from './openIndex';

function describe(r: SymbolRef): Record<string, unknown> {
  const s = r.symbol;
  return {
    name: s.name,
    kind: s.kind,
    definition: s.definition,
    file: r.file.path,
    line: s.selectionRange.start.line + 1,
    column: s.selectionRange.start.character + 1,
    signature: cSignature(s),
    ...(s.aros ? { aros: s.aros } : {}),
  };
}

function print(refs: SymbolRef[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(refs.map(describe), null, 2)}\n`);
    return;
  }
  for (const r of refs) {
    const s = r.symbol;
    const lib = s.aros?.form === 'library' ? ` [${s.aros.library ?? ''} LVO ${s.aros.lvo ?? '?'}]` : '';
    process.stdout.write(`${r.file.path}:${s.selectionRange.start.line + 1}:${s.selectionRange.start.character + 1}\t${s.kind}${s.definition ? '' : ' (decl)'}\t${s.name}${lib}\n`);
  }
}

export async function symbolsCommand(args: ParsedArgs): Promise<number> {
  const query = args.positionals[2];
  if (!query) throw new Error('usage: aros-lsp symbols DIR QUERY [--json] [--limit N]');
  const { session } = await openIndex(args.positionals[1], args);
  const found = searchSymbols(session.index, query, { limit: intOption(args, 'limit') ?? 50 });
  print(found, args.flags.has('json'));
  return found.length ? 0 : 1;
}

export async function definitionCommand(args: ParsedArgs): Promise<number> {
  const name = args.positionals[2];
  if (!name) throw new Error('usage: aros-lsp definition DIR NAME [--json]');
  const { session } = await openIndex(args.positionals[1], args);
  const zero = { line: 0, character: 0 };
  const found = definitions(session.index, { name, range: { start: zero, end: zero }, member: false });
  print(found, args.flags.has('json'));
  return found.length ? 0 : 1;
}
