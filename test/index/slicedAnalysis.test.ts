import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyzeC, analyzeSteps, runToEnd, slicedParser } from '../../server/src/index/analyze';
import { parseOne } from '../../server/src/index/parseFiles';
import { SlicedAnalyzer } from '../../server/src/index/slicedAnalysis';

function bigText(functions: number, prefix = 'f'): string {
  const out = ['#include <exec/types.h>', '', 'struct Big { int a; int b; };', ''];
  for (let i = 0; i < functions; i++) {
    out.push(`/* Function ${i}. */`, `static int ${prefix}${i}(struct Big *p, int x)`, '{', `    int y = x * ${i} + p->a;`, '    return y;', '}', '');
  }
  return out.join('\n');
}

describe('SlicedAnalyzer', () => {
  it('gives what analyzeC gives, letting the event loop run between slices', async () => {
    const text = bigText(400);
    const analyzer = new SlicedAnalyzer({ sliceMs: 0, parseSliceMicros: 100 });
    let turns = 0;
    const ticker = setInterval(() => turns++, 0);
    const result = await analyzer.analyze(text);
    clearInterval(ticker);
    expect(turns).toBeGreaterThan(0);
    expect(result.analysis).toEqual(analyzeC(text).analysis);
  });

  it('reads text with syntax errors as one uninterrupted parse does, however often the parse is cut', () => {
    // Resumed after a timeout, tree-sitter restarts its loop over stack versions and its error
    // recovery could choose another reading (a CI run found `count(struw)` read as a field).
    const texts = [
      'struct Widget {\n )int w_Flags;\n;\n\nstatic int count(struw)\n{\n    return w->w_Flags;\n}\n\nint last;',
      'struct Widget {\n )int w_Flags;\n;\n\nstatic int count(struw)\n{\n    return 1;\n}\n\nint /* c */ast;',
      `${bigText(40)}\nstruct Half { int a;\nvoid g(int (x) { }\n${bigText(40, 'h')}`,
    ];
    for (const text of texts) {
      const fresh = analyzeC(text).analysis;
      expect(fresh.hasErrors).toBe(true);
      for (const micros of [1, 2, 5, 20, 100]) {
        expect(runToEnd(analyzeSteps(text, { sliced: slicedParser(micros) })).analysis.symbols).toEqual(fresh.symbols);
      }
    }
  });

  it('runs analyses started together one after another on its one parser, each correct', async () => {
    const texts = [bigText(300, 'a'), bigText(200, 'b'), bigText(250, 'c')];
    const analyzer = new SlicedAnalyzer({ sliceMs: 0, parseSliceMicros: 100 });
    const order: number[] = [];
    const results = await Promise.all(
      texts.map((t, i) =>
        analyzer.analyze(t).then((r) => {
          order.push(i);
          return r;
        }),
      ),
    );
    expect(order).toEqual([0, 1, 2]);
    results.forEach((r, i) => expect(r.analysis).toEqual(analyzeC(texts[i]).analysis));
  });

  it('stops, with undefined, once the run is no longer wanted', async () => {
    const analyzer = new SlicedAnalyzer({ sliceMs: 0, parseSliceMicros: 100 });
    let wanted = true;
    const run = analyzer.run(analyzer.steps(bigText(400)), () => wanted);
    setImmediate(() => (wanted = false));
    expect(await run).toBeUndefined();
    // The parser it left mid-parse serves the next analysis correctly.
    const text = bigText(50, 'z');
    expect((await analyzer.analyze(text)).analysis).toEqual(analyzeC(text).analysis);
  });

  it('parseOne with a sliced analyzer packs the same entry as without', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'aros-sliced-'));
    try {
      writeFileSync(path.join(root, 'big.c'), bigText(300));
      const file = { path: 'big.c', size: 0, mtimeMs: 1 };
      const plain = await parseOne(root, file, 1 << 20);
      const sliced = await parseOne(root, file, 1 << 20, new SlicedAnalyzer({ sliceMs: 0, parseSliceMicros: 100 }));
      expect(sliced).toEqual(plain);
      expect('entry' in sliced && sliced.entry.names.length).toBeGreaterThan(300);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
