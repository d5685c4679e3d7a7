import { describe, expect, it } from 'vitest';
import { ControlProbe } from '../../server/src/bench/controlProbe';

describe('ControlProbe', () => {
  it('reports a window a second from an idle process, and lines them up with a moment', async () => {
    const probe = new ControlProbe();
    const started = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 2600));
    await probe.stop();
    const count = probe.windows.length;
    expect(count).toBeGreaterThanOrEqual(2);
    for (const [i, w] of probe.windows.entries()) {
      expect(w.at).toBeGreaterThan(started);
      if (i > 0) expect(w.at - probe.windows[i - 1].at).toBeGreaterThan(500);
      expect(w.maxMs).toBeGreaterThanOrEqual(0);
      expect(w.maxMs).toBeLessThan(1000);
    }
    const last = probe.windows[count - 1];
    expect(probe.maxAround(last.at)).toBe(Math.max(...probe.windows.filter((w) => Math.abs(w.at - last.at) <= 1000).map((w) => w.maxMs)));
    expect(probe.maxAround(started - 60_000)).toBe(0);
    // Stopped means gone: no more windows.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(probe.windows.length).toBe(count);
  });
});
