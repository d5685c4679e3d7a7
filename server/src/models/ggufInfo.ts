// Reads a GGUF file's metadata (architecture, context length, vocabulary, FIM
// and chat-template facts) without loading weights: a model file is gigabytes,
// its header a few megabytes at most. Format: ggml-org/ggml docs/gguf.md.

import { open, type FileHandle } from 'node:fs/promises';

export type GgufValue = number | bigint | boolean | string | GgufValue[];

export interface GgufInfo {
  version: number;
  tensorCount: number;
  metadata: Map<string, GgufValue>;
  architecture?: string;
  contextLength?: number;
  vocabularySize?: number;
  /** The FIM tokens the vocabulary holds, by role; empty when the model cannot fill in the middle. */
  fimTokens: { prefix?: string; suffix?: string; middle?: string };
  hasChatTemplate: boolean;
}

export class GgufError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'GgufError';
  }
}

const MAGIC = 0x46554747; // "GGUF" little-endian
/** Limits that stop a corrupt length from allocating gigabytes. */
const MAX_STRING = 64 * 1024 * 1024;
const MAX_ARRAY = 16 * 1024 * 1024;
const MAX_KV = 1_000_000;

/** Token texts that mean prefix / suffix / middle in the FIM formats llama.cpp knows. */
const FIM_TEXTS = {
  prefix: ['<|fim_prefix|>', '<fim-prefix>', '<fim_prefix>', '<PRE>', '▁<PRE>', '<｜fim▁begin｜>', '<|fim▁begin|>'],
  suffix: ['<|fim_suffix|>', '<fim-suffix>', '<fim_suffix>', '<SUF>', '▁<SUF>', '<｜fim▁hole｜>', '<|fim▁hole|>'],
  middle: ['<|fim_middle|>', '<fim-middle>', '<fim_middle>', '<MID>', '▁<MID>', '<｜fim▁end｜>', '<|fim▁end|>'],
} as const;

export async function readGgufInfo(file: string): Promise<GgufInfo> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new GgufError(file, `cannot open (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    const size = (await handle.stat()).size;
    const r = new Reader(handle, size, file);
    if ((await r.u32()) !== MAGIC) throw new GgufError(file, 'not a GGUF file (bad magic)');
    const version = await r.u32();
    if (version < 2 || version > 3) throw new GgufError(file, `unsupported GGUF version ${version}`);
    const tensorCount = Number(await r.u64());
    const kvCount = Number(await r.u64());
    if (kvCount > MAX_KV) throw new GgufError(file, `corrupt header (${kvCount} metadata entries)`);
    const metadata = new Map<string, GgufValue>();
    for (let i = 0; i < kvCount; i++) {
      const key = await r.string();
      const type = await r.u32();
      metadata.set(key, await r.value(type));
    }
    return summarize(version, tensorCount, metadata);
  } finally {
    await handle.close();
  }
}

function summarize(version: number, tensorCount: number, metadata: Map<string, GgufValue>): GgufInfo {
  const architecture = asString(metadata.get('general.architecture'));
  const contextLength = architecture ? asNumber(metadata.get(`${architecture}.context_length`)) : undefined;
  const tokens = metadata.get('tokenizer.ggml.tokens');
  const list = Array.isArray(tokens) ? (tokens as GgufValue[]) : [];
  const fimTokens: GgufInfo['fimTokens'] = {};
  const byId = (key: string): string | undefined => {
    const id = asNumber(metadata.get(key));
    return id !== undefined && id >= 0 && id < list.length ? asString(list[id]) : undefined;
  };
  // Explicit ids first (both the current and the older key names), then the known token texts.
  fimTokens.prefix = byId('tokenizer.ggml.fim_pre_token_id') ?? byId('tokenizer.ggml.prefix_token_id');
  fimTokens.suffix = byId('tokenizer.ggml.fim_suf_token_id') ?? byId('tokenizer.ggml.suffix_token_id');
  fimTokens.middle = byId('tokenizer.ggml.fim_mid_token_id') ?? byId('tokenizer.ggml.middle_token_id');
  if (!fimTokens.prefix || !fimTokens.suffix || !fimTokens.middle) {
    const present = new Set(list.filter((t): t is string => typeof t === 'string'));
    for (const role of ['prefix', 'suffix', 'middle'] as const) fimTokens[role] ??= FIM_TEXTS[role].find((t) => present.has(t));
  }
  for (const role of ['prefix', 'suffix', 'middle'] as const) if (fimTokens[role] === undefined) delete fimTokens[role];
  return {
    version,
    tensorCount,
    metadata,
    architecture,
    contextLength,
    vocabularySize: list.length || undefined,
    fimTokens,
    hasChatTemplate: typeof metadata.get('tokenizer.chat_template') === 'string',
  };
}

function asString(v: GgufValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function asNumber(v: GgufValue | undefined): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
}

/** Sequential little-endian reads through a window, so only the header is ever read. */
class Reader {
  private buffer = Buffer.alloc(0);
  private start = 0; // file offset of buffer[0]
  private at = 0; // file offset of the next read

  constructor(
    private readonly handle: FileHandle,
    private readonly size: number,
    private readonly file: string,
  ) {}

  private async need(n: number): Promise<Buffer> {
    if (this.at + n > this.size) throw new GgufError(this.file, 'truncated (the metadata runs past the end of the file)');
    if (this.at < this.start || this.at + n > this.start + this.buffer.length) {
      const length = Math.min(Math.max(n, 1 << 20), this.size - this.at);
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await this.handle.read(buffer, 0, length, this.at);
      this.buffer = buffer.subarray(0, bytesRead);
      this.start = this.at;
    }
    const from = this.at - this.start;
    this.at += n;
    return this.buffer.subarray(from, from + n);
  }

  async u32(): Promise<number> {
    return (await this.need(4)).readUInt32LE(0);
  }

  async u64(): Promise<bigint> {
    return (await this.need(8)).readBigUInt64LE(0);
  }

  async string(): Promise<string> {
    const length = Number(await this.u64());
    if (length > MAX_STRING) throw new GgufError(this.file, `corrupt string length ${length}`);
    return (await this.need(length)).toString('utf8');
  }

  async value(type: number): Promise<GgufValue> {
    switch (type) {
      case 0:
        return (await this.need(1)).readUInt8(0);
      case 1:
        return (await this.need(1)).readInt8(0);
      case 2:
        return (await this.need(2)).readUInt16LE(0);
      case 3:
        return (await this.need(2)).readInt16LE(0);
      case 4:
        return this.u32();
      case 5:
        return (await this.need(4)).readInt32LE(0);
      case 6:
        return (await this.need(4)).readFloatLE(0);
      case 7:
        return (await this.need(1)).readUInt8(0) !== 0;
      case 8:
        return this.string();
      case 9: {
        const elementType = await this.u32();
        const count = Number(await this.u64());
        if (count > MAX_ARRAY) throw new GgufError(this.file, `corrupt array length ${count}`);
        const out: GgufValue[] = new Array(count);
        for (let i = 0; i < count; i++) out[i] = await this.value(elementType);
        return out;
      }
      case 10:
        return this.u64();
      case 11:
        return (await this.need(8)).readBigInt64LE(0);
      case 12:
        return (await this.need(8)).readDoubleLE(0);
      default:
        throw new GgufError(this.file, `corrupt metadata (unknown value type ${type})`);
    }
  }
}
