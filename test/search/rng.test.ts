// The seeded PRNG: the reference xoshiro128** sequence, snapshots that resume the same stream,
// seeds that separate, and the uniform's range and first two moments.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/search/rng';

test('xoshiro128** from state [1, 2, 3, 4] gives the reference outputs', () => {
  // Worked by hand from the reference C code: rotl(s1·5, 7)·9, then the state update.
  const rng = Rng.fromState({ s: [1, 2, 3, 4] });
  assert.deepEqual([rng.uint32(), rng.uint32(), rng.uint32()], [11520, 0, 5927040]);
});

test('a snapshot resumes the same stream, also after a JSON round trip', () => {
  const rng = Rng.seeded(7, 'problem-12', 3);
  for (let i = 0; i < 100; i++) rng.uniform();
  const snap = JSON.parse(JSON.stringify(rng.state()));
  const a = Array.from({ length: 50 }, () => rng.uniform());
  const b = Rng.fromState(snap);
  assert.deepEqual(
    Array.from({ length: 50 }, () => b.uniform()),
    a,
  );
});

test('clone is independent of the original', () => {
  const rng = Rng.seeded(1);
  const c = rng.clone();
  const x = rng.uniform();
  assert.equal(c.uniform(), x);
  rng.uniform();
  assert.notEqual(c.state().s.join(), rng.state().s.join());
});

test('the same parts give the same stream; different parts (also 1 vs "1") do not', () => {
  const first = (...p: Array<number | string>) => Rng.seeded(...p).uint32();
  assert.equal(first(42, 0), first(42, 0));
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) seen.add(first(42, i));
  assert.equal(seen.size, 1000);
  assert.notEqual(first(1), first('1'));
  assert.notEqual(first(1, 2), first(12));
});

test('fromState rejects malformed and all-zero states, naming the expected form', () => {
  assert.throws(() => Rng.fromState({ s: [0, 0, 0, 0] }), /all zero/);
  assert.throws(() => Rng.fromState({ s: [1, 2, 3] } as never), /four uint32/);
  assert.throws(() => Rng.fromState({ s: [1, 2, 3, 2 ** 32] }), /four uint32/);
  assert.throws(() => Rng.seeded(Number.NaN), /finite/);
});

test('uniform lies in [0, 1) with mean 1/2 and variance 1/12', () => {
  const rng = Rng.seeded('uniform moments');
  const n = 200_000;
  let sum = 0;
  let sumSq = 0;
  let min = 1;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    sum += u;
    sumSq += u * u;
    min = Math.min(min, u);
    max = Math.max(max, u);
  }
  const mean = sum / n;
  const variance = sumSq / n - mean * mean;
  assert.ok(min >= 0 && max < 1, `range [${min}, ${max}]`);
  assert.ok(Math.abs(mean - 0.5) < 5 * Math.sqrt(1 / 12 / n), `mean ${mean}`);
  assert.ok(Math.abs(variance - 1 / 12) < 5 * Math.sqrt(1 / 180 / n), `variance ${variance}`);
});
