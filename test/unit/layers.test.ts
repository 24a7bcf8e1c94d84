/**
 * The layer rules hold: engine code cannot import electron, the renderer cannot import Node
 * built-ins or backend code, and may import only types from the shared contract.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/data.js';

const eslint = new ESLint({ cwd: REPO });

async function messages(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layer rules', () => {
  it.each([
    'electron/engine/x.ts',
    'electron/cli/x.ts',
    'electron/server/x.ts',
    'electron/common/x.ts',
  ])('%s may not import electron', async (file) => {
    const out = await messages("import { app } from 'electron';\nexport const a = app;\n", file);
    expect(out.join('\n')).toMatch(/Electron-free/);
  });

  it('electron/main may import electron', async () => {
    const out = await messages(
      "import { app } from 'electron';\nexport const a = app;\n",
      'electron/main/x.ts',
    );
    expect(out.join('\n')).not.toMatch(/restricted/);
  });

  it('the renderer may not import Node built-ins or backend code', async () => {
    const fs = await messages(
      "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;\n",
      'renderer/src/x.ts',
    );
    expect(fs.join('\n')).toMatch(/no Node built-ins/);
    const engine = await messages(
      "import { Backend } from '../../electron/engine/api/backend.js';\nexport const a = Backend;\n",
      'renderer/src/x.ts',
    );
    expect(engine.join('\n')).toMatch(/restricted/);
  });

  it('the renderer may import types, and only types, from the contract', async () => {
    const typeOnly = await messages(
      "import type { PatchView } from '../../electron/common/contract.js';\nexport type P = PatchView;\n",
      'renderer/src/x.ts',
    );
    expect(typeOnly.join('\n')).not.toMatch(/restricted/);
    const value = await messages(
      "import { contract } from '../../electron/common/contract.js';\nexport const c = contract;\n",
      'renderer/src/x.ts',
    );
    expect(value.join('\n')).toMatch(/only types/);
  });
});
