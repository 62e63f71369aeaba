// Every `mars2` sub-command, loaded lazily so that `mars2 up` does not load onnxruntime.
import type { Command } from './command';

export const commands: Record<string, () => Promise<Command>> = {
  up: async () => (await import('./stack')).upCommand,
  down: async () => (await import('./stack')).downCommand,
  ps: async () => (await import('./stack')).psCommand,
  ping: async () => (await import('./ping')).pingCommand,
  'evaluate-samples': async () => (await import('./evaluateSamples')).evaluateSamplesCommand,
  'search-sim': async () => (await import('./searchSim')).searchSimCommand,
  generate: async () => (await import('./generate')).generateCommand,
  sft: async () => (await import('./sft')).sftCommand,
  'model init': async () => (await import('./model')).modelInitCommand,
  'tokenizer train': async () => (await import('./tokenizer')).tokenizerTrainCommand,
  'sandbox run': async () => (await import('./sandbox')).sandboxRunCommand,
  'sandbox bench': async () => (await import('./sandbox')).sandboxBenchCommand,
  solve: async () => (await import('./solve')).solveCommand,
  tree: async () => (await import('./tree')).treeCommand,
  train: async () => (await import('./train')).trainCommand,
  runs: async () => (await import('./train')).runsCommand,
  status: async () => (await import('./status')).statusCommand,
  cancel: async () => (await import('./train')).cancelCommand,
  report: async () => (await import('./report')).reportCommand,
  eval: async () => (await import('./eval')).evalCommand,
  'schedule eval': async () => (await import('./schedule')).scheduleEvalCommand,
  'schedule list': async () => (await import('./schedule')).scheduleListCommand,
  'schedule delete': async () => (await import('./schedule')).scheduleDeleteCommand,
  'data synth': async () => (await import('./data')).dataSynthCommand,
};
