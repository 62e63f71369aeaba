// Exact conformance with TreeQuest 0.3.3: every recorded tree replays draw for draw (traceReplay.ts):
// the 10 research trees and 16 more recorded from TreeQuest for ucb, stack and priors; deliberately broken searches (GEN/CONT swapped, a different prior, a flipped decision) fail.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Sampler } from '../../src/search/posterior';
import type { SearchState } from '../../src/search/tree';
import { loadTraces, replayTrial, type TraceStep } from './traceReplay';

const traces = loadTraces();
const all = Object.entries(traces).flatMap(([name, tc]) => tc.trials.map((trial) => ({ name, tc, trial })));

test('the fixture holds 10 trees over 5 configs, 16 steps each', () => {
  assert.equal(Object.keys(traces).length, 5);
  assert.equal(all.length, 10);
  for (const { trial } of all) assert.equal(trial.steps.length, 16);
});

describe('replay of every recorded TreeQuest tree', () => {
  for (const { name, tc, trial } of all) {
    test(`${name} trial ${trial.trial}`, () => {
      replayTrial(name, tc, trial);
    });
  }
});

/** The GEN and CONT statistics of every node exchanged: a search that confuses the two arms. */
function swapGenCont(state: SearchState): SearchState {
  const swap = (s: SearchState['root']) => ({ ...s, gen: s.cont, cont: s.gen });
  return { ...state, root: swap(state.root), nodes: state.nodes.map((n) => ({ ...n, stats: swap(n.stats) })) };
}

/** Gives each GEN draw the value recorded for the CONT draw after it, and vice versa: a search that
 * expands when CONT wins. Role and parameter checks still pass, so only the decisions differ. */
function flipGenContValues(replay: Sampler, step: TraceStep): Sampler {
  let i = 0;
  return (d, rng) => {
    const k = i++;
    const value = replay(d, rng);
    const r = step.draws[k];
    if (r.role === 'GEN' && step.draws[k + 1]?.role === 'CONT') return step.draws[k + 1].value;
    if (r.role === 'CONT' && step.draws[k - 1]?.role === 'GEN') return step.draws[k - 1].value;
    return value;
  };
}

describe('replay of TreeQuest trees for ucb, stack and non-default priors', () => {
  const extra = loadTraces('treequest-traces-extra.json');
  for (const [name, tc] of Object.entries(extra)) {
    for (const trial of tc.trials) {
      test(`${name} trial ${trial.trial}`, () => {
        replayTrial(name, tc, trial);
      });
    }
  }
});

describe('a broken search fails the replay', () => {
  for (const { name, tc, trial } of all) {
    test(`${name} trial ${trial.trial}: GEN/CONT statistics swapped`, () => {
      assert.throws(() => replayTrial(name, tc, trial, { corruptState: swapGenCont }), /params differs|n_obs differs/);
    });
    test(`${name} trial ${trial.trial}: GEN/CONT decision flipped`, () => {
      assert.throws(
        () => replayTrial(name, tc, trial, { wrapSampler: flipGenContValues }),
        /expanded|differs|draws, TreeQuest made|extra draw/,
      );
    });
    test(`${name} trial ${trial.trial}: a different prior`, () => {
      const prior = tc.config.dist_type === 'gaussian' ? { tauSquare: 0.2 } : { a: 1 };
      assert.throws(() => replayTrial(name, tc, trial, { configOverride: { prior } }), /step 1, draw 0: params differs/);
    });
  }
});
