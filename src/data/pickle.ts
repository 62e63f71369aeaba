// The smallest Python unpickler that LiveCodeBench needs: its compressed private tests are
// base64(zlib(pickle.dumps(json_string))), so the pickle holds exactly one `str`. This reads the opcodes
// Python emits for a lone str in every protocol (0–5) and rejects anything else — it never constructs
// objects or calls anything, so a hostile pickle cannot do more than fail to parse.
//
// Opcodes (CPython Lib/pickletools.py): PROTO 0x80, FRAME 0x95, SHORT_BINUNICODE 0x8c, BINUNICODE 'X',
// BINUNICODE8 0x8d, UNICODE 'V' (raw-unicode-escape up to '\n'), MEMOIZE 0x94, PUT 'p', BINPUT 'q',
// LONG_BINPUT 'r', STOP '.'.
import { inflateSync } from 'node:zlib';

export class PickleError extends Error {
  override name = 'PickleError';
}

/** Decodes a pickle whose only value is a Python str. */
export function unpickleString(data: Buffer): string {
  const stack: string[] = [];
  let i = 0;
  const need = (n: number, what: string) => {
    if (i + n > data.length) throw new PickleError(`truncated pickle: ${what} at byte ${i} needs ${n} bytes, ${data.length - i} left`);
  };
  const utf8 = (n: number, what: string) => {
    need(n, what);
    const s = data.toString('utf8', i, i + n);
    i += n;
    stack.push(s);
  };
  const line = (what: string): Buffer => {
    const end = data.indexOf(0x0a, i);
    if (end < 0) throw new PickleError(`truncated pickle: ${what} at byte ${i} has no terminating newline`);
    const bytes = data.subarray(i, end);
    i = end + 1;
    return bytes;
  };

  while (i < data.length) {
    const at = i;
    const op = data[i++];
    switch (op) {
      case 0x80: // PROTO
        need(1, 'PROTO');
        i += 1;
        break;
      case 0x95: // FRAME: an 8-byte length hint only
        need(8, 'FRAME');
        i += 8;
        break;
      case 0x8c: // SHORT_BINUNICODE
        need(1, 'SHORT_BINUNICODE');
        i += 1;
        utf8(data[i - 1], 'SHORT_BINUNICODE');
        break;
      case 0x58: // 'X' BINUNICODE
        need(4, 'BINUNICODE');
        i += 4;
        utf8(data.readUInt32LE(i - 4), 'BINUNICODE');
        break;
      case 0x8d: {
        // BINUNICODE8
        need(8, 'BINUNICODE8');
        const n = data.readBigUInt64LE(i);
        i += 8;
        if (n > BigInt(data.length)) throw new PickleError(`truncated pickle: BINUNICODE8 at byte ${at} claims ${n} bytes`);
        utf8(Number(n), 'BINUNICODE8');
        break;
      }
      case 0x56: // 'V' UNICODE (protocol 0)
        stack.push(decodeRawUnicodeEscape(line('UNICODE')));
        break;
      case 0x94: // MEMOIZE
        break;
      case 0x70: // 'p' PUT <decimal>\n
        line('PUT');
        break;
      case 0x71: // 'q' BINPUT
        need(1, 'BINPUT');
        i += 1;
        break;
      case 0x72: // 'r' LONG_BINPUT
        need(4, 'LONG_BINPUT');
        i += 4;
        break;
      case 0x2e: // '.' STOP
        if (stack.length !== 1) throw new PickleError(`pickle ended with ${stack.length} values; expected exactly one str`);
        if (i !== data.length) throw new PickleError(`${data.length - i} bytes after STOP`);
        return stack[0];
      default:
        throw new PickleError(
          `unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at}; only a pickled str is understood`,
        );
    }
  }
  throw new PickleError('pickle has no STOP opcode');
}

/** Python's raw-unicode-escape: bytes are Latin-1 except \uXXXX and \UXXXXXXXX. */
function decodeRawUnicodeEscape(bytes: Buffer): string {
  const s = bytes.toString('latin1');
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, u4: string | undefined, u8: string | undefined) =>
    String.fromCodePoint(parseInt(u4 ?? u8 ?? '', 16)),
  );
}

/** LiveCodeBench's compressed test field: base64 → zlib → pickle → the JSON text it holds. */
export function decodeLcbCompressed(field: string): string {
  const compressed = Buffer.from(field.trim(), 'base64');
  if (compressed.length === 0) throw new PickleError('the field is empty after base64 decoding');
  let pickled: Buffer;
  try {
    pickled = inflateSync(compressed);
  } catch (err) {
    throw new PickleError(`not zlib data after base64 decoding (${(err as Error).message})`);
  }
  return unpickleString(pickled);
}
