// The minimal unpickler behind LiveCodeBench's compressed tests: byte strings below are CPython 3.11's
// pickle.dumps output (shown in each test name's comment), so no Python is needed to run these.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { PickleError, decodeLcbCompressed, unpickleString } from '../../src/data/pickle';

const hex = (s: string) => Buffer.from(s, 'hex');

describe('unpickleString', () => {
  test("protocol 4: pickle.dumps('hi')", () => {
    assert.equal(unpickleString(hex('80049506000000000000008c026869942e')), 'hi');
  });

  test("protocol 0: pickle.dumps('hi', 0) and raw-unicode-escape of 'λ\\\\\\n'", () => {
    assert.equal(unpickleString(hex('5668690a70300a2e')), 'hi');
    assert.equal(unpickleString(Buffer.from('V\\u03bb\\u005c\\u000a\np0\n.', 'latin1')), 'λ\\\n');
  });

  test("a pickled list (pickle.dumps(['hi'])) is rejected: only a lone str is understood", () => {
    assert.throws(() => unpickleString(hex('80049509000000000000005d948c02686994612e')), (err: Error) => {
      assert.ok(err instanceof PickleError);
      assert.match(err.message, /unsupported pickle opcode 0x5d at byte 11/);
      return true;
    });
  });

  test('a pickle that would import and call a function (pickle.dumps(os.system)) is rejected, never run', () => {
    assert.throws(
      () => unpickleString(hex('80049514000000000000008c05706f736978948c0673797374656d9493942e')),
      /unsupported pickle opcode 0x93/,
    );
  });

  test('truncated and STOP-less pickles are errors', () => {
    assert.throws(() => unpickleString(hex('80049506000000000000008c0568')), /truncated pickle: SHORT_BINUNICODE/);
    assert.throws(() => unpickleString(hex('80049506000000000000008c02686994')), /no STOP opcode/);
  });
});

describe('decodeLcbCompressed', () => {
  test('base64 → zlib → pickle round trip', () => {
    const field = deflateSync(hex('80049506000000000000008c026869942e')).toString('base64');
    assert.equal(decodeLcbCompressed(field), 'hi');
  });

  test('text that is not zlib data says so', () => {
    assert.throws(() => decodeLcbCompressed('bm90IHpsaWI='), /not zlib data after base64 decoding/);
  });
});
