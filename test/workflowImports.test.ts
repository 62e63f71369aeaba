// What the worker's workflow bundle really contains may not touch Node: the value-import graph from
// src/workflows/index.ts (test/helpers/importGraph) reaches no Node built-in and only packages that run
// in Temporal's workflow sandbox. Complements the per-folder lint rule (eslint.config.mjs), which sees
// one file at a time; this follows every file the workflows reach, wherever it lives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importGraph, type ExternalImport } from './helpers/importGraph';

const root = join(__dirname, '..');
/** Pure packages the workflows use today: the SDK's workflow side and zod (src/search/config). */
const WORKFLOW_SAFE = ['@temporalio/workflow', '@temporalio/common', 'zod'];

const packageOf = (s: string) => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/');
const isBuiltin = (s: string) => s.startsWith('node:') || builtinModules.includes(packageOf(s));

function violations(externals: ExternalImport[]): string[] {
  return externals
    .filter((e) => isBuiltin(e.specifier) || !WORKFLOW_SAFE.includes(packageOf(e.specifier)))
    .map((e) => `${isBuiltin(e.specifier) ? 'Node built-in' : 'package not known to be workflow-safe'}: ${e.chain.join(' → ')}`);
}

test('the workflows reach no Node built-in and only workflow-safe packages', () => {
  const graph = importGraph(join(root, 'src', 'workflows', 'index.ts'), root);
  for (const wf of ['searchTree', 'trainingRun', 'evaluation', 'runEvaluation']) assert.ok(graph.files.includes(`src/workflows/${wf}.ts`), `${wf} reached`);
  const bad = violations(graph.externals);
  assert.deepEqual(
    bad,
    [],
    `workflow code runs in Temporal's deterministic sandbox (DESIGN §3): make these imports \`import type\`, move the ` +
      `Node-using code out of what workflows reach, or (for a pure package) add it to WORKFLOW_SAFE here:\n${bad.join('\n')}`,
  );
});

test('the walk follows value imports to folders and files, skips type-only ones, and names the chain', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mars2-imports-'));
  try {
    const file = (name: string, text: string) => {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), text);
    };
    file('index.ts', "import { a } from './a';\nimport type { T } from './typesOnly';\nexport { b } from './lib';\nexport const x = a;\n");
    file('a.ts', "import { type Stats, statSync } from 'fs';\nimport { type Only } from 'node:os';\nexport const a = statSync;\n");
    file('typesOnly.ts', "import { readFileSync } from 'node:fs';\nexport type T = typeof readFileSync;\n");
    file('lib/index.ts', "export type { X } from 'node:path';\nexport const b = () => import('node:crypto');\n");
    const graph = importGraph(join(dir, 'index.ts'));
    assert.deepEqual(graph.files, ['index.ts', 'a.ts', 'lib/index.ts']);
    assert.deepEqual(violations(graph.externals), ['Node built-in: index.ts → a.ts → fs', 'Node built-in: index.ts → lib/index.ts → node:crypto']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
