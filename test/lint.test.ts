// The lint rules that keep workflow code deterministic (DESIGN §3): Node built-ins, Math.random and value
// imports of activities are rejected in src/workflows, src/search and src/rl, and allowed elsewhere; and
// the type-aware rule against floating promises, everywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { ESLint } from 'eslint';

const root = join(__dirname, '..');
// The snippets are linted as files that do not exist: the type-aware rules see them in a default project.
const eslint = new ESLint({
  cwd: root,
  overrideConfig: { languageOptions: { parserOptions: { projectService: { allowDefaultProject: ['src/*/example.ts'] } } } },
});

async function ruleIds(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

test("lint rejects import fs from 'node:fs' in a workflow file", async () => {
  const messages = await ruleIds("import fs from 'node:fs';\nexport const x = fs;\n", 'src/workflows/example.ts');
  assert.ok(messages.some((m) => m.startsWith('@typescript-eslint/no-restricted-imports') && /Node built-ins/.test(m)), messages.join('\n'));
});

test('lint rejects bare built-ins, Math.random and process in search and rl code', async () => {
  const search = await ruleIds("import { readFileSync } from 'fs';\nexport const f = readFileSync;\n", 'src/search/example.ts');
  assert.ok(search.some((m) => /Node built-ins/.test(m)), search.join('\n'));
  const rl = await ruleIds('export const r = Math.random() + Number(process.env.X);\n', 'src/rl/example.ts');
  assert.ok(rl.some((m) => m.startsWith('no-restricted-properties')), rl.join('\n'));
  assert.ok(rl.some((m) => m.startsWith('no-restricted-globals')), rl.join('\n'));
});

test('workflow code may import activity types but not activity values', async () => {
  const typeOnly = await ruleIds("import type { PingActivities } from '../activities/ping';\nexport type A = PingActivities;\n", 'src/workflows/example.ts');
  assert.deepEqual(typeOnly, []);
  const value = await ruleIds("import { ping } from '../activities/ping';\nexport const p = ping;\n", 'src/workflows/example.ts');
  assert.ok(value.some((m) => /import type/.test(m)), value.join('\n'));
});

test('the same imports are fine outside workflow code', async () => {
  const messages = await ruleIds("import fs from 'node:fs';\nexport const x = fs;\n", 'src/sandbox/example.ts');
  assert.deepEqual(messages, []);
});

test('a promise nobody awaits is an error; `void` marks one left running on purpose', async () => {
  const floating = await ruleIds('async function f(): Promise<void> {}\nf();\n', 'src/sandbox/example.ts');
  assert.ok(floating.some((m) => m.startsWith('@typescript-eslint/no-floating-promises')), floating.join('\n'));
  assert.deepEqual(await ruleIds('async function f(): Promise<void> {}\nvoid f();\n', 'src/sandbox/example.ts'), []);
  assert.deepEqual(await ruleIds("import { test } from 'node:test';\ntest('t', async () => {});\n", 'src/sandbox/example.ts'), [], 'node:test runs its tests itself');
});
