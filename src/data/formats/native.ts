// The native problem form itself (DESIGN §6.1): records already are problems; the loader validates them.
// Split rule: the file's own public_tests and private_tests; a problem with no test in either is refused
// (problemSchema).
import type { Problem } from '../problem';
import type { FormatSpec } from './types';

export const nativeFormat: FormatSpec = {
  name: 'native',
  detect: (f) => f.has('id') && f.has('style') && (f.has('public_tests') || f.has('private_tests')),
  convert: (f) => ({ sourceId: f.id('id'), problem: f.record as unknown as Problem }),
};
