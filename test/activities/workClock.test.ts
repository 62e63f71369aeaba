// The worker's time split (src/activities/workClock): overlapping work goes to the kind that ranks
// first, the five parts add up to the window, and a window before the clock began is not covered.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkClock } from '../../src/activities/workClock';

/** A clock on a hand-moved time: `at(t)` sets it. */
function manual(start = 1000) {
  let now = start;
  return { clock: new WorkClock(() => now), at: (t: number) => void (now = t) };
}

/** Work of `kind` that runs until `release()` is called. */
function hold(clock: WorkClock, kind: Parameters<WorkClock['time']>[0]) {
  let release!: () => void;
  const done = clock.time(kind, () => new Promise<void>((r) => (release = r)));
  return async () => {
    release();
    await done;
  };
}

test('overlapping work: each instant goes to the kind that ranks first (train > generate > sandbox > activity > idle)', async () => {
  const { clock, at } = manual();
  at(1100);
  const activity = hold(clock, 'activity'); // 1100: an activity starts
  at(1200);
  const gen = hold(clock, 'generate'); // 1200: it generates
  at(1250);
  const sbx = hold(clock, 'sandbox'); // 1250: another one's tests run beside it
  at(1300);
  await gen(); // 1300: generation ends, tests go on
  at(1400);
  await sbx(); // 1400
  at(1450);
  await activity(); // 1450
  at(1500);
  const train = hold(clock, 'train');
  const gen2 = hold(clock, 'generate');
  at(1600);
  await gen2();
  await train();
  at(1700);
  assert.deepEqual(clock.split(1000, 1700), { trainMs: 100, generateMs: 100, sandboxMs: 100, activityMs: 150, idleMs: 250 });
  // A window inside: 1250–1420 is generate 50, sandbox 100, activity 20.
  assert.deepEqual(clock.split(1250, 1420), { trainMs: 0, generateMs: 50, sandboxMs: 100, activityMs: 20, idleMs: 0 });
});

test('a window that runs on past the last change counts the time since as the kind in flight', async () => {
  const { clock, at } = manual();
  const gen = hold(clock, 'generate');
  at(1500);
  assert.deepEqual(clock.split(1000, 2000), { trainMs: 0, generateMs: 1000, sandboxMs: 0, activityMs: 0, idleMs: 0 });
  await gen();
});

test('a failing piece of work still ends: the clock goes back to idle', async () => {
  const { clock, at } = manual();
  await assert.rejects(
    clock.time('sandbox', async () => {
      at(1200);
      throw new Error('boom');
    }),
    /boom/,
  );
  at(1500);
  assert.deepEqual(clock.split(1000, 1500), { trainMs: 0, generateMs: 0, sandboxMs: 200, activityMs: 0, idleMs: 300 });
});

test('covers: only windows from the clock\'s start on', () => {
  const { clock } = manual(1000);
  assert.equal(clock.covers(999), false);
  assert.equal(clock.covers(1000), true);
  assert.equal(clock.covers(5000), true);
});
