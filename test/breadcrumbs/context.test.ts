import { describe, it, expect } from 'vitest';
import { parseBreadcrumbs } from '../../server/src/breadcrumbs/parse';
import { lines, one } from './helpers';

describe('AI_CONTEXT', () => {
  it('parses a one-line object', () => {
    const b = one('// AI_CONTEXT: { "gpu_family": "GCN", "vulkan_support": false }\n');
    expect(b.context).toEqual({ gpu_family: 'GCN', vulkan_support: false });
    expect(b.contextError).toBeUndefined();
  });

  it('keeps arrays, nested values and scalars', () => {
    expect(one('// AI_CONTEXT: ["chip", "fast"]').context).toEqual(['chip', 'fast']);
    expect(one('// AI_CONTEXT: {"a": {"b": [1, {"c": null}]}}').context).toEqual({ a: { b: [1, { c: null }] } });
    expect(one('// AI_CONTEXT: 42').context).toBe(42);
    expect(one('// AI_CONTEXT: "text"').context).toBe('text');
    expect(one('// AI_CONTEXT: null').context).toBeNull();
  });

  it('reads JSON spread over block-comment lines until the braces balance', () => {
    const b = one(
      lines(
        '/*',
        ' * AI_PHASE: MEMORY_MANAGER',
        ' * AI_CONTEXT: {',
        ' *   "alignment": 4096,',
        ' *   "pools": ["chip", "fast"]',
        ' * }',
        ' * AI_STATUS: NOT_STARTED',
        ' */',
      ),
    );
    expect(b.context).toEqual({ alignment: 4096, pools: ['chip', 'fast'] });
    expect(b.tags.AI_STATUS).toEqual(['NOT_STARTED']);
    expect(b.notes).toEqual([]);
    const entry = b.entries.find((e) => e.tag === 'AI_CONTEXT')!;
    expect(entry.value).toBe('{\n"alignment": 4096,\n"pools": ["chip", "fast"]\n}');
    expect(entry.range).toEqual({ start: { line: 2, character: 3 }, end: { line: 5, character: 4 } });
  });

  it('reads JSON spread over // lines', () => {
    const b = one(lines('// AI_PHASE: A', '// AI_CONTEXT: [', '//   1,', '//   2', '// ]', '// AI_STATUS: FIXED', 'int x;'));
    expect(b.context).toEqual([1, 2]);
    expect(b.tags.AI_STATUS).toEqual(['FIXED']);
  });

  it('starts the JSON on the next line when the tag has no value', () => {
    const b = one(lines('// AI_CONTEXT:', '// {"a": 1}', '// AI_PHASE: A'));
    expect(b.context).toEqual({ a: 1 });
    expect(b.notes).toEqual([]);
  });

  it('is not confused by braces and brackets inside JSON strings', () => {
    const b = one(lines('// AI_CONTEXT: {', '//   "close": "}]", "quote": "a\\"}"', '// }', '// AI_PHASE: A'));
    expect(b.context).toEqual({ close: '}]', quote: 'a"}' });
    expect(b.tags.AI_PHASE).toEqual(['A']);
  });

  it('malformed JSON is an error on that breadcrumb only, and parsing resumes with the next line', () => {
    const b = one(lines('// AI_PHASE: A', '// AI_CONTEXT: { gpu: GCN }', '// AI_STATUS: FIXED', 'int x;'));
    expect(b.context).toBeUndefined();
    expect(b.contextError?.line).toBe(1);
    expect(b.contextError?.message).toMatch(/^AI_CONTEXT is not valid JSON: /);
    expect(b.tags).toEqual({ AI_PHASE: ['A'], AI_CONTEXT: ['{ gpu: GCN }'], AI_STATUS: ['FIXED'] });
  });

  it('unbalanced JSON does not swallow the following tags', () => {
    const b = one(lines('// AI_CONTEXT: { "a": 1,', '//   "b": 2', '// AI_STATUS: FIXED', '// AI_PHASE: A', 'int x;'));
    expect(b.contextError).toEqual({ message: 'AI_CONTEXT is not valid JSON: braces or brackets do not balance', line: 0 });
    expect(b.tags.AI_STATUS).toEqual(['FIXED']);
    expect(b.tags.AI_PHASE).toEqual(['A']);
    expect(b.tags.AI_CONTEXT).toEqual(['{ "a": 1,']);
    expect(b.notes).toEqual(['"b": 2']);
  });

  it('reports the line of the error inside multi-line JSON', () => {
    const b = one(lines('/*', ' * AI_CONTEXT: {', ' *   "a": 1,', ' *   "b": ,', ' * }', ' */'));
    expect(b.contextError?.line).toBe(3);
    // V8 quotes the input in some messages; a diagnostic message must stay one line.
    expect(b.contextError?.message).toMatch(/^AI_CONTEXT is not valid JSON: [^\n]+$/);
  });

  it('an empty AI_CONTEXT is an error', () => {
    const b = one(lines('// AI_PHASE: A', '// AI_CONTEXT:', '// AI_STATUS: FIXED'));
    expect(b.contextError).toEqual({ message: 'AI_CONTEXT is empty; expected JSON', line: 1 });
    expect(b.tags.AI_STATUS).toEqual(['FIXED']);
  });

  it('the last AI_CONTEXT is the effective one', () => {
    const b = one(lines('// AI_CONTEXT: {"v": 1}', '// AI_CONTEXT: {"v": 2}'));
    expect(b.context).toEqual({ v: 2 });
  });

  it('JSON never runs past the end of its comment into the next one', () => {
    const bs = parseBreadcrumbs(lines('// AI_CONTEXT: {', '', '// }', '// AI_PHASE: B'));
    expect(bs).toHaveLength(2);
    expect(bs[0].contextError?.line).toBe(0);
    expect(bs[1].tags).toEqual({ AI_PHASE: ['B'] });
    expect(bs[1].notes).toEqual(['}']);
  });
});
