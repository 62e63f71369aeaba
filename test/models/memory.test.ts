// Memory that stays flat over policy versions (issue 15 item 4), counted rather than measured (RSS is
// noisy): the live ORT sessions (src/models/ortSessions.ts) and the models a ModelHost holds after each
// version.
//   - ModelHost: ten checkpoint versions of one agent as the workflow asks for them (`<root>/<agent>/v<n>`)
//     leave one model and its two sessions live; a second lineage and the base model sit beside it;
//     close releases every session;
//   - TrainService: ten trainSteps keep one trainer's sessions, and close releases them;
//   - TrainerKeep (the worker's trainers): past `max` open, the least recently used idle one is closed
//     (its sessions released), an idle one past idleMs too, one with a step in flight never; a closed
//     run's next step spawns a fresh trainer that continues from its checkpoint.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lineageOf, ModelHost } from '../../src/models/host';
import { liveSessions } from '../../src/models/ortSessions';
import { TrainerKeep } from '../../src/models/train/keep';
import { TrainService } from '../../src/models/train/service';

const llama = join(__dirname, '..', 'fixtures', 'models', 'llama');

describe('memory over policy versions', () => {
  test('lineageOf: a run checkpoint `<root>/<agent>/v<n>` at version n belongs to `<root>/<agent>`; any other directory to itself', () => {
    assert.equal(lineageOf('/r/ckpt/coder/v3', 3), '/r/ckpt/coder');
    assert.equal(lineageOf('/r/ckpt/coder/v3', 0), '/r/ckpt/coder/v3');
    assert.equal(lineageOf('/models/base', 2), '/models/base');
  });

  test('ModelHost: ten versions of one agent leave one model and its two sessions live; close releases all', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mars2-memory-'));
    const host = new ModelHost({ threads: 1 });
    const before = liveSessions();
    const req = { prompt: 'def', sampling: { greedy: true }, maxNewTokens: 2 };
    try {
      await host.generate({ ...req, model: llama });
      for (let v = 1; v <= 10; v++) {
        const dir = join(root, 'coder', `v${v}`);
        cpSync(llama, dir, { recursive: true });
        const r = await host.generate({ ...req, model: { dir, version: v } });
        assert.equal(r.version, v);
        assert.deepEqual(host.stats(), { current: 2, retiring: 0 }, `after v${v}: the base model and coder's latest version`);
        assert.equal(liveSessions() - before, 4, `after v${v}: two sessions per loaded model`);
      }
      cpSync(llama, join(root, 'tester', 'v1'), { recursive: true });
      await host.generate({ ...req, model: { dir: join(root, 'tester', 'v1'), version: 1 } });
      assert.deepEqual(host.stats(), { current: 3, retiring: 0 }, "another agent's lineage loads beside coder's");
    } finally {
      await host.close();
      rmSync(root, { recursive: true, force: true });
    }
    assert.equal(liveSessions(), before);
  });

  test('ModelHost: two lineages retiring at once, many requests ending together: each old model is released once, nothing throws', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mars2-memory-'));
    const host = new ModelHost({ threads: 1 });
    const before = liveSessions();
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (const agent of ['a', 'b']) for (let v = 1; v <= 4; v++) cpSync(llama, join(root, agent, `v${v}`), { recursive: true });
      for (let v = 1; v <= 4; v++) {
        // Both agents move to version v together (a heterogeneous iteration), eight requests each, of different lengths.
        const rs = await Promise.all(['a', 'b'].flatMap((agent) => Array.from({ length: 8 }, (_, i) =>
          host.generate({ model: { dir: join(root, agent, `v${v}`), version: v }, prompt: 'def', seed: i, sampling: { temperature: 1 }, maxNewTokens: 1 + (i % 4) }))));
        assert.ok(rs.every((r) => r.version === v));
        await new Promise((r) => setTimeout(r, 50)); // the sweeps the last requests started
        assert.deepEqual(host.stats(), { current: 2, retiring: 0 }, `after v${v}: one model per agent`);
        assert.equal(liveSessions() - before, 4, `after v${v}: two sessions per agent`);
      }
      assert.deepEqual(unhandled, [], 'no release failed (a session released twice throws)');
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await host.close();
      rmSync(root, { recursive: true, force: true });
    }
    assert.equal(liveSessions(), before);
  });

  test('ModelHost: past maxModels the least recently requested model is released; a request for it loads it again', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mars2-memory-'));
    const host = new ModelHost({ threads: 1, maxModels: 2 });
    const before = liveSessions();
    const req = { prompt: 'def', sampling: { greedy: true }, maxNewTokens: 2 };
    try {
      const runs = ['r1', 'r2', 'r3'].map((r) => join(root, r, 'coder', 'v1'));
      for (const dir of runs) cpSync(llama, dir, { recursive: true });
      const first = await host.generate({ ...req, model: { dir: runs[0]!, version: 1 } });
      await host.generate({ ...req, model: { dir: runs[1]!, version: 1 } });
      await host.generate({ ...req, model: { dir: runs[0]!, version: 1 } }); // r1 used last: r2 is the oldest
      await host.generate({ ...req, model: { dir: runs[2]!, version: 1 } });
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(host.stats(), { current: 2, retiring: 0 }, 'three runs, two models kept');
      assert.equal(liveSessions() - before, 4, "r2's sessions released");
      const again = await host.generate({ ...req, model: { dir: runs[0]!, version: 1 } });
      assert.deepEqual(again.tokenIds, first.tokenIds, 'r1 (kept: used more recently than r2) answers as before');
      const r2 = await host.generate({ ...req, model: { dir: runs[1]!, version: 1 } });
      assert.deepEqual(r2.tokenIds, first.tokenIds, 'r2 loads again');
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(host.stats(), { current: 2, retiring: 0 });
    } finally {
      await host.close();
      rmSync(root, { recursive: true, force: true });
    }
    assert.equal(liveSessions(), before);
  });

  test('TrainService: ten trainSteps hold one trainer and its sessions; close releases them', async () => {
    const root = mkdtempSync(join(tmpdir(), 'mars2-memory-'));
    const svc = new TrainService({ baseDir: llama, root, threads: 1 });
    const before = liveSessions();
    const samples = [{ promptIds: [5, 17, 42], completionIds: [100, 101], rolloutLogp: [-3, -3], advantage: 1 }, { promptIds: [3, 8], completionIds: [200, 7, 9], rolloutLogp: [-3, -3, -3], advantage: -1 }];
    try {
      let live = 0;
      for (let v = 0; v < 10; v++) {
        // TIS on: the step runs the forward-only session as well as the training one.
        await svc.trainStep({ agent: 'coder', fromVersion: v, samples, hyper: { lr: 1e-3, loss: 'grpo', policy: { klCoef: 0 } } });
        live = v === 0 ? liveSessions() - before : live;
        assert.equal(liveSessions() - before, live, `after v${v + 1}: the same sessions as after v1`);
      }
      assert.ok(live <= 2, `one trainer's training and forward sessions, found ${live}`);
    } finally {
      await svc.close();
      rmSync(root, { recursive: true, force: true });
    }
    assert.equal(liveSessions(), before);
  });

  test('TrainerKeep: past max the least recently used idle trainer closes, an idle one past idleMs too, a busy one never; a closed run continues from its checkpoint', async () => {
    const runs = mkdtempSync(join(tmpdir(), 'mars2-memory-'));
    let clock = 0;
    const spawned: string[] = [];
    const keep = new TrainerKeep({
      spawn: (baseDir, root) => {
        spawned.push(root);
        return new TrainService({ baseDir, root, threads: 1 });
      },
      max: 2,
      idleMs: 1000,
    }, () => clock);
    const before = liveSessions();
    const samples = [{ promptIds: [5, 17, 42], completionIds: [100, 101], rolloutLogp: [-3, -3], advantage: 1 }];
    const hyper = { lr: 1e-3, loss: 'grpo' as const, tis: null, policy: { klCoef: 0 } };
    const root = (r: string) => join(runs, r);
    try {
      const step = (r: string, fromVersion: number) => keep.trainer(llama, root(r)).trainStep({ agent: 'coder', fromVersion, samples, hyper });
      await step('a', 0);
      const one = liveSessions() - before;
      assert.ok(one >= 1, 'a trainer holds sessions');
      clock = 1;
      await step('b', 0);
      assert.equal(keep.size, 2);
      assert.equal(liveSessions() - before, 2 * one, 'two trainers open (max 2)');
      // A third run: the least recently used (a) closes, b stays.
      clock = 2;
      await step('c', 0);
      await keep.trainer(llama, root('x')).close(); // waits for closes in flight
      assert.equal(keep.size, 2);
      assert.equal(liveSessions() - before, 2 * one, "a's trainer closed, its sessions released");
      // a's next step spawns a new trainer that starts from its checkpoint v1 (nothing lost).
      clock = 3;
      const r = await step('a', 1);
      assert.equal(r.toVersion, 2);
      assert.equal(r.reused, false);
      assert.deepEqual(spawned.map((s) => s.slice(-1)), ['a', 'b', 'c', 'a']);
      // A step in flight keeps its trainer open even when it is the oldest and idle time passes.
      let release!: () => void;
      const gate = new Promise<void>((res) => (release = res));
      const slowKeep = new TrainerKeep({
        spawn: () => ({ trainStep: async () => { await gate; return { toVersion: 1, dir: '', metrics: {} as never, reused: true }; }, close: async () => {} }),
        max: 1,
        idleMs: 1000,
      }, () => clock);
      const busy = slowKeep.trainer('base', 'busy').trainStep({ agent: 'coder', fromVersion: 0, samples, hyper });
      clock = 10_000;
      slowKeep.evict();
      assert.equal(slowKeep.size, 1, 'a trainer with a step in flight is not closed');
      release();
      await busy;
      clock = 20_000;
      slowKeep.evict();
      assert.equal(slowKeep.size, 0, 'once its step ended and idleMs passed it is closed');
      await slowKeep.close();
      // Idle time closes the rest.
      clock = 100_000;
      keep.evict();
      assert.equal(keep.size, 0);
      await keep.trainer(llama, root('x')).close();
      assert.equal(liveSessions(), before, 'every trainer closed after idleMs');
    } finally {
      await keep.close();
      rmSync(runs, { recursive: true, force: true });
    }
    assert.equal(liveSessions(), before);
  });
});
