// Streaming reader for dataset files: JSONL (one record per line) or a single top-level JSON array
// (sanitized-mbpp.json), either plain or gzip-compressed (detected by the gzip magic bytes, not the name).
// JSONL is read line by line, so a large file is never held whole; a JSON array has to be parsed whole.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DatasetError, type DatasetLocation } from './errors';
import { Fields, describe, isRecord } from './fields';

const GZIP_MAGIC = [0x1f, 0x8b];

async function isGzip(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new DatasetError({ file: path }, `cannot open the file (${(err as Error).message})`);
  }
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await handle.close();
  }
}

/** The file's text as a stream, gunzipped when it is gzip. */
export async function openText(path: string): Promise<Readable> {
  const gz = await isGzip(path);
  const raw = createReadStream(path);
  if (!gz) return raw;
  const gunzip = createGunzip();
  raw.on('error', (err) => gunzip.destroy(err));
  return raw.pipe(gunzip);
}

/** Yields each line with its 1-based number (line endings stripped, CRLF included). */
export async function* readLines(path: string): AsyncGenerator<{ text: string; line: number }> {
  const input = await openText(path);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      yield { text, line };
    }
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError({ file: path, line: line + 1 }, `cannot read the file (${(err as Error).message})`);
  } finally {
    lines.close();
    input.destroy();
  }
}

/**
 * Yields every record (a JSON object) of a JSONL or JSON-array file with its location. Blank lines are
 * skipped. A line that is not a JSON object throws a DatasetError naming the file and line.
 */
export async function* readRecords(path: string): AsyncGenerator<Fields> {
  const lines = readLines(path);
  let arrayText: string[] | undefined;
  let first = true;
  for await (const { text, line } of lines) {
    if (arrayText) {
      arrayText.push(text);
      continue;
    }
    const trimmed = text.trim();
    if (trimmed === '') continue;
    const startsArray = first && trimmed.startsWith('[');
    first = false;
    if (startsArray) {
      arrayText = [text];
      continue;
    }
    yield parseRecord(trimmed, { file: path, line });
  }
  if (arrayText) yield* arrayRecords(path, arrayText.join('\n'));
}

function parseRecord(text: string, where: DatasetLocation): Fields {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DatasetError(where, `not valid JSON (${(err as Error).message}); expected one JSON object per line`);
  }
  if (!isRecord(value)) throw new DatasetError(where, `expected a JSON object, found ${describe(value)}`);
  return new Fields(value, where);
}

function* arrayRecords(path: string, text: string): Generator<Fields> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new DatasetError({ file: path }, `the file starts with '[' but is not a valid JSON array (${(err as Error).message})`);
  }
  if (!Array.isArray(value)) throw new DatasetError({ file: path }, `expected a JSON array, found ${describe(value)}`);
  for (let item = 0; item < value.length; item++) {
    const where = { file: path, item };
    const v = value[item];
    if (!isRecord(v)) throw new DatasetError(where, `expected a JSON object, found ${describe(v)}`);
    yield new Fields(v, where);
  }
}
