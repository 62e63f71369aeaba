// Where a JSON text first breaks the grammar (RFC 8259), as line and column, because Node 20's
// JSON.parse errors often carry no position at all ("Unexpected token '}', ... is not valid JSON").
// Only called after JSON.parse has failed, so it is written for clear messages, not speed.

export interface JsonSyntaxError {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  message: string;
}

class Stop extends Error {
  constructor(
    readonly at: number,
    readonly what: string,
  ) {
    super(what);
  }
}

/** The first syntax error of `text`, or null if it is valid JSON. */
export function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  let i = 0;
  const peek = () => text[i];
  const shown = (at: number) => (at >= text.length ? 'the end of the file' : JSON.stringify(text[at]));
  const fail = (expected: string, at = i): never => {
    throw new Stop(at, `expected ${expected}, found ${shown(at)}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const literal = (word: string) => {
    for (let k = 0; k < word.length; k++) if (text[i + k] !== word[k]) fail(`'${word}'`, i + k);
    i += word.length;
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail('a closing \'"\'');
      const c = text[i];
      if (c === '"') return void i++;
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('4 hex digits after \\u', i + 2);
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail('an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)', i + 1);
      } else if (c < ' ') fail('no control character inside a string (write \\n, \\t)');
      else i++;
    }
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail('a number');
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = peek();
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    fail('a value (object, array, string, number, true, false or null)');
  };
  const object = () => {
    i++;
    ws();
    if (peek() === '}') return void i++;
    for (;;) {
      ws();
      if (peek() !== '"') fail("a double-quoted key");
      string();
      ws();
      if (peek() !== ':') fail("':'");
      i++;
      value();
      ws();
      if (peek() === ',') {
        i++;
        ws();
        if (peek() === '}') fail('another key after \',\' (JSON has no trailing commas)');
        continue;
      }
      if (peek() === '}') return void i++;
      fail("',' or '}'");
    }
  };
  const array = () => {
    i++;
    ws();
    if (peek() === ']') return void i++;
    for (;;) {
      value();
      ws();
      if (peek() === ',') {
        i++;
        ws();
        if (peek() === ']') fail('another value after \',\' (JSON has no trailing commas)');
        continue;
      }
      if (peek() === ']') return void i++;
      fail("',' or ']'");
    }
  };
  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1; // a BOM is tolerated, as by most editors
    value();
    ws();
    if (i < text.length) fail('the end of the file after the top-level value');
    return null;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    return { ...lineColumn(text, err.at), message: err.what };
  }
}

/** 1-based line and column of offset `at`. */
export function lineColumn(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let k = 0; k < at && k < text.length; k++) {
    if (text[k] === '\n') {
      line++;
      start = k + 1;
    }
  }
  return { line, column: at - start + 1 };
}
