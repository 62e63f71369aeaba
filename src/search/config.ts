// Search configuration: its schema (validated once, in the AbMctsA constructor), its defaults, and
// the resolved form the search reads. Defaults are TreeQuest 0.3.3's (research/treequest.md §1–§2).
//
//   agents               agent names; their order is the order of agent draws and of agent tie-breaks
//   dist                 'gaussian' (default, TreeQuest's) | 'beta'
//   prior                partial prior for that dist, completed from the defaults (as TreeQuest's
//                        dict prior is): gaussian {m, kappa, nu, tauSquare}, beta {a, b}
//   agentSelection       'thompson' (TreeQuest multiarm_bandit_thompson, default) | 'ucb'
//                        (multiarm_bandit_ucb) | 'stack' | 'agent-first' (see select.ts)
//   rewardAveragePriors  number, or {agentName: number}: the prior mean of that agent's agent
//                        posteriors (gaussian m := r; beta (a, b) := (r, 1 − r)); GEN, CONT and child
//                        posteriors keep the plain prior, as in TreeQuest
//   depthGamma           T+ depth-guided GEN reweighting (depthGuided.ts): γ(d) for d = 0, 1, 2, …,
//                        the last value repeating; absent = off
//   inFlight             what the later selections of a batch (selectBatch) know of the earlier ones:
//                        'ignore' (default, TreeQuest's ask_batch) | 'virtual-loss' (each counts as a
//                        score of 0 until its real score is registered; see select.ts)
//
// Departures from TreeQuest: an integer rewardAveragePriors is honoured (TreeQuest silently ignores
// an `int`); an agent missing from the per-agent map keeps the plain prior (TreeQuest raises
// KeyError); values that would make an invalid posterior (beta r ∉ (0, 1), non-positive κ, ν, τ²,
// a, b) are rejected up front instead of failing at the first draw.
import { z } from 'zod';
import { DEFAULT_BETA_PRIOR, DEFAULT_GAUSSIAN_PRIOR, type DistType, type Prior } from './posterior';

export type AgentSelection = 'thompson' | 'ucb' | 'stack' | 'agent-first';
export type InFlight = 'ignore' | 'virtual-loss';

const positive = z.number().positive().finite();

export const gaussianPriorSchema = z.strictObject({
  m: z.number().finite(),
  kappa: positive,
  nu: positive,
  tauSquare: positive,
});

export const betaPriorSchema = z.strictObject({ a: positive, b: positive });

export const searchConfigSchema = z
  .strictObject({
    agents: z
      .array(z.string().min(1))
      .min(1)
      .refine((names) => new Set(names).size === names.length, 'agent names must be unique'),
    dist: z.enum(['gaussian', 'beta']).default('gaussian'),
    prior: z.union([gaussianPriorSchema.partial(), betaPriorSchema.partial()]).optional(),
    agentSelection: z.enum(['thompson', 'ucb', 'stack', 'agent-first']).default('thompson'),
    rewardAveragePriors: z.union([z.number().finite(), z.record(z.string(), z.number().finite())]).optional(),
    depthGamma: z.array(z.number().gt(0).lte(1)).min(1).optional(),
    inFlight: z.enum(['ignore', 'virtual-loss']).default('ignore'),
  })
  .superRefine((c, ctx) => {
    const priorKeys = Object.keys(c.prior ?? {});
    const allowed = c.dist === 'gaussian' ? Object.keys(DEFAULT_GAUSSIAN_PRIOR) : Object.keys(DEFAULT_BETA_PRIOR);
    for (const key of priorKeys) {
      if (!allowed.includes(key)) {
        ctx.addIssue({
          code: 'custom',
          path: ['prior', key],
          message: `'${key}' is not a ${c.dist} prior field; expected one of ${allowed.join(', ')}`,
        });
      }
    }
    const rap = c.rewardAveragePriors;
    const entries: Array<[string, number]> =
      rap === undefined ? [] : typeof rap === 'number' ? [['*', rap]] : Object.entries(rap);
    for (const [name, r] of entries) {
      const path = typeof rap === 'number' ? ['rewardAveragePriors'] : ['rewardAveragePriors', name];
      if (name !== '*' && !c.agents.includes(name)) {
        ctx.addIssue({ code: 'custom', path, message: `no agent named '${name}' (agents: ${c.agents.join(', ')})` });
      }
      if (c.dist === 'beta' && !(r > 0 && r < 1)) {
        ctx.addIssue({ code: 'custom', path, message: `a beta reward-average prior must lie in (0, 1), got ${r}` });
      }
    }
  });

export type SearchConfig = z.input<typeof searchConfigSchema>;

export interface ResolvedSearchConfig {
  agents: readonly string[];
  dist: DistType;
  agentSelection: AgentSelection;
  /** The plain prior: GEN, CONT and child posteriors. */
  prior: Prior;
  /** Per agent (by index): the prior of its agent posteriors (ACTION and NODE_ACTION draws). */
  agentPriors: readonly Prior[];
  depthGamma: readonly number[] | null;
  inFlight: InFlight;
}

/** Validates and completes a config. Throws a ZodError naming the offending field. */
export function resolveSearchConfig(config: SearchConfig): ResolvedSearchConfig {
  const c = searchConfigSchema.parse(config);
  const prior: Prior =
    c.dist === 'gaussian'
      ? { dist: 'gaussian', ...DEFAULT_GAUSSIAN_PRIOR, ...(c.prior as Partial<typeof DEFAULT_GAUSSIAN_PRIOR>) }
      : { dist: 'beta', ...DEFAULT_BETA_PRIOR, ...(c.prior as Partial<typeof DEFAULT_BETA_PRIOR>) };
  const agentPriors = c.agents.map((name): Prior => {
    const rap = c.rewardAveragePriors;
    const r = typeof rap === 'number' ? rap : rap?.[name];
    if (r === undefined) return prior;
    return prior.dist === 'gaussian' ? { ...prior, m: r } : { dist: 'beta', a: r, b: 1 - r };
  });
  return {
    agents: c.agents,
    dist: c.dist,
    agentSelection: c.agentSelection,
    prior,
    agentPriors,
    depthGamma: c.depthGamma ?? null,
    inFlight: c.inFlight,
  };
}
