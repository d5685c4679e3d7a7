// Writes GGUF files for tests: metadata of any shape and, optionally, tensors.
// Written by us from the format description (ggml-org/ggml docs/gguf.md).

import { writeFileSync } from 'node:fs';

export type Meta =
  | { type: 'u32'; value: number }
  | { type: 'i32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'strings'; value: string[] }
  | { type: 'f32s'; value: number[] }
  | { type: 'i32s'; value: number[] };

export interface Tensor {
  name: string;
  dims: number[];
  /** F32 values, dims' product of them. */
  data: Float32Array;
}

const T = { u32: 4, i32: 5, f32: 6, bool: 7, string: 8, array: 9 } as const;

export function ggufBytes(meta: Record<string, Meta>, tensors: Tensor[] = [], alignment = 32): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number): void => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    parts.push(b);
  };
  const u64 = (n: number): void => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    parts.push(b);
  };
  const str = (s: string): void => {
    const b = Buffer.from(s, 'utf8');
    u64(b.length);
    parts.push(b);
  };
  parts.push(Buffer.from('GGUF', 'latin1'));
  u32(3);
  u64(tensors.length);
  u64(Object.keys(meta).length);
  for (const [key, m] of Object.entries(meta)) {
    str(key);
    switch (m.type) {
      case 'u32':
        u32(T.u32);
        u32(m.value);
        break;
      case 'i32': {
        u32(T.i32);
        const b = Buffer.alloc(4);
        b.writeInt32LE(m.value);
        parts.push(b);
        break;
      }
      case 'f32': {
        u32(T.f32);
        const b = Buffer.alloc(4);
        b.writeFloatLE(m.value);
        parts.push(b);
        break;
      }
      case 'bool':
        u32(T.bool);
        parts.push(Buffer.from([m.value ? 1 : 0]));
        break;
      case 'string':
        u32(T.string);
        str(m.value);
        break;
      case 'strings':
        u32(T.array);
        u32(T.string);
        u64(m.value.length);
        for (const s of m.value) str(s);
        break;
      case 'f32s':
      case 'i32s': {
        u32(T.array);
        u32(m.type === 'f32s' ? T.f32 : T.i32);
        u64(m.value.length);
        const b = Buffer.alloc(4 * m.value.length);
        m.value.forEach((v, i) => (m.type === 'f32s' ? b.writeFloatLE(v, 4 * i) : b.writeInt32LE(v, 4 * i)));
        parts.push(b);
        break;
      }
    }
  }
  let offset = 0;
  for (const t of tensors) {
    str(t.name);
    u32(t.dims.length);
    for (const d of t.dims) u64(d);
    u32(0); // GGML_TYPE_F32
    u64(offset);
    offset += Math.ceil((t.data.byteLength) / alignment) * alignment;
  }
  const head = Buffer.concat(parts);
  const pad = (n: number): Buffer => Buffer.alloc((alignment - (n % alignment)) % alignment);
  const out: Buffer[] = [head, pad(head.length)];
  for (const t of tensors) {
    const b = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    out.push(b, pad(b.length));
  }
  return Buffer.concat(out);
}

export function writeGguf(file: string, meta: Record<string, Meta>, tensors: Tensor[] = []): void {
  writeFileSync(file, ggufBytes(meta, tensors));
}
