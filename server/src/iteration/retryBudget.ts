// How many attempts a task gets: errors cost what they usually take to fix.
// Syntax errors are cheap, undeclared names and type errors dearer, a
// compiler that crashed or hung dearest; the same errors with the same code
// twice means the loop is stuck.

export type FailureKind = 'syntax' | 'undeclared' | 'type' | 'implicit-declaration' | 'linker' | 'warning' | 'other' | 'review' | 'crash';

const COST: Record<FailureKind, number> = {
  syntax: 1,
  warning: 1,
  review: 1,
  'implicit-declaration': 2,
  undeclared: 2,
  type: 2,
  linker: 2,
  other: 2,
  crash: 3,
};

export class RetryBudget {
  private points: number;
  private lastKey?: string;

  /** `maxRetries` retries of average (cost 2) errors. */
  constructor(maxRetries: number) {
    this.points = 2 * Math.max(0, maxRetries);
  }

  /**
   * Charges a failed attempt; returns why to stop, or undefined to retry.
   * `key` identifies the attempt's code and errors (stuck detection).
   */
  charge(kinds: readonly FailureKind[], key: string): string | undefined {
    if (key === this.lastKey) return 'stuck: the same code gave the same errors twice';
    this.lastKey = key;
    const cost = Math.max(1, ...kinds.map((k) => COST[k]));
    if (this.points < cost) return `retry budget spent (${kinds.join(', ') || 'failure'})`;
    this.points -= cost;
    return undefined;
  }

  get remaining(): number {
    return this.points;
  }
}
