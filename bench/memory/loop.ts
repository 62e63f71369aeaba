// Memory per policy version of the RL loop's model path, in one process (issue 15 item 4): the toy
// fixture's model (.mars2/bench-rl-loop, bench/rl-loop.ts) loaded in a ModelHost, a batch generated
// (16 prompts × 8 samples, ≤ 48 new tokens, T = 1), one trainStep to v+1 (TrainService, grpo, no KL/TIS),
// the next batch generated with v+1 from its checkpoint directory (as the workflow asks for it), and so
// on; after each version (and a gc) it prints RSS, V8 heapUsed, external and arrayBuffers, and the live
// ORT sessions and loaded models (ModelHost.stats). Host and service run in-process rather than in their
// worker threads, so the V8 figures cover them. Parts, each in a fresh process, bisect the growth:
//   both     the loop as above;
//   engine   generation only, version n read from a copy of the base model in <tmp>/v<n> (same layout);
//   trainer  trainSteps only, on the first batch's samples.
//
//   node --expose-gc --import tsx bench/memory/loop.ts [--versions 10] [--parts engine,trainer,both] [--threads 2]
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ModelHost, type GenerateResult } from '../../src/models/host';
import { liveSessions } from '../../src/models/ortSessions';
import { TrainService } from '../../src/models/train/service';
import type { RlSample } from '../../src/models/train/trainer';

const FIXTURE = join(__dirname, '..', '..', '.mars2', 'bench-rl-loop');
const BASE = join(FIXTURE, 'model');
type Part = 'both' | 'engine' | 'trainer';

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);

function rssBytes(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

const prompts = readFileSync(join(FIXTURE, 'problems.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .slice(0, 16)
  .map((l) => (JSON.parse(l) as { prompt: string }).prompt);

async function batch(host: ModelHost, dir: string, version: number): Promise<RlSample[]> {
  const outs: GenerateResult[] = await Promise.all(
    prompts.flatMap((p, i) =>
      Array.from({ length: 8 }, (_, k) =>
        host.generate({ model: { dir, version }, messages: [{ role: 'user', content: p }], sampling: { temperature: 1 }, seed: 1000 * version + 8 * i + k, maxNewTokens: 48 }),
      ),
    ),
  );
  return outs.map((o, k) => ({ promptIds: o.promptTokenIds, completionIds: o.tokenIds, rolloutLogp: o.logprobs, advantage: k % 8 < 4 ? 0.9 : -0.9 }));
}

async function run(part: Part, versions: number, threads: number): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'mars2-memory-'));
  const host = new ModelHost({ threads });
  const service = new TrainService({ baseDir: BASE, root: join(tmp, 'ckpt'), threads });
  const hyper = { loss: 'grpo' as const, lr: 1e-4, policy: { tis: null, klCoef: 0 }, adamw: { beta2: 0.99 } };
  console.log(`\n${part}: ${versions} versions, ${threads} threads\n\n| version | RSS MB | heapUsed MB | external MB | arrayBuffers MB | ORT sessions | loaded models | s |\n|--:|--:|--:|--:|--:|--:|--:|--:|`);
  let dir = BASE;
  let samples: RlSample[] | null = null;
  try {
    for (let v = 0; v < versions; v++) {
      const t0 = performance.now();
      if (part === 'engine' && v > 0) {
        dir = join(tmp, `v${v}`);
        cpSync(BASE, dir, { recursive: true });
      }
      if (part !== 'trainer' || samples === null) samples = await batch(host, dir, v);
      if (part !== 'engine') dir = (await service.trainStep({ agent: 'toy', fromVersion: v, samples, hyper })).dir;
      globalThis.gc?.();
      const m = process.memoryUsage();
      const s = host.stats();
      console.log(`| ${v} | ${mb(rssBytes())} | ${mb(m.heapUsed)} | ${mb(m.external)} | ${mb(m.arrayBuffers)} | ${liveSessions()} | ${s.current + s.retiring} | ${((performance.now() - t0) / 1000).toFixed(1)} |`);
    }
  } finally {
    await host.close();
    await service.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { versions: { type: 'string', default: '10' }, parts: { type: 'string', default: 'engine,trainer,both' }, threads: { type: 'string', default: '2' } } });
  const parts = values.parts!.split(',') as Part[];
  if (parts.length === 1) return run(parts[0]!, Number(values.versions), Number(values.threads));
  for (const part of parts) {
    const args = [...process.execArgv, __filename, '--versions', values.versions!, '--threads', values.threads!, '--parts', part];
    const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`part ${part} exited with ${r.status}`);
  }
}

void main();
