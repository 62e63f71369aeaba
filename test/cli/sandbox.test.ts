// `mars2 sandbox run` end to end on the real Docker engine: exit codes, the JSON report, and errors that
// say what was expected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxRunCommand } from '../../src/cli/sandbox';
import { UserError } from '../../src/cli/command';

const dir = mkdtempSync(join(tmpdir(), 'mars2-sandbox-cli-'));
const problems = join(dir, 'p.jsonl');
writeFileSync(
  problems,
  [
    { id: 'sum', prompt: '', style: 'stdio', public_tests: [{ input: '1 2\n', output: '3\n' }], private_tests: [{ input: '2 2\n', output: '4\n' }] },
    { id: 'other', prompt: '', style: 'stdio', public_tests: [{ input: '', output: '\n' }], private_tests: [] },
  ]
    .map((p) => JSON.stringify(p))
    .join('\n'),
);
const good = join(dir, 'good.py');
writeFileSync(good, 'a, b = map(int, input().split())\nprint(a + b)\n');
const bad = join(dir, 'bad.py');
writeFileSync(bad, 'print(0)\n');

async function capture(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    return { code: await sandboxRunCommand.run(argv), out: lines.join('\n') };
  } finally {
    console.log = log;
  }
}

test('sandbox run: AC exits 0, WA exits 1 with the report as JSON', async () => {
  const ok = await capture(['--problem', problems, '--id', 'sum', '--code', good, '--tests', 'all', '--json']);
  assert.equal(ok.code, 0);
  const report = JSON.parse(ok.out);
  assert.equal(report.verdict, 'AC');
  assert.equal(report.passed, 2);
  const wrong = await capture(['--problem', problems, '--id', 'sum', '--code', bad]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.out, /sum: WA, 0\/1 passed/);
});

test('sandbox run: a file with several problems needs --id, and an unknown id is named', async () => {
  await assert.rejects(sandboxRunCommand.run(['--problem', problems, '--code', good]), (e: Error) => e instanceof UserError && /choose one with --id/.test(e.message));
  await assert.rejects(sandboxRunCommand.run(['--problem', problems, '--id', 'nope', '--code', good]), /has no problem 'nope'/);
});
