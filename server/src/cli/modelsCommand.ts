// `aros-lsp models list [--json] [--config FILE]`: the configured roles and
// what their files are, read from GGUF metadata without loading weights.
// `aros-lsp models pull` is in modelsPull.ts, `check` and `run` in modelsRun.ts.

import { existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { readGgufInfo } from '../models/ggufInfo';
import { isLocalPath, loadModelConfig, type RoleConfig } from '../models/modelConfig';
import { cachedModelPath } from '../models/modelFiles';
import type { ParsedArgs } from './args';
import { modelsPull } from './modelsPull';
import { modelsCheck, modelsRun } from './modelsRun';

interface RoleReport {
  role: string;
  model: string;
  status: 'ok' | 'missing' | 'invalid' | 'remote';
  message?: string;
  /** The downloaded copy of a reference, when there is one. */
  file?: string;
  bytes?: number;
  architecture?: string;
  contextLength?: number;
  vocabularySize?: number;
  fim?: boolean;
  chatTemplate?: boolean;
}

export async function modelsCommand(args: ParsedArgs): Promise<number> {
  const sub = args.positionals[1] ?? 'list';
  if (!['list', 'pull', 'check', 'run'].includes(sub)) throw new Error(`unknown models command '${sub}' (known: list, pull, check, run)`);
  const { config, problems } = cliModelConfig(args);
  if (sub === 'pull') return modelsPull(args, config);
  if (sub === 'check') return modelsCheck(args, config);
  if (sub === 'run') return modelsRun(args, config);
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
      process.stdout.write(`${r.role.padEnd(8)} ${r.model}${r.file ? ` (${r.file})` : ''}\n         ${facts}\n`);
    }
  }
  return reports.some((r) => r.status === 'invalid') || problems.length > 0 ? 1 : 0;
}

async function describeRole(role: string, cfg: RoleConfig): Promise<RoleReport> {
  if (cfg.endpoint) return { role, model: cfg.endpoint, status: 'remote', message: `remote endpoint${cfg.remote_model ? `, model ${cfg.remote_model}` : ''}` };
  const model = cfg.model_path ?? '';
  if (!model) return { role, model, status: 'invalid', message: 'no model_path configured' };
  let file = model;
  if (!isLocalPath(model)) {
    try {
      file = cachedModelPath(model);
    } catch (err) {
      return { role, model, status: 'invalid', message: (err as Error).message };
    }
    // Not downloaded: say so; downloaded: describe the cached file like a local one.
    if (!existsSync(file)) return { role, model, status: 'remote', message: `not downloaded yet (\`aros-lsp models pull ${role}\` fetches it to ${file})` };
  }
  let bytes: number;
  try {
    bytes = (await stat(file)).size;
  } catch (err) {
    return { role, model, status: 'missing', message: `not found (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  try {
    const info = await readGgufInfo(file);
    return {
      role,
      model,
      ...(file !== model ? { file } : {}),
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

/** config/models.json plus the file named by --config; problems are printed to stderr. */
export function cliModelConfig(args: ParsedArgs): ReturnType<typeof loadModelConfig> {
  const configFile = args.options.get('config');
  const result = loadModelConfig(configFile ? [{ value: readJson(configFile), origin: configFile, baseDir: path.dirname(path.resolve(configFile)) }] : []);
  for (const p of result.problems) process.stderr.write(`aros-lsp: ${p}\n`);
  return result;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
}
