// The slot families (loop.ts, fold.ts): a fixed program skeleton — a loop with an accumulator — whose
// slots (the range, a condition, the update, what is returned, …) each hold one primitive; the first
// primitive of a slot is its default. Depth: the number of slots that do not hold their default.
import type { Rng } from '../../search/rng';
import { choose, pick, type Choice, type Family, type Phrasing, type Prim, type Value } from './family';

export interface Slot {
  name: string;
  /** prims[0] is the default. */
  prims: readonly Prim<any>[];
}

/** One choice per slot, by slot name. */
export type SlotSpec = Record<string, Choice<any>>;

export interface SlotTables {
  name: string;
  arg: string;
  slots: readonly Slot[];
  /** Combinations the skeleton cannot express (an `else` without an `if`). */
  valid(spec: SlotSpec): boolean;
  code(spec: SlotSpec): string;
  statement(spec: SlotSpec, rng: Rng, phrasing: Phrasing): string;
  run(spec: SlotSpec, input: Value): Value;
  input(rng: Rng): Value;
  /** The frames (holes named after the slots); the last is held out. */
  frames: readonly string[];
}

export function slotFamily(t: SlotTables): Family<SlotSpec> {
  const isDefault = (spec: SlotSpec, s: Slot) => spec[s.name].prim === s.prims[0];
  const reset = (spec: SlotSpec, s: Slot): SlotSpec => ({ ...spec, [s.name]: { prim: s.prims[0], k: 0 } });
  return {
    name: t.name,
    arg: t.arg,
    sample(rng: Rng, depth: number) {
      if (depth > t.slots.length) return undefined;
      for (let attempt = 0; attempt < 20; attempt++) {
        const changed = new Set<string>();
        while (changed.size < depth) changed.add(pick(rng, t.slots).name);
        const spec: SlotSpec = {};
        for (const s of t.slots) spec[s.name] = changed.has(s.name) ? choose(rng, s.prims.slice(1)) : { prim: s.prims[0], k: 0 };
        if (t.valid(spec)) return spec;
      }
      return undefined;
    },
    parts: (spec) => t.slots.filter((s) => !isDefault(spec, s)).map((s) => `${s.name}.${spec[s.name].prim.id}`),
    ablations: (spec) => t.slots.filter((s) => !isDefault(spec, s)).map((s) => reset(spec, s)).filter(t.valid),
    code: t.code,
    statement: t.statement,
    run: t.run,
    input: t.input,
    templates: [t.frames, ...t.slots.flatMap((s) => s.prims.slice(1).map((p) => p.say))],
  };
}
