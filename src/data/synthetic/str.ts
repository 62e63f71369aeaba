// The string family: f(s) over a short ASCII string, a pipeline of case changes, deletions, slices and
// reorderings, then a measure of the result. The alphabet has no quote or backslash (python.ts's repr) and
// no non-ASCII letter (whose case mappings differ between Python and JavaScript). For example (depth 3):
//   def f(s):
//       s = s.replace('a', '')
//       s = s.upper()
//       return s.count('B')
import type { Rng } from '../../search/rng';
import { randInt, type Prim, type Value } from './family';
import { pipelineFamily } from './pipeline';
import { sorted } from './python';

type Stage = Prim<(s: string) => string>;

const ALPHABET = 'abcdexyABEX12  ';
/** The characters a parameter names ('a' in `s.replace('a', '')`): letters of both cases. */
const NAMED = 'abexAB';
const named = (k: number) => NAMED[k];
const upper = (c: string) => c.toUpperCase();
const lower = (c: string) => c.toLowerCase();
const isDigit = (c: string) => c >= '0' && c <= '9';
const isAlpha = (c: string) => /^[A-Za-z]$/.test(c);
const chars = (s: string) => [...s];

const STAGES: Stage[] = [
  { id: 'upper', py: 's.upper()', say: ['convert it to upper case', 'make every letter upper case', 'capitalise all the letters'], run: () => upper },
  { id: 'lower', py: 's.lower()', say: ['convert it to lower case', 'make every letter lower case', 'turn all the capitals into small letters'], run: () => lower },
  {
    id: 'swapcase',
    py: 's.swapcase()',
    say: ['swap the case of every letter', 'turn upper case into lower case and lower into upper', 'invert the case of each letter'],
    run: () => (s) => chars(s).map((c) => (c === upper(c) ? lower(c) : upper(c))).join(''),
  },
  { id: 'rev', py: 's[::-1]', say: ['reverse it', 'reverse the string', 'read it backwards'], run: () => (s) => chars(s).reverse().join('') },
  {
    id: 'sort',
    py: "''.join(sorted(s))",
    say: ['sort its characters', 'put its characters in sorted order (spaces, digits, capitals, then small letters)', 'arrange the characters in ascending code order'],
    run: () => (s) => sorted(chars(s), (c) => c.charCodeAt(0)).join(''),
  },
  {
    id: 'remove',
    k: [0, NAMED.length - 1],
    show: named,
    py: "s.replace('{k}', '')",
    say: ["remove every '{k}'", "delete all occurrences of '{k}'", "strip out each '{k}', wherever it is"],
    run: (k) => (s) => s.split(named(k)).join(''),
  },
  {
    id: 'dash',
    k: [0, NAMED.length - 1],
    show: named,
    py: "s.replace('{k}', '-')",
    say: ["replace every '{k}' with '-'", "write '-' in place of each '{k}'", "swap each '{k}' for a dash"],
    run: (k) => (s) => s.split(named(k)).join('-'),
  },
  {
    id: 'nodigits',
    py: "''.join(c for c in s if not c.isdigit())",
    say: ['remove the digits', 'delete every digit', 'keep everything except digits'],
    run: () => (s) => chars(s).filter((c) => !isDigit(c)).join(''),
  },
  {
    id: 'letters',
    py: "''.join(c for c in s if c.isalpha())",
    say: ['keep only the letters', 'remove everything that is not a letter', 'discard digits, spaces and other symbols'],
    run: () => (s) => chars(s).filter(isAlpha).join(''),
  },
  {
    id: 'novowels',
    py: "''.join(c for c in s if c.lower() not in 'aeiou')",
    say: ['remove the vowels (of either case)', 'delete every vowel, upper or lower case', 'drop all of a, e, i, o, u in either case'],
    run: () => (s) => chars(s).filter((c) => !'aeiou'.includes(lower(c))).join(''),
  },
  { id: 'take', k: [2, 4], py: 's[:{k}]', say: ['keep its first {k} characters', 'cut it to its first {k} characters', 'truncate it after {k} characters'], run: (k) => (s) => s.slice(0, k) },
  { id: 'drop', k: [1, 3], py: 's[{k}:]', say: ['drop its first {k} characters', 'remove the first {k} characters', 'chop {k} characters off the front'], run: (k) => (s) => s.slice(k) },
  {
    id: 'double',
    py: "''.join(c * 2 for c in s)",
    say: ['double every character', 'write each character twice', 'repeat each character two times'],
    run: () => (s) => chars(s).map((c) => c + c).join(''),
  },
  {
    id: 'strip',
    py: 's.strip()',
    say: ['strip the spaces from both ends', 'remove leading and trailing spaces', 'trim the spaces at the start and the end'],
    run: () => (s) => s.replace(/^ +| +$/g, ''),
  },
  { id: 'nospace', py: "s.replace(' ', '')", say: ['remove all spaces', 'delete every space', 'squeeze out the spaces'], run: () => (s) => s.split(' ').join('') },
  {
    id: 'every2',
    py: 's[::2]',
    say: ['keep every second character, starting with the first', 'keep the characters at even positions (0, 2, 4, ...)', 'take one character, skip one, and so on'],
    run: () => (s) => chars(s).filter((_, i) => i % 2 === 0).join(''),
  },
];

const ENDS: Prim<(s: string) => Value>[] = [
  { id: 'str', py: 's', say: ['return the result', 'return the string', 'give back the string that remains'], run: () => (s) => s },
  { id: 'len', py: 'len(s)', say: ['return its length', 'return the number of characters', 'give back how many characters are left'], run: () => (s) => s.length },
  {
    id: 'count',
    k: [0, NAMED.length - 1],
    show: named,
    py: "s.count('{k}')",
    say: ["return how many '{k}' it contains", "return the number of '{k}' characters", "give back the count of '{k}'"],
    run: (k) => (s) => s.split(named(k)).length - 1,
  },
  {
    id: 'distinct',
    py: 'len(set(s))',
    say: ['return the number of distinct characters', 'return how many different characters it has', 'give back the count of unique characters'],
    run: () => (s) => new Set(s).size,
  },
  {
    id: 'palindrome',
    py: 's == s[::-1]',
    say: ['return whether it is a palindrome', 'return True if it reads the same backwards, else False', 'give back whether it equals its reverse'],
    run: () => (s) => s === chars(s).reverse().join(''),
  },
  {
    id: 'capitals',
    py: 'sum(1 for c in s if c.isupper())',
    say: ['return how many upper-case letters it has', 'return the number of capitals', 'give back the count of capital letters'],
    run: () => (s) => chars(s).filter((c) => isAlpha(c) && c === upper(c)).length,
  },
];

export const strFamily = pipelineFamily<string>({
  name: 'str',
  arg: 's',
  stages: STAGES,
  ends: ENDS,
  frames: [
    'Write a function f(s) that takes a string s: {steps}, then {ret}.',
    'Define f(s) for a string s. Take s, {steps}, and {ret}.',
    'Implement f(s): starting from the string s, {steps}; finally {ret}.',
    'Given a string s, f(s) should {steps} and then {ret}.',
  ],
  noSteps: ['take all of s', 'keep every character', 'consider the whole string'],
  input: (rng: Rng) => Array.from({ length: randInt(rng, 0, 8) }, () => ALPHABET[randInt(rng, 0, ALPHABET.length - 1)]).join(''),
});
