// Every search variant runs the same conformance suite (searchConformance.ts).
import { DEFAULT_DEPTH_GAMMA } from '../../src/search/depthGuided';
import { searchConformance } from './searchConformance';

searchConformance('thompson, gaussian, 1 agent', { agents: ['A'] });
searchConformance('thompson, beta, 2 agents', { agents: ['A', 'B'], dist: 'beta' });
searchConformance('thompson, gaussian, reward-average priors', {
  agents: ['A', 'B'],
  rewardAveragePriors: { A: 0.7, B: 0.2 },
  prior: { tauSquare: 0.05 },
});
searchConformance('ucb, gaussian, 3 agents', { agents: ['A', 'B', 'C'], agentSelection: 'ucb' });
searchConformance('stack, beta, 2 agents', { agents: ['A', 'B'], dist: 'beta', agentSelection: 'stack' });
searchConformance('stack, gaussian, 1 agent', { agents: ['A'], agentSelection: 'stack' });
searchConformance('agent-first, gaussian, 2 agents', { agents: ['A', 'B'], agentSelection: 'agent-first' });
searchConformance('agent-first, beta, 3 agents', { agents: ['A', 'B', 'C'], dist: 'beta', agentSelection: 'agent-first' });
searchConformance('thompson, beta, T+ depth-guided GEN', {
  agents: ['A', 'B'],
  dist: 'beta',
  depthGamma: [0.98, 0.9, 0.8],
});
searchConformance('stack, gaussian, T+ default γ schedule', {
  agents: ['A', 'B'],
  agentSelection: 'stack',
  depthGamma: [...DEFAULT_DEPTH_GAMMA],
});
searchConformance('thompson, gaussian, 2 agents, in-flight virtual loss', { agents: ['A', 'B'], inFlight: 'virtual-loss' });
searchConformance('stack, beta, 2 agents, in-flight virtual loss', { agents: ['A', 'B'], dist: 'beta', agentSelection: 'stack', inFlight: 'virtual-loss' });
searchConformance('agent-first, gaussian, 2 agents, in-flight virtual loss', { agents: ['A', 'B'], agentSelection: 'agent-first', inFlight: 'virtual-loss' });
