// ESLint flat config. Besides the usual TypeScript rules it enforces LandWatch's layers:
//  - electron/common: runs everywhere (Node, Electron, browser) -> no Node built-ins, no electron
//  - electron/engine, cli, server: plain Node -> never import electron
//  - renderer: browser only -> no Node built-ins, no electron, and only *types* from electron/
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

const noElectron = {
  name: 'electron',
  message:
    'Engine code must stay Electron-free: only electron/main and electron/preload may import electron.',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'release/**',
      'test-results/**',
      'playwright-report/**',
      'models/training/**',
      'test/artifacts/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['electron/engine/**', 'electron/cli/**', 'electron/server/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron] }] },
  },
  {
    files: ['electron/common/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            noElectron,
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'electron/common runs in the browser too: no Node built-ins.',
            })),
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'The renderer talks to the backend only through the API contract.',
            },
            ...nodeBuiltins.map((name) => ({
              name,
              message: 'The renderer runs in a sandboxed browser: no Node built-ins.',
            })),
          ],
          patterns: [
            {
              group: ['**/electron/**', '!**/electron/common/**'],
              message: 'The renderer may import only from electron/common.',
            },
            {
              group: ['**/electron/common/**'],
              allowTypeImports: true,
              message: 'The renderer imports only types from the shared contract.',
            },
          ],
        },
      ],
    },
  },
);
