// Near-miss programs for repair examples (scripts/base-models.ts): programs one step away from a
// problem's reference, so that an SFT "refinement" row shows a plausible wrong attempt, its real test
// feedback and the fix. research/toy-domain.md §4 found refinement with a bare "this failed" worse than
// resampling; the rows built from these carry the sandbox's verdicts, inputs and outputs instead.
// Candidates, in order: each ablation of the spec (one part removed), then the references of other
// problems of the same family (neighbours in the file). The caller keeps the first that fails a public
// test, so a near-miss that happens to pass the examples never becomes a "repair" of a right program.
import { FAMILIES, type SynthProblem } from './generate';

/** Candidate wrong programs for `p`, nearest first; `neighbours` are other problems of the same file. */
export function nearMisses(p: SynthProblem, neighbours: readonly SynthProblem[]): string[] {
  const family = FAMILIES.find((f) => f.name === p.family);
  if (!family) throw new Error(`nearMisses: unknown family '${p.family}' (expected one of ${FAMILIES.map((f) => f.name).join(', ')})`);
  const out = family.ablations(p.spec).map((s) => `${family.code(s)}\n`);
  for (const n of neighbours) if (n.family === p.family) out.push(n.reference);
  return [...new Set(out)].filter((code) => code !== p.reference);
}
