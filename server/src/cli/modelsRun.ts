// `aros-lsp models check [ROLE]` loads each role's model, generates a few
// tokens and prints load time, first-token latency and tokens/s;
// `aros-lsp models run --role ROLE "PROMPT"` streams one generation to stdout.

import { ModelRuntime, ROLES } from '../models/modelRuntime';
import type { ModelConfig } from '../models/modelConfig';
import { ModelError, type GenerateResult, type Role } from '../models/types';
import type { ParsedArgs } from './args';

const CHECK_TOKENS = 32;

export async function modelsCheck(args: ParsedArgs, config: ModelConfig): Promise<number> {
  const only = args.positionals[2];
  if (only !== undefined && !isRole(only)) throw new Error(`unknown role '${only}' (known: ${ROLES.join(', ')})`);
  const roles = only ? [only] : ROLES;
  const runtime = newRuntime(config, args);
  let failed = 0;
  const reports: Record<string, unknown>[] = [];
  try {
    for (const role of roles) {
      try {
        const t0 = performance.now();
        const info = await runtime.load(role);
        const loadMs = performance.now() - t0;
        const r = await runtime.generate(role, checkRequest(role), { onText: () => undefined });
        const report = { role, ok: true, source: info.source, architecture: info.architecture, fim: info.fim, chatTemplate: info.chatTemplate, loadMs, ...speed(r) };
        reports.push(report);
        if (!args.flags.has('json')) {
          process.stdout.write(
            `${role.padEnd(8)} ok  ${info.source}\n         load ${loadMs.toFixed(0)} ms, first token ${report.firstTokenMs.toFixed(1)} ms, ` +
              `${report.tokensPerSecond.toFixed(1)} tokens/s (${r.tokens} tokens, ${r.format})\n`,
          );
        }
      } catch (err) {
        failed++;
        const message = err instanceof ModelError ? err.message : String(err);
        reports.push({ role, ok: false, error: message });
        if (!args.flags.has('json')) process.stdout.write(`${role.padEnd(8)} FAILED  ${message}\n`);
      }
    }
  } finally {
    await runtime.dispose();
  }
  if (args.flags.has('json')) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  return failed > 0 ? 1 : 0;
}

export async function modelsRun(args: ParsedArgs, config: ModelConfig): Promise<number> {
  const role = args.options.get('role') ?? 'codegen';
  if (!isRole(role)) throw new Error(`unknown role '${role}' (known: ${ROLES.join(', ')})`);
  const prompt = args.positionals.slice(2).join(' ');
  if (!prompt) throw new Error('models run needs a prompt: aros-lsp models run --role codegen "int main("');
  const maxTokens = args.options.has('max-tokens') ? Number(args.options.get('max-tokens')) : undefined;
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens > 0)) throw new Error('--max-tokens must be a positive integer');
  const runtime = newRuntime(config, args);
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    const request =
      role === 'llm'
        ? { kind: 'chat' as const, messages: [{ role: 'user' as const, content: prompt }], sampling: { maxTokens } }
        : { kind: 'complete' as const, prompt, sampling: { maxTokens } };
    const r = await runtime.generate(role, request, { signal: controller.signal, onText: (t) => process.stdout.write(t) });
    const s = speed(r);
    process.stdout.write('\n');
    process.stderr.write(`aros-lsp: ${r.tokens} tokens (${r.format}, stop: ${r.stopReason}), first token ${s.firstTokenMs.toFixed(1)} ms, ${s.tokensPerSecond.toFixed(1)} tokens/s\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`aros-lsp: ${err instanceof ModelError ? err.message : String(err)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
    await runtime.dispose();
  }
}

function newRuntime(config: ModelConfig, args: ParsedArgs): ModelRuntime {
  const threads = args.options.get('threads');
  if (threads !== undefined) {
    const t = Number(threads);
    if (!Number.isInteger(t) || t < 0) throw new Error('--threads must be a whole number');
    for (const role of ROLES) config[role] = { ...config[role], threads: t };
  }
  return new ModelRuntime({ config, log: args.flags.has('verbose') ? (m) => process.stderr.write(`aros-lsp: ${m}\n`) : undefined });
}

function checkRequest(role: Role): Parameters<ModelRuntime['generate']>[1] {
  return role === 'llm'
    ? { kind: 'chat', messages: [{ role: 'user', content: 'Write one C statement.' }], sampling: { maxTokens: CHECK_TOKENS, temperature: 0 } }
    : { kind: 'infill', prefix: 'int main(void)\n{\n    ', suffix: '\n}\n', sampling: { maxTokens: CHECK_TOKENS, temperature: 0 } };
}

/** Tokens per second after the first token, which measures decoding, not prompt ingestion. */
function speed(r: GenerateResult): { firstTokenMs: number; tokensPerSecond: number } {
  const first = r.firstTokenMs ?? r.totalMs;
  const decodeMs = r.totalMs - first;
  return { firstTokenMs: first, tokensPerSecond: r.tokens > 1 && decodeMs > 0 ? ((r.tokens - 1) * 1000) / decodeMs : 0 };
}

function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}
