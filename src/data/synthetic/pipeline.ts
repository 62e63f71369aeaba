// The pipeline families (list.ts, str.ts): a value goes through stages, one line each
// (`xs = [x * x for x in xs]`), and a terminal returns it or reduces it (`return sum(xs)`). Depth: the
// number of stages, plus one when the terminal is not the plain `return xs`.
import type { Rng } from '../../search/rng';
import { choose, frame, pick, py, say, type Choice, type Family, type Phrasing, type Prim, type Value } from './family';

export interface PipelineSpec<T> {
  stages: Choice<(v: T) => T>[];
  end: Choice<(v: T) => Value>;
}

export interface PipelineTables<T> {
  name: string;
  arg: string;
  stages: readonly Prim<(v: T) => T>[];
  /** The first one returns the value as it is (the default, depth 0). */
  ends: readonly Prim<(v: T) => Value>[];
  /** Holes {steps} and {ret}; the last frame is held out. */
  frames: readonly string[];
  /** What {steps} says when there is no stage; the last is held out. */
  noSteps: readonly string[];
  input(rng: Rng): T;
}

export function pipelineFamily<T extends Value>(t: PipelineTables<T>): Family<PipelineSpec<T>> {
  const plain = t.ends[0];
  return {
    name: t.name,
    arg: t.arg,
    sample(rng: Rng, depth: number) {
      const reduce = depth > 0 && rng.uniform() < 0.75;
      const end = reduce ? choose(rng, t.ends.slice(1)) : { prim: plain, k: 0 };
      const stages: Choice<(v: T) => T>[] = [];
      while (stages.length < depth - (reduce ? 1 : 0)) {
        const c = choose(rng, t.stages);
        if (c.prim.id !== stages.at(-1)?.prim.id) stages.push(c); // the same stage twice in a row says little
      }
      return { stages, end };
    },
    parts: (spec) => [...spec.stages, ...(spec.end.prim === plain ? [] : [spec.end])].map((c) => c.prim.id),
    ablations: (spec) => [
      ...spec.stages.map((_, i) => ({ stages: spec.stages.filter((__, j) => j !== i), end: spec.end })),
      ...(spec.end.prim === plain ? [] : [{ stages: spec.stages, end: { prim: plain, k: 0 } }]),
    ],
    code: (spec) => [`def f(${t.arg}):`, ...spec.stages.map((c) => `    ${t.arg} = ${py(c)}`), `    return ${py(spec.end)}`].join('\n'),
    statement(spec, rng, phrasing: Phrasing) {
      const steps = spec.stages.length ? spec.stages.map((c) => say(rng, c, phrasing)).join(', then ') : pick(rng, phrasing === 'train' ? t.noSteps.slice(0, -1) : t.noSteps.slice(-1));
      return frame(rng, t.frames, phrasing, { steps, ret: say(rng, spec.end, phrasing) });
    },
    run(spec, input) {
      let v = input as T;
      for (const c of spec.stages) v = c.prim.run(c.k)(v);
      return spec.end.prim.run(spec.end.k)(v);
    },
    input: (rng) => t.input(rng),
    templates: [t.frames, t.noSteps, ...t.stages.map((p) => p.say), ...t.ends.map((p) => p.say)],
  };
}
