// `aros-lsp models list [--json] [--config FILE]`: the configured roles and
// what their files are, read from GGUF metadata without loading weights.

import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { readGgufInfo } from '../models/ggufInfo';
import { isLocalPath, loadModelConfig, type RoleConfig } from '../models/modelConfig';
import type { ParsedArgs } from './args';

interface RoleReport {
  role: string;
  model: string;
  status: 'ok' | 'missing' | 'invalid' | 'remote';
  message?: string;
  bytes?: number;
  architecture?: string;
  contextLength?: number;
  vocabularySize?: number;
  fim?: boolean;
  chatTemplate?: boolean;
}

export async function modelsCommand(args: ParsedArgs): Promise<number> {
  const sub = args.positionals[1] ?? 'list';
  if (sub !== 'list') throw new Error(`unknown models command '${sub}' (known: list)`);
  const configFile = args.options.get('config');
  const { config, problems } = loadModelConfig(
    configFile ? [{ value: readJson(configFile), origin: configFile, baseDir: path.dirname(path.resolve(configFile)) }] : [],
  );
  for (const p of problems) process.stderr.write(`aros-lsp: ${p}\n`);
  const reports = await Promise.all((['codegen', 'llm'] as const).map((role) => describeRole(role, config[role])));
  if (args.flags.has('json')) {
    process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  } else {
    for (const r of reports) {
      const facts =
        r.status === 'ok'
          ? `${r.architecture ?? '?'}, context ${r.contextLength ?? '?'}, ${r.vocabularySize ?? '?'} tokens, ` +
            `FIM ${r.fim ? 'yes' : 'no'}, chat template ${r.chatTemplate ? 'yes' : 'no'}, ${((r.bytes ?? 0) / 2 ** 20).toFixed(1)} MiB`
          : (r.message ?? r.status);
      process.stdout.write(`${r.role.padEnd(8)} ${r.model}\n         ${facts}\n`);
    }
  }
  return reports.some((r) => r.status === 'invalid') || problems.length > 0 ? 1 : 0;
}

async function describeRole(role: string, cfg: RoleConfig): Promise<RoleReport> {
  if (cfg.endpoint) return { role, model: cfg.endpoint, status: 'remote', message: `remote endpoint${cfg.remote_model ? `, model ${cfg.remote_model}` : ''}` };
  const model = cfg.model_path ?? '';
  if (!model) return { role, model, status: 'invalid', message: 'no model_path configured' };
  if (!isLocalPath(model)) return { role, model, status: 'remote', message: 'a reference to download (`models pull` is not built yet)' };
  let bytes: number;
  try {
    bytes = (await stat(model)).size;
  } catch (err) {
    return { role, model, status: 'missing', message: `not found (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  try {
    const info = await readGgufInfo(model);
    return {
      role,
      model,
      status: 'ok',
      bytes,
      architecture: info.architecture,
      contextLength: info.contextLength,
      vocabularySize: info.vocabularySize,
      fim: Boolean(info.fimTokens.prefix && info.fimTokens.suffix && info.fimTokens.middle),
      chatTemplate: info.hasChatTemplate,
    };
  } catch (err) {
    return { role, model, status: 'invalid', message: (err as Error).message };
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}
