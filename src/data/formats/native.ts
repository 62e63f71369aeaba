// The native problem form itself (DESIGN §6.1): records already are problems; the loader validates them.
// Split rule: the file's own public_tests and private_tests; a problem with no test in either is refused
// (problemSchema).
// Reference: an optional `reference` field beside the problem's own (a whole program, as `mars2 data
// synth` writes), expected to pass; it is taken off the record before validation, so it never reaches the
// problem a model or the sandbox sees.
import type { Problem } from '../problem';
import type { FormatSpec } from './types';

export const nativeFormat: FormatSpec = {
  name: 'native',
  detect: (f) => f.has('id') && f.has('style') && (f.has('public_tests') || f.has('private_tests')),
  convert: (f) => {
    const { reference: _, ...problem } = f.record;
    const code = f.optStr('reference');
    return {
      sourceId: f.id('id'),
      problem: problem as unknown as Problem,
      ...(code !== undefined && { reference: { code, expectedToPass: true } }),
    };
  },
};
