import { describe, expect, it } from 'vitest';
import { letterMask, segmentStarts } from '../../server/src/index/nameMatch';
import { buildNameTable } from '../../server/src/index/nameTables';

/** The initials a name table records for one name. */
const initialsMask = (name: string): number => buildNameTable([name]).initials[0];

const bit = (c: string): number => letterMask(c);

describe('nameMatch', () => {
  it('segmentStarts: camel case, underscores, capital runs, digits', () => {
    expect(segmentStarts('AllocPooled')).toEqual([0, 5]);
    expect(segmentStarts('ai_phase_id')).toEqual([0, 3, 9]);
    expect(segmentStarts('XMLHttpRequest')).toEqual([0, 3, 7]);
    expect(segmentStarts('AROS_LH2')).toEqual([0, 5]);
    expect(segmentStarts('__init')).toEqual([2]);
  });

  it('a name table\'s initials hold exactly the letters that begin segments, lower-cased', () => {
    expect(initialsMask('AllocPooled')).toBe(bit('a') | bit('p'));
    expect(initialsMask('ai_phase_id')).toBe(bit('a') | bit('p') | bit('i'));
    expect(initialsMask('x')).toBe(bit('x'));
    expect(initialsMask('AllocPooled') & bit('l')).toBe(0);
  });

  it('letterMask', () => {
    expect(letterMask('a1_')).toBe(1 | (1 << 26) | (1 << 27));
  });
});
