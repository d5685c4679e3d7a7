import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GgufError, readGgufInfo } from '../../server/src/models/ggufInfo';
import { ggufBytes, writeGguf, type Meta } from './ggufWriter';

const SHARED = path.resolve(__dirname, '..', '..', '..', 'shared', 'models');
const dir = mkdtempSync(path.join(os.tmpdir(), 'gguf-'));

const VOCAB = ['<unk>', '<s>', '</s>', 'int', ' x', '<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|im_start|>', '<|im_end|>'];

function base(extra: Record<string, Meta> = {}): Record<string, Meta> {
  return {
    'general.architecture': { type: 'string', value: 'llama' },
    'llama.context_length': { type: 'u32', value: 512 },
    'tokenizer.ggml.model': { type: 'string', value: 'llama' },
    'tokenizer.ggml.tokens': { type: 'strings', value: VOCAB },
    'tokenizer.ggml.scores': { type: 'f32s', value: VOCAB.map(() => 0) },
    ...extra,
  };
}

describe('readGgufInfo on the shared models', () => {
  it('stories260K: llama, context 2048, 512 tokens, no FIM, no chat template', async () => {
    const info = await readGgufInfo(path.join(SHARED, 'stories260K.gguf'));
    expect([info.version, info.architecture, info.contextLength, info.vocabularySize, info.fimTokens, info.hasChatTemplate]).toEqual([3, 'llama', 2048, 512, {}, false]);
    expect(info.tensorCount).toBe(48);
  });

  it('llama-2-tiny-random: llama, context 4096, 32,000 tokens, no FIM, no chat template', async () => {
    const info = await readGgufInfo(path.join(SHARED, 'llama-2-tiny-random.gguf'));
    expect([info.architecture, info.contextLength, info.vocabularySize, info.fimTokens, info.hasChatTemplate]).toEqual(['llama', 4096, 32000, {}, false]);
  });
});

describe('readGgufInfo on files we write', () => {
  it('finds FIM tokens by the ids the metadata names, and the chat template', async () => {
    const file = path.join(dir, 'fim-ids.gguf');
    writeGguf(
      file,
      base({
        'tokenizer.ggml.fim_pre_token_id': { type: 'u32', value: 5 },
        'tokenizer.ggml.fim_suf_token_id': { type: 'u32', value: 6 },
        'tokenizer.ggml.fim_mid_token_id': { type: 'u32', value: 7 },
        'tokenizer.chat_template': { type: 'string', value: "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}" },
      }),
    );
    const info = await readGgufInfo(file);
    expect(info.fimTokens).toEqual({ prefix: '<|fim_prefix|>', suffix: '<|fim_suffix|>', middle: '<|fim_middle|>' });
    expect([info.hasChatTemplate, info.contextLength, info.vocabularySize, info.tensorCount]).toEqual([true, 512, 10, 0]);
  });

  it('finds FIM tokens by their text when no ids are given; the older id keys work too', async () => {
    const byText = path.join(dir, 'fim-text.gguf');
    writeGguf(byText, base());
    expect((await readGgufInfo(byText)).fimTokens).toEqual({ prefix: '<|fim_prefix|>', suffix: '<|fim_suffix|>', middle: '<|fim_middle|>' });
    const older = path.join(dir, 'fim-old.gguf');
    writeGguf(older, {
      ...base(),
      'tokenizer.ggml.tokens': { type: 'strings', value: ['<unk>', 'A', 'B', 'C'] },
      'tokenizer.ggml.prefix_token_id': { type: 'u32', value: 1 },
      'tokenizer.ggml.suffix_token_id': { type: 'u32', value: 2 },
      'tokenizer.ggml.middle_token_id': { type: 'u32', value: 3 },
    });
    expect((await readGgufInfo(older)).fimTokens).toEqual({ prefix: 'A', suffix: 'B', middle: 'C' });
  });

  it('bad files are a GgufError naming the file and the cause', async () => {
    const cases: Array<[string, Buffer | null, RegExp]> = [
      ['missing.gguf', null, /missing\.gguf: cannot open \(ENOENT\)$/],
      ['text.gguf', Buffer.from('not a model at all'), /text\.gguf: not a GGUF file \(bad magic\)$/],
      ['truncated.gguf', ggufBytes(base()).subarray(0, 60), /truncated\.gguf: truncated/],
      ['empty.gguf', Buffer.alloc(0), /empty\.gguf: truncated/],
    ];
    // A version this reader does not know.
    const v9 = ggufBytes(base());
    v9.writeUInt32LE(9, 4);
    cases.push(['v9.gguf', v9, /v9\.gguf: unsupported GGUF version 9$/]);
    // A corrupt value type in the first entry.
    const badType = ggufBytes({ 'general.architecture': { type: 'string', value: 'llama' } });
    badType.writeUInt32LE(99, 24 + 8 + 'general.architecture'.length);
    cases.push(['type.gguf', badType, /type\.gguf: corrupt metadata \(unknown value type 99\)$/]);
    for (const [name, bytes, message] of cases) {
      const file = path.join(dir, name);
      if (bytes) writeFileSync(file, bytes);
      const err = await readGgufInfo(file).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, name).toBeInstanceOf(GgufError);
      expect((err as Error).message, name).toMatch(message);
    }
    // The reader never changed the files it was given.
    expect(readFileSync(path.join(dir, 'text.gguf'), 'utf8')).toBe('not a model at all');
  });
});
