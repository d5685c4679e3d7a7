// How near two workspace paths are, and sorted-array lookups shared by the
// features that rank symbols (search, completion, context, exploration).

/** The directory part with its trailing slash ('' at the root). */
export function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/') + 1);
}

/** 3 same file, 2 same directory, 1 same module (first three path segments), 0 elsewhere. */
export function locality(path: string, from: string): number {
  if (path === from) return 3;
  if (dirOf(path) === dirOf(from)) return 2;
  const module = (p: string): string => p.split('/').slice(0, 3).join('/');
  return module(path) === module(from) ? 1 : 0;
}

/** First index whose value is >= key, by binary search. */
export function firstAtOrAfter(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
