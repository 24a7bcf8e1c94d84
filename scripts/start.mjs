// `npm start`: the desktop app when an Electron binary is installed; otherwise the same UI as a
// local web app on 127.0.0.1, saying why.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { electronSqliteBinding } from './electron-native.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
    for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  });
}

if (!existsSync(`${root}dist/node/main.js`) || !existsSync(`${root}dist/renderer/index.html`)) {
  const code = await run(process.execPath, ['scripts/build.mjs']);
  if (code !== 0) process.exit(code);
}

// Find the binary without require('electron'): that tries to download it when it is missing.
let electronPath = null;
let reason = '';
try {
  const dir = dirname(require.resolve('electron/package.json'));
  const pathFile = join(dir, 'path.txt');
  const binary = existsSync(pathFile)
    ? join(dir, 'dist', readFileSync(pathFile, 'utf8').trim())
    : null;
  if (binary && existsSync(binary)) electronPath = binary;
  else {
    reason =
      'the Electron binary is not installed (skipped with ELECTRON_SKIP_BINARY_DOWNLOAD, or its download failed)';
  }
} catch (error) {
  reason = `Electron is not installed (${error.message.split('\n')[0]})`;
}
if (
  electronPath &&
  process.platform === 'linux' &&
  !process.env.DISPLAY &&
  !process.env.WAYLAND_DISPLAY
) {
  reason = 'there is no display (DISPLAY/WAYLAND_DISPLAY unset) for a desktop window';
  electronPath = null;
}

if (electronPath) {
  try {
    process.env.LANDWATCH_SQLITE_BINDING = electronSqliteBinding(root);
  } catch (error) {
    reason = `the database module could not be prepared for Electron: ${error.message}`;
    electronPath = null;
  }
}

if (electronPath) {
  process.exit(await run(electronPath, ['.']));
} else {
  const message = `LandWatch desktop could not start: ${reason}. Starting the same UI as a local web app instead.`;
  const args = ['serve', '--reason', message];
  // The bin itself where shebangs work: its line sets the V8 flags and malloc tuning it is
  // measured with (bin/landwatch.js).
  process.exit(
    await (process.platform === 'win32'
      ? run(process.execPath, ['bin/landwatch.js', ...args])
      : run(join(root, 'bin', 'landwatch.js'), args)),
  );
}
