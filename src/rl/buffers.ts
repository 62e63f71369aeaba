// Per-agent sample buffers with MARTI's asynchronous trigger rule ("asynchronous dynamic training",
// flag `dynamic_filtering_for_agents`; MARTI-MARS², arXiv 2602.07848 §3.3; research/papers.md §2.11),
// as a pure state machine whose state is plain JSON (it lives in the training workflow's state).
//
// After each rollout round, every agent appends its own samples to its buffer B_j. With
//   N = max(rolloutBatchSize, trainBatchSize)
// an agent whose buffer holds |B_j| ≥ N trains on the first ⌊|B_j|/N⌋·N samples; its buffer is then
// cleared and its step counter advances. Agents below N skip the round; rollout continues.
//
// Departures from MARTI (examples/mars2/multi_agent_ppotrainer.py, `fit`):
// 1. What is left over after the whole multiples is dropped, as in MARTI, unless `remainder: 'keep'`
//    carries it into the next round. The number dropped is reported with each update.
// 2. Buffers hold sample references and scalars (store refs, advantages), never tensors; the trainer
//    reads the tokens from the artifact store.
// 3. Each agent's counter counts its own updates from 0; MARTI seeds it from the global step of a
//    resumed checkpoint.

/** What a buffer holds for one node: a store reference and scalars. */
export interface BufferedSample {
  agent: string;
  treeId: string;
  nodeId: number;
  advantage: number;
  /** Artifact-store reference of the sample's tokens and rollout log-probs. */
  ref: string;
}

export interface BufferConfig {
  /** MARTI rollout_batch_size (compared, as in MARTI, with a count of samples). */
  rolloutBatchSize: number;
  /** MARTI train_batch_size, in samples. */
  trainBatchSize: number;
  /** What happens to samples beyond the last whole multiple of the threshold: MARTI drops them. */
  remainder: 'drop' | 'keep';
}

export const defaultBufferConfig: BufferConfig = { rolloutBatchSize: 16, trainBatchSize: 8, remainder: 'drop' };

export interface AgentBuffer<S extends BufferedSample = BufferedSample> {
  agent: string;
  samples: S[];
  /** Updates this agent has been given so far. */
  updates: number;
}

export interface BufferState<S extends BufferedSample = BufferedSample> {
  /** One buffer per agent, in the order the agents were declared. */
  agents: AgentBuffer<S>[];
}

/** One agent's training step, fired by `addRollout`. */
export interface AgentUpdate<S extends BufferedSample = BufferedSample> {
  agent: string;
  /** 1 for the agent's first update, 2 for its second, … */
  step: number;
  /** A whole multiple of the threshold, oldest first. */
  samples: S[];
  /** Samples discarded with this update (remainder 'drop'). */
  dropped: number;
}

/** The trigger threshold N = max(rolloutBatchSize, trainBatchSize). */
export function bufferThreshold(config: BufferConfig): number {
  const ok = (n: number) => Number.isInteger(n) && n >= 1;
  if (!ok(config.rolloutBatchSize) || !ok(config.trainBatchSize)) {
    throw new Error(
      `buffers: expected positive integer batch sizes, found rolloutBatchSize=${config.rolloutBatchSize} ` +
        `trainBatchSize=${config.trainBatchSize}`,
    );
  }
  return Math.max(config.rolloutBatchSize, config.trainBatchSize);
}

export function initBuffers<S extends BufferedSample = BufferedSample>(agents: readonly string[]): BufferState<S> {
  if (agents.length === 0 || new Set(agents).size !== agents.length) {
    throw new Error(`buffers: expected a non-empty list of distinct agent names, found ${JSON.stringify(agents)}`);
  }
  return { agents: agents.map((agent) => ({ agent, samples: [], updates: 0 })) };
}

/**
 * Appends one rollout round's samples to their agents' buffers and fires every agent that reached the
 * threshold. Pure: the input state is not modified.
 */
export function addRollout<S extends BufferedSample>(
  state: BufferState<S>,
  samples: readonly S[],
  config: BufferConfig = defaultBufferConfig,
): { state: BufferState<S>; updates: AgentUpdate<S>[] } {
  const threshold = bufferThreshold(config);
  const known = new Set(state.agents.map((b) => b.agent));
  for (const sample of samples) {
    if (!known.has(sample.agent)) {
      throw new Error(
        `buffers: sample ${sample.treeId}/${sample.nodeId} belongs to agent ${JSON.stringify(sample.agent)}, ` +
          `which has no buffer; known agents: ${JSON.stringify([...known])}`,
      );
    }
  }
  const updates: AgentUpdate<S>[] = [];
  const agents = state.agents.map((buffer) => {
    const held = [...buffer.samples, ...samples.filter((s) => s.agent === buffer.agent)];
    if (held.length < threshold) return { ...buffer, samples: held };
    const used = Math.floor(held.length / threshold) * threshold;
    const rest = held.slice(used);
    const step = buffer.updates + 1;
    updates.push({
      agent: buffer.agent,
      step,
      samples: held.slice(0, used),
      dropped: config.remainder === 'drop' ? rest.length : 0,
    });
    return { agent: buffer.agent, samples: config.remainder === 'keep' ? rest : [], updates: step };
  });
  return { state: { agents }, updates };
}
