// Mutators of JSON values: a params object as a client might get it wrong.
// A mutation picks one node of the tree and replaces, removes, wraps or
// retypes it, or adds a key (prototype-ish names included, as own keys).

import type { Rng } from './random';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Values of every JSON type, including the awkward ones. */
export function oddValue(rng: Rng, depth = 0): Json {
  switch (rng.int(0, 14)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([0, -1, 1, 1.5, -0.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 1e308, -1e308, 5e-324]);
    case 3:
      return rng.pick(['', ' ', '0', 'null', '-1', 'true', '\u0000', '\uFEFF', '\uD800', '😀', 'é'.repeat(50), '%s', '../../../../etc/passwd', 'file:///etc/passwd']);
    case 4:
      return rng.string(rng.int(1, 4000), 'ab\\"\n\t/{}[]:,é😀');
    case 5:
      return [];
    case 6:
      return {};
    case 7:
      return depth < 3 ? [oddValue(rng, depth + 1), oddValue(rng, depth + 1)] : [];
    case 8:
      return depth < 3 ? { [rng.pick(KEYS)]: oddValue(rng, depth + 1) } : {};
    case 9:
      return { line: oddValue(rng, 3), character: oddValue(rng, 3) } as Json;
    case 10:
      return { uri: rng.pick(['', 'file:///', 42 as unknown as string, 'untitled:x']) } as Json;
    case 11:
      return nested(rng.int(10, 2000), rng.chance(0.5));
    case 12:
      return withOwnKey({}, rng.pick(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']), oddValue(rng, depth + 1));
    case 13:
      // An object that cannot become a string: String(v) and `${v}` throw on it.
      return withOwnKey(withOwnKey({}, 'toString', rng.pick<Json>([1, {}, null])), 'valueOf', rng.pick<Json>([1, {}, null]));
    default:
      return rng.int(-1000, 1000);
  }
}

const KEYS = ['uri', 'textDocument', 'position', 'line', 'character', 'range', 'start', 'end', 'context', 'text', 'version', 'query', 'command', 'arguments', 'data', 'id', 'file', 'symbol', 'task', 'triggerKind', 'diagnostics', 'only', 'settings', 'changes', 'contentChanges', '__proto__', 'constructor', 'toString', ''];

function nested(levels: number, asArray: boolean): Json {
  let v: Json = 1;
  for (let i = 0; i < levels; i++) v = asArray ? [v] : { a: v };
  return v;
}

/** Sets an own property even for `__proto__` (plain assignment would change the prototype). */
function withOwnKey(obj: { [k: string]: Json }, key: string, value: Json): { [k: string]: Json } {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  return obj;
}

function clone(v: unknown): Json {
  if (v === undefined) return null;
  return JSON.parse(JSON.stringify(v)) as Json;
}

/** Paths to every node (up to a bound), the root included as []. */
function paths(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (out.length > 400) return out;
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((c, i) => paths(c, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k], [...prefix, k], out);
  return out;
}

function get(root: Json, p: (string | number)[]): Json {
  let v: any = root;
  for (const k of p) v = v?.[k];
  return v as Json;
}

function set(root: Json, p: (string | number)[], value: Json | undefined): Json {
  if (p.length === 0) return value === undefined ? null : value;
  const parent: any = get(root, p.slice(0, -1));
  const k = p[p.length - 1];
  if (Array.isArray(parent)) {
    if (value === undefined) parent.splice(k as number, 1);
    else parent[k as number] = value;
  } else if (parent && typeof parent === 'object') {
    if (value === undefined) delete parent[k];
    else withOwnKey(parent, String(k), value);
  }
  return root;
}

/** One to three mutations of a copy of `value`; names what was done. */
export function mutate(rng: Rng, value: unknown): { value: Json; what: string[] } {
  let root = clone(value);
  const what: string[] = [];
  const n = rng.weighted([
    [1, 6],
    [2, 3],
    [3, 1],
  ]);
  for (let i = 0; i < n; i++) {
    const all = paths(root);
    // Prefer leaves and inner nodes alike; the root only sometimes.
    const p = all.length > 1 && rng.chance(0.9) ? rng.pick(all.slice(1)) : [];
    const at = get(root, p);
    const where = p.length ? p.join('.') : 'params';
    switch (rng.int(0, 8)) {
      case 0:
      case 1:
      case 2: {
        if (p.length && rng.chance(0.4)) {
          root = set(root, p, undefined);
          what.push(`removed ${where}`);
          break;
        }
        const v = oddValue(rng);
        root = set(root, p, v);
        what.push(`${where} = ${short(v)}`);
        break;
      }
      case 3:
        root = set(root, p, [at]);
        what.push(`${where} wrapped in an array`);
        break;
      case 4:
        if (typeof at === 'number') {
          root = set(root, p, String(at));
          what.push(`${where} as a string`);
        } else if (typeof at === 'string') {
          const num = Number(at);
          root = set(root, p, Number.isFinite(num) && at !== '' ? num : at.length);
          what.push(`${where} as a number`);
        } else {
          root = set(root, p, rng.pick<Json>(['x', 1, true]));
          what.push(`${where} retyped`);
        }
        break;
      case 5:
        if (at && typeof at === 'object' && !Array.isArray(at)) {
          const key = rng.pick(KEYS);
          withOwnKey(at, key, oddValue(rng));
          what.push(`added ${where}.${key}`);
        } else {
          root = set(root, p, null);
          what.push(`${where} = null`);
        }
        break;
      case 6:
        if (typeof at === 'number') {
          const v = rng.pick([-1, -(2 ** 31), 2 ** 31, 2 ** 53, 1e21, 0.5, -0.5]);
          root = set(root, p, v);
          what.push(`${where} = ${v}`);
        } else {
          root = set(root, p, rng.string(rng.int(0, 50), 'abc./\\:%é'));
          what.push(`${where} = a random string`);
        }
        break;
      case 7:
        root = set(root, p, {});
        what.push(`${where} = {}`);
        break;
      default:
        root = set(root, p, rng.pick<Json>([[], ['a', 1], [null]]));
        what.push(`${where} = an array`);
    }
  }
  return { value: root, what };
}

export function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
