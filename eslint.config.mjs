// Lint for mars2. The one rule that matters most: code that runs inside Temporal's deterministic
// workflow sandbox (src/workflows and everything it imports: src/search, src/rl) may not import Node
// built-ins, nor activity implementations as values (only `import type`). DESIGN §3. These rules see one
// file at a time, by folder; test/workflowImports.test.ts follows the real import graph from
// src/workflows/index.ts, wherever its files live.
import { builtinModules } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const builtins = builtinModules.filter((m) => !m.startsWith('_'));

const deterministicImports = {
  paths: builtins.map((name) => ({
    name,
    message: 'Node built-ins are not allowed in workflow code or in what it imports (DESIGN §3).',
  })),
  patterns: [
    {
      group: ['node:*'],
      message: 'Node built-ins are not allowed in workflow code or in what it imports (DESIGN §3).',
    },
    {
      group: ['**/activities', '**/activities/**', '@temporalio/activity', '@temporalio/worker', '@temporalio/client'],
      allowTypeImports: true,
      message: 'Workflow code may only `import type` activities (DESIGN §3, STYLE 1).',
    },
    {
      group: ['**/models/**', '**/sandbox/**', '**/store/**', '**/data/**', '**/stack/**', '**/cli/**'],
      allowTypeImports: true,
      message: 'Workflow code may only `import type` from modules that do I/O (DESIGN §3).',
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', '.mars2/**', 'dist/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Type-aware: a promise nobody awaits loses its errors and its ordering (as the Temporal samples lint).
    files: ['*.ts', 'src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: dirname(fileURLToPath(import.meta.url)) } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test runs what these return itself; awaiting a top-level test() only serialises the file.
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
    },
  },
  {
    files: ['src/workflows/**/*.ts', 'src/search/**/*.ts', 'src/rl/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', deterministicImports],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No process access in workflow code.' },
        { name: 'Buffer', message: 'No Buffer in workflow code.' },
        { name: 'require', message: 'No require in workflow code.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Pass the RNG in (DESIGN §5); Math.random is not seeded by us.' },
      ],
    },
  },
);
