// Workspace settings as layers: `aros-lsp.json` in the workspace, then the
// client's initializationOptions, then what `workspace/didChangeConfiguration`
// sends (under `aros-lsp` or `arosLsp`), later layers winning.

import { resolveSettings, type SettingsResult, type WorkspaceSettings } from '../config/workspaceSettings';

export class SettingsLayers {
  private client: unknown;

  constructor(
    private readonly root: string,
    private readonly file: unknown,
    private readonly initializationOptions: unknown,
  ) {}

  resolve(): SettingsResult {
    return resolveSettings(this.root, [
      { value: this.file, source: 'workspace', origin: 'aros-lsp.json' },
      { value: this.initializationOptions, source: 'user', origin: 'initializationOptions' },
      { value: this.client, source: 'user', origin: 'workspace/didChangeConfiguration' },
    ]);
  }

  /** The `models` key of aros-lsp.json, checked by the model configuration's own validator. */
  workspaceModels(): unknown {
    return modelsOf(this.file);
  }

  clientModels(): unknown {
    return modelsOf(this.client);
  }

  /** Takes the section of a didChangeConfiguration payload that is ours; false when there is none. */
  updateFromClient(settings: unknown): boolean {
    if (typeof settings !== 'object' || settings === null) return false;
    const s = settings as Record<string, unknown>;
    const ours = s['aros-lsp'] ?? s.arosLsp;
    if (ours === undefined) return false;
    this.client = ours;
    return true;
  }
}

/** Whether two settings index the same way (the loop's and the statistics' settings do not need a re-index). */
export function sameSettings(a: WorkspaceSettings, b: WorkspaceSettings): boolean {
  const key = (s: WorkspaceSettings): string => JSON.stringify([s.exclude, s.maxFileBytes, s.cacheDir, s.workers, s.breadcrumbDiagnostics]);
  return key(a) === key(b);
}

function modelsOf(layer: unknown): unknown {
  return typeof layer === 'object' && layer !== null ? (layer as Record<string, unknown>).models : undefined;
}
