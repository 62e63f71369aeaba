// src/data/synthetic: the synthetic code domain (generate.ts's header says what it is).
export { FAMILIES, PRIVATE_TESTS, distinctKey, synthesize, type SynthOptions, type SynthProblem } from './generate';
export { nearMisses } from './nearMiss';
export { RULES, SPLITS, admits, heldOutPairs, isHeldOutPair, type Split, type SplitRule } from './splits';
