// Seeded random texts made of given pieces, for tests that compare a fast
// scanner with the regular expression it replaced.

import { mulberry32 } from '../../server/src/bench/seededRandom';

/** `count` texts of up to `maxPieces - 1` pieces each, the same for the same seed. */
export function randomTexts(seed: number, pieces: readonly string[], count: number, maxPieces: number): string[] {
  const random = mulberry32(seed);
  const next = (n: number): number => Math.floor(random() * n);
  return Array.from({ length: count }, () => {
    let text = '';
    for (let k = next(maxPieces); k > 0; k--) text += pieces[next(pieces.length)];
    return text;
  });
}
