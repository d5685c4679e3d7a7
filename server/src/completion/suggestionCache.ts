// An LRU of shown suggestions keyed by document, prefix tail and suffix head.
// Typing the first characters of a suggestion is a hit: the rest is returned
// without asking the model again.

/** Characters of the prefix that identify a position; more would only cost hashing. */
const PREFIX_KEY = 512;
/** How far a user may type into a suggestion and still hit. */
const TYPE_THROUGH = 64;

export interface CachedSuggestion {
  text: string;
  mode: 'line' | 'block';
}

export class SuggestionCache {
  private readonly entries = new Map<string, CachedSuggestion>();

  constructor(private readonly capacity: number) {}

  store(file: string, prefix: string, suffixHead: string, text: string, mode: 'line' | 'block'): void {
    const key = keyOf(file, prefix, suffixHead);
    this.entries.delete(key);
    this.entries.set(key, { text, mode });
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** The remaining text of a suggestion made at this position or typed into from an earlier one. */
  lookup(file: string, prefix: string, suffixHead: string): CachedSuggestion | undefined {
    const max = Math.min(TYPE_THROUGH, prefix.length);
    for (let typed = 0; typed <= max; typed++) {
      const before = prefix.slice(0, prefix.length - typed);
      const key = keyOf(file, before, suffixHead);
      const entry = this.entries.get(key);
      if (entry === undefined) continue;
      const typedText = prefix.slice(prefix.length - typed);
      if (!entry.text.startsWith(typedText) || entry.text.length === typedText.length) continue;
      // Refresh recency: the entry is in use.
      this.entries.delete(key);
      this.entries.set(key, entry);
      return { text: entry.text.slice(typedText.length), mode: entry.mode };
    }
    return undefined;
  }

  forget(file: string): void {
    const start = `${file}\0`;
    for (const key of [...this.entries.keys()]) if (key.startsWith(start)) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

function keyOf(file: string, prefix: string, suffixHead: string): string {
  return `${file}\0${prefix.slice(-PREFIX_KEY)}\0${suffixHead}`;
}
