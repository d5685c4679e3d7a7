// The function at the cursor, from document symbols (the server's, and any
// other provider's), for "Run the loop on the task at the cursor".

export interface Pos {
  line: number;
  character: number;
}

export interface SymbolLike {
  name: string;
  kind: number;
  range: { start: Pos; end: Pos };
  children?: readonly SymbolLike[];
}

/** The innermost symbol of an accepted kind whose range holds `pos`. */
export function enclosingSymbol(symbols: readonly SymbolLike[], pos: Pos, accept: (kind: number) => boolean): SymbolLike | undefined {
  let best: SymbolLike | undefined;
  const visit = (list: readonly SymbolLike[]): void => {
    for (const s of list) {
      if (!contains(s.range, pos)) continue;
      if (accept(s.kind) && (!best || contains(best.range, s.range.start))) best = s;
      if (s.children) visit(s.children);
    }
  };
  visit(symbols);
  return best;
}

function contains(range: { start: Pos; end: Pos }, pos: Pos): boolean {
  return !before(pos, range.start) && !before(range.end, pos);
}

function before(a: Pos, b: Pos): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}
