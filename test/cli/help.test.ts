// `mars2 <command> --help`: the command's one-line description, then its usage with the flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mars2 } from '../helpers/cli';

for (const [cmd, flag] of [['cancel', '--json'], ['solve', '--temperature'], ['train', '--config'], ['tokenizer train', '--min-frequency'], ['model init', '--kv-heads'], ['data synth', '--split']] as const) {
  test(`mars2 ${cmd} --help: description, usage, its flags and an example`, () => {
    const r = mars2([...cmd.split(' '), '--help'], { stack: 'user' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^mars2 ${cmd}: \\S`));
    assert.match(r.stdout, new RegExp(`\\nusage: mars2 ${cmd} `));
    assert.ok(r.stdout.includes(flag), `${flag} is described`);
    assert.match(r.stdout, /Example: mars2 /);
  });
}
