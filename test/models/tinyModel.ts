// A tiny llama-architecture GGUF with random weights and a vocabulary that
// holds FIM tokens and ChatML tokens, so tests can drive llama.cpp's FIM and
// chat paths for real (the shared models have neither). Recipe in
// docs/models-research.md §4.

import { ggufBytes, type Meta, type Tensor } from './ggufWriter';
import { writeFileSync } from 'node:fs';
import { mulberry32 } from '../../server/src/bench/seededRandom';

export const FIM_TOKENS = ['<|fim_prefix|>', '<|fim_suffix|>', '<|fim_middle|>', '<|fim_pad|>', '<|file_sep|>'] as const;
export const CHATML_TOKENS = ['<|im_start|>', '<|im_end|>'] as const;
const PIECES = ['▁', '▁int', '▁return', '(', ')', '{', '}', ';', '▁x', '▁=', '0', '1', '▁if', '▁void', '*', ','];

export const CHATML_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export interface TinyModelOptions {
  /** FIM tokens in the vocabulary (default true). */
  fim?: boolean;
  /** Other texts for the prefix, suffix and middle tokens (default the first three of FIM_TOKENS). */
  fimTexts?: [string, string, string];
  /** Name the FIM tokens' ids in the metadata (default true). */
  fimIds?: boolean;
  /** A chat template; null leaves the key out (default ChatML). */
  chatTemplate?: string | null;
  architecture?: string;
  blockCount?: number;
  seed?: number;
}

export interface TinyVocabulary {
  tokens: string[];
  /** Token id by text. */
  id: (text: string) => number;
}

export function tinyVocabulary(fim = true, fimTexts?: [string, string, string]): TinyVocabulary {
  const tokens = ['<unk>', '<s>', '</s>'];
  for (let b = 0; b < 256; b++) tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
  if (fim) tokens.push(...(fimTexts ?? FIM_TOKENS.slice(0, 3)), ...FIM_TOKENS.slice(3));
  tokens.push(...CHATML_TOKENS, ...PIECES);
  return { tokens, id: (t) => tokens.indexOf(t) };
}

export function tinyModelBytes(options: TinyModelOptions = {}): Buffer {
  const arch = options.architecture ?? 'llama';
  const nEmbd = 64;
  const nFf = 128;
  const nHead = 4;
  const nHeadKv = 2;
  const headDim = nEmbd / nHead;
  const layers = options.blockCount ?? 2;
  const vocab = tinyVocabulary(options.fim ?? true, options.fimTexts);
  const nVocab = vocab.tokens.length;
  const control = new Set<string>([...(options.fimTexts ?? []), ...FIM_TOKENS, ...CHATML_TOKENS]);
  const types = vocab.tokens.map((t, i) => (i === 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : control.has(t) ? 3 : 1));
  const meta: Record<string, Meta> = {
    'general.architecture': { type: 'string', value: arch },
    'general.name': { type: 'string', value: 'aros-tiny-fim' },
    'general.file_type': { type: 'u32', value: 0 },
    [`${arch}.context_length`]: { type: 'u32', value: 512 },
    [`${arch}.embedding_length`]: { type: 'u32', value: nEmbd },
    [`${arch}.block_count`]: { type: 'u32', value: layers },
    [`${arch}.feed_forward_length`]: { type: 'u32', value: nFf },
    [`${arch}.attention.head_count`]: { type: 'u32', value: nHead },
    [`${arch}.attention.head_count_kv`]: { type: 'u32', value: nHeadKv },
    [`${arch}.rope.dimension_count`]: { type: 'u32', value: headDim },
    [`${arch}.attention.layer_norm_rms_epsilon`]: { type: 'f32', value: 1e-5 },
    [`${arch}.rope.freq_base`]: { type: 'f32', value: 10000 },
    'tokenizer.ggml.model': { type: 'string', value: 'llama' },
    'tokenizer.ggml.tokens': { type: 'strings', value: vocab.tokens },
    'tokenizer.ggml.scores': { type: 'f32s', value: vocab.tokens.map((_, i) => (i < 259 ? 0 : -i / 100)) },
    'tokenizer.ggml.token_type': { type: 'i32s', value: types },
    'tokenizer.ggml.bos_token_id': { type: 'u32', value: 1 },
    'tokenizer.ggml.eos_token_id': { type: 'u32', value: 2 },
    'tokenizer.ggml.unknown_token_id': { type: 'u32', value: 0 },
    'tokenizer.ggml.add_bos_token': { type: 'bool', value: true },
  };
  if ((options.fim ?? true) && (options.fimIds ?? true)) {
    const [pre, suf, mid] = options.fimTexts ?? FIM_TOKENS;
    meta['tokenizer.ggml.fim_pre_token_id'] = { type: 'u32', value: vocab.id(pre) };
    meta['tokenizer.ggml.fim_suf_token_id'] = { type: 'u32', value: vocab.id(suf) };
    meta['tokenizer.ggml.fim_mid_token_id'] = { type: 'u32', value: vocab.id(mid) };
  }
  const template = options.chatTemplate === undefined ? CHATML_TEMPLATE : options.chatTemplate;
  if (template !== null) meta['tokenizer.chat_template'] = { type: 'string', value: template };

  const random = mulberry32(options.seed ?? 1);
  const matrix = (name: string, cols: number, rows: number): Tensor => {
    const data = new Float32Array(cols * rows);
    for (let i = 0; i < data.length; i++) data[i] = (random() - 0.5) * 0.2;
    return { name, dims: [cols, rows], data };
  };
  const ones = (name: string, n: number): Tensor => ({ name, dims: [n], data: new Float32Array(n).fill(1) });
  const tensors: Tensor[] = [matrix('token_embd.weight', nEmbd, nVocab), ones('output_norm.weight', nEmbd), matrix('output.weight', nEmbd, nVocab)];
  for (let i = 0; i < layers; i++) {
    tensors.push(
      ones(`blk.${i}.attn_norm.weight`, nEmbd),
      matrix(`blk.${i}.attn_q.weight`, nEmbd, nEmbd),
      matrix(`blk.${i}.attn_k.weight`, nEmbd, nHeadKv * headDim),
      matrix(`blk.${i}.attn_v.weight`, nEmbd, nHeadKv * headDim),
      matrix(`blk.${i}.attn_output.weight`, nEmbd, nEmbd),
      ones(`blk.${i}.ffn_norm.weight`, nEmbd),
      matrix(`blk.${i}.ffn_gate.weight`, nEmbd, nFf),
      matrix(`blk.${i}.ffn_up.weight`, nEmbd, nFf),
      matrix(`blk.${i}.ffn_down.weight`, nFf, nEmbd),
    );
  }
  return ggufBytes(meta, tensors);
}

export function writeTinyModel(file: string, options: TinyModelOptions = {}): string {
  writeFileSync(file, tinyModelBytes(options));
  return file;
}
