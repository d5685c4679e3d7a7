// The phase dependency graph shared by the cycle check (validate.ts) and task ordering (tasks.ts).
// Edges point from a phase to the phases it depends on: AI_DEPENDENCIES of P gives P -> D,
// AI_BLOCKS of P naming B gives B -> P (B cannot start before P).

import type { BreadcrumbItem } from './types';
import { effective, phaseList, phaseOf } from './values';

export type PhaseGraph = Map<string, Set<string>>;

export function buildPhaseGraph(items: ReadonlyArray<BreadcrumbItem>): PhaseGraph {
  const graph: PhaseGraph = new Map();
  const edge = (from: string, to: string): void => {
    let set = graph.get(from);
    if (set === undefined) graph.set(from, (set = new Set()));
    set.add(to);
    if (!graph.has(to)) graph.set(to, new Set());
  };
  for (const { breadcrumb } of items) {
    const phase = phaseOf(breadcrumb);
    if (phase === undefined) continue;
    if (!graph.has(phase)) graph.set(phase, new Set());
    for (const d of phaseList(effective(breadcrumb, 'AI_DEPENDENCIES'))) edge(phase, d);
    for (const b of phaseList(effective(breadcrumb, 'AI_BLOCKS'))) edge(b, phase);
  }
  return graph;
}

/**
 * Strongly connected components (Tarjan), in reverse topological order: every component
 * comes after the components it depends on. Nodes are visited in sorted order so the
 * result is deterministic.
 */
export function components(graph: PhaseGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      out.push(comp.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

/** Components that hold a cycle: more than one phase, or a phase that depends on itself. */
export function cyclicComponents(graph: PhaseGraph): string[][] {
  return components(graph).filter((c) => c.length > 1 || (graph.get(c[0])?.has(c[0]) ?? false));
}

/** One shortest cycle through the component's first phase, as `[A, B, ..., A]` in depends-on direction. */
export function describeCycle(graph: PhaseGraph, component: readonly string[]): string[] {
  const inside = new Set(component);
  const start = component[0];
  const parent = new Map<string, string>();
  const queue: string[] = [start];
  for (let qi = 0; qi < queue.length; qi++) {
    const v = queue[qi];
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!inside.has(w)) continue;
      if (w === start) {
        // Walk back from v to start, then read it forwards.
        const back: string[] = [];
        for (let x = v; x !== start; x = parent.get(x)!) back.push(x);
        return [start, ...back.reverse(), start];
      }
      if (!parent.has(w) && w !== start) {
        parent.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/**
 * Dependency depth of every phase: 0 for a phase with no dependencies, else one more than
 * its deepest dependency. Phases in one cycle share a depth, so cycles cannot hang the order.
 */
export function dependencyDepth(graph: PhaseGraph): Map<string, number> {
  const depth = new Map<string, number>();
  for (const comp of components(graph)) {
    // Dependencies outside the component were emitted earlier, so their depth is known.
    const inside = new Set(comp);
    let d = 0;
    for (const v of comp) {
      for (const w of graph.get(v) ?? []) if (!inside.has(w)) d = Math.max(d, (depth.get(w) ?? 0) + 1);
    }
    for (const v of comp) depth.set(v, d);
  }
  return depth;
}
