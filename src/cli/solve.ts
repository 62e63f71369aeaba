// `mars2 solve`: MARS²-T+ test-time search on one problem (DESIGN §2): a T+ searchTree on the running
// stack with the given model directories as agents; prints the best program (Pass@1(MCTS) rule), its
// public-test verdicts and the tree. The problem goes to the stack's store; Temporal carries its ref.
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { GenerationRecord, SearchTreeInput } from '../contracts';
import { loadDataset } from '../data';
import type { Problem } from '../data';
import { bestNode } from '../rl/nodes';
import { drawTree } from './treeView';
import type { RunReport } from '../sandbox';
import { Store } from '../store';
import { searchTree } from '../workflows';
import { treeQuery } from '../workflows/shared';
import { numberFlag, parseFlags, UsageError, UserError, type Command } from './command';
import { LiveLine } from './progress';
import { withClient } from './withClient';

const usage = `usage: mars2 solve --problem FILE [--id ID] --agents DIR[,DIR…] --budget N [options]
  --problem FILE        a dataset file (native JSONL, MBPP, HumanEval, LeetCode, LiveCodeBench, contest)
  --id ID               the problem's id (or the dataset's own id) when FILE holds several
  --agents DIR[,DIR…]   HF model directories, one agent each (named after the directory)
  --budget N            nodes to grow
  --seed S              default 0
  --max-new-tokens N    default 1024
  --temperature T       sampling temperature ≥ 0 (0 is greedy); default 1
  --int8                int8 projection weights (quantized at load; faster on CPU, logits within quantization error)
  --json                print {workflowId, problemId, solved, best, nodes} as JSON

Example: mars2 solve --problem ../shared/data/mbpp/mbpp.jsonl --id 2 --agents .mars2/models/qwen3,.mars2/models/qwen2 --budget 6`;

/** Text safe for a terminal: control characters (a random model writes NULs) shown as \xNN. */
export function printable(text: string): string {
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

async function pickProblem(file: string, id: string | undefined): Promise<Problem> {
  if (!existsSync(file)) throw new UserError(`--problem ${file}: no such file; give a dataset file`);
  const entries = await loadDataset(file).catch((err: Error) => {
    throw new UserError(`--problem ${file}: ${err.message}`);
  });
  if (id !== undefined) {
    const hit = entries.find((e) => e.problem.id === id || e.sourceId === id);
    if (!hit) throw new UserError(`--id ${id}: no such problem in ${file} (ids like ${entries.slice(0, 3).map((e) => e.problem.id).join(', ')})`);
    return hit.problem;
  }
  if (entries.length !== 1) {
    throw new UserError(`${file} holds ${entries.length} problems; pick one with --id (e.g. --id ${entries[0]?.problem.id ?? '…'})`);
  }
  return entries[0].problem;
}

function agentsFrom(list: string, int8: boolean): SearchTreeInput['agents'] {
  const dirs = list.split(',').filter((d) => d !== '').map((d) => resolve(d));
  if (dirs.length === 0) throw new UsageError('--agents expects model directories separated by commas');
  const names = new Map<string, number>();
  return dirs.map((dir) => {
    if (!existsSync(join(dir, 'config.json'))) throw new UserError(`--agents: ${dir} is not an HF model directory (no config.json)`);
    const base = basename(dir).replace(/[^A-Za-z0-9._-]/g, '_') || 'agent';
    const seen = names.get(base) ?? 0;
    names.set(base, seen + 1);
    return { name: seen === 0 ? base : `${base}-${seen + 1}`, model: dir, ...(int8 ? { weights: 'int8' as const } : {}) };
  });
}

const positiveInt = (value: string | undefined, flag: string, fallback?: number): number => {
  if (value === undefined && fallback === undefined) throw new UsageError(`--${flag} is required`);
  const n = numberFlag(value, flag, fallback ?? 0);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} expects a positive integer, got '${value}'`);
  return n;
};

export const solveCommand: Command = {
  name: 'solve',
  summary: 'MARS²-T+ search on one problem with one or more models; prints the best program and the tree',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      problem: { type: 'string' }, id: { type: 'string' }, agents: { type: 'string' }, budget: { type: 'string' },
      seed: { type: 'string' }, 'max-new-tokens': { type: 'string' }, temperature: { type: 'string' }, json: { type: 'boolean' },
      int8: { type: 'boolean' },
    });
    if (!values.problem) throw new UsageError('--problem FILE is required');
    if (!values.agents) throw new UsageError('--agents DIR[,DIR…] is required');
    const budget = positiveInt(values.budget, 'budget');
    const seed = numberFlag(values.seed, 'seed', 0);
    if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed expects a non-negative integer, got '${values.seed}'`);
    const maxNewTokens = positiveInt(values['max-new-tokens'], 'max-new-tokens', 1024);
    const temperature = numberFlag(values.temperature, 'temperature', 1);
    if (temperature < 0) throw new UsageError(`--temperature expects a number ≥ 0 (0 is greedy), got '${values.temperature}'`);
    const agents = agentsFrom(values.agents, values.int8 === true);
    const problem = await pickProblem(values.problem, values.id);

    return withClient(
      async (client, cfg) => {
        const store = new Store(join(cfg.home, 'store'));
        const input: SearchTreeInput = {
          problem: { ref: await store.putJson(problem), id: problem.id },
          agents,
          budget,
          seed,
          mode: 'tplus',
          maxNewTokens,
          sampling: { temperature },
        };
        const workflowId = `solve-${problem.id.replace(/[^A-Za-z0-9._-]/g, '_')}-${Date.now().toString(36)}`;
        const handle = await client.workflow.start(searchTree, { taskQueue: cfg.taskQueue, workflowId, args: [input] });
        if (!values.json) console.error(`tree ${workflowId} started on ${cfg.namespace}; watch it with: mars2 tree ${workflowId}`);
        const stop = () => {
          process.stderr.write(`\nstopped waiting; tree ${workflowId} keeps growing on the worker. See it: mars2 tree ${workflowId}; stop it: mars2 cancel ${workflowId}\n`);
          process.exit(130);
        };
        process.once('SIGINT', stop);
        const watching = values.json ? Promise.resolve() : watchNodes(client, workflowId, budget).catch(() => {}); // a failed tree is reported by result()
        const nodes = await handle.result().finally(() => process.off('SIGINT', stop));
        await watching;
        const best = bestNode(nodes)!;
        const generation = await store.getJson<GenerationRecord>(best.refs.generation);
        const report = best.refs.publicTests ? await store.getJson<RunReport>(best.refs.publicTests) : null;
        const solved = best.score === 1;
        const verdicts = report?.tests ?? [];
        if (values.json) {
          console.log(JSON.stringify({
            workflowId, problemId: problem.id, solved,
            best: { nodeId: best.nodeId, agent: best.agent, score: best.score, publicTests: best.publicTests, program: generation.program, verdicts: verdicts.map((t) => ({ index: t.index, verdict: t.verdict, detail: t.detail })) },
            nodes,
          }));
        } else {
          const pub = best.publicTests ? `public tests ${best.publicTests.verdict} ${best.publicTests.passed}/${best.publicTests.total}` : 'the problem has no public tests to search on';
          console.log(`${problem.id}: ${solved ? 'solved' : 'not solved'} — best node #${best.nodeId} by ${best.agent}, ${pub}\n`);
          console.log('```python');
          console.log(printable(generation.program));
          console.log('```\n');
          for (const t of verdicts) console.log(`test ${t.index}: ${t.verdict}  ${t.detail}`);
          console.log(`\n${drawTree(nodes, { title: workflowId })}`);
        }
        return 0;
      },
      { worker: true },
    );
  },
};

/**
 * Nodes k/N on stderr as they arrive, until the tree closes: redrawn in place on a terminal, a line per
 * node otherwise.
 */
async function watchNodes(client: Client, workflowId: string, budget: number): Promise<void> {
  const handle = client.workflow.getHandle<typeof searchTree>(workflowId);
  const live = process.stderr.isTTY ? new LiveLine(process.stderr) : null;
  let seen = 0;
  for (;;) {
    const open = (await handle.describe()).status.name === 'RUNNING';
    const nodes = open ? await handle.query(treeQuery).catch(() => null) : null;
    for (const [i, n] of (nodes ?? []).slice(seen).entries()) {
      const text = `node ${seen + i + 1}/${budget}: #${n.nodeId} ${n.agent} score ${n.score.toFixed(2)}${n.publicTests ? ` ${n.publicTests.verdict} ${n.publicTests.passed}/${n.publicTests.total}` : ''}`;
      if (live) live.set(text);
      else console.error(text);
    }
    seen = Math.max(seen, nodes?.length ?? 0);
    if (!open) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  live?.clear();
}
