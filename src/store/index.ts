// The artifact store (DESIGN §4, §5 "small payloads"): content-addressed files under one root
// (.mars2/store by default; a shared filesystem path in a cluster). Workflows carry refs — short strings —
// and activities read and write the bytes. Writes are atomic (temp file, fsync, rename), so a crash never
// leaves a half-written object, and content addressing makes every put idempotent.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** `sha256:<64 hex>`: the address of an object in the store. */
export type Ref = `sha256:${string}`;

const REF = /^sha256:([0-9a-f]{64})$/;

export class StoreError extends Error {
  override name = 'StoreError';
}

export function isRef(value: unknown): value is Ref {
  return typeof value === 'string' && REF.test(value);
}

export function refOf(data: Uint8Array): Ref {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Writes `data` to `path` and fsyncs it (not atomic: for files inside a folder that is renamed into place). */
export async function writeSynced(path: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsyncs a folder, so a rename or a new entry in it survives a crash. */
export async function syncDir(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Writes `data` to `path` atomically: a reader sees the old file or the whole new one. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeSynced(tmp, data);
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(dirname(path));
}

export class Store {
  constructor(readonly root: string) {}

  /** Where the object of `ref` lives on disk. */
  path(ref: Ref): string {
    const m = REF.exec(ref);
    if (!m) throw new StoreError(`not a store ref: '${ref}' (expected sha256:<64 hex digits>)`);
    return join(this.root, 'objects', m[1].slice(0, 2), m[1].slice(2));
  }

  async putBytes(data: Uint8Array): Promise<Ref> {
    const ref = refOf(data);
    const path = this.path(ref);
    if (!(await exists(path))) await writeFileAtomic(path, data);
    return ref;
  }

  async putText(text: string): Promise<Ref> {
    return this.putBytes(Buffer.from(text, 'utf8'));
  }

  async putJson(value: unknown): Promise<Ref> {
    return this.putText(JSON.stringify(value));
  }

  async getBytes(ref: Ref): Promise<Buffer> {
    const path = this.path(ref);
    let data: Buffer;
    try {
      data = await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new StoreError(`${ref} is not in the store at ${this.root}`);
      throw err;
    }
    if (refOf(data) !== ref) throw new StoreError(`${ref} at ${path} is corrupt: its content hashes to ${refOf(data)}`);
    return data;
  }

  async getText(ref: Ref): Promise<string> {
    return (await this.getBytes(ref)).toString('utf8');
  }

  async getJson<T>(ref: Ref): Promise<T> {
    return JSON.parse(await this.getText(ref)) as T;
  }

  async has(ref: Ref): Promise<boolean> {
    return exists(this.path(ref));
  }

  /** Points a name (e.g. 'runs/run-1/agent-0/latest') at a ref, atomically. */
  async setName(name: string, ref: Ref): Promise<void> {
    await writeFileAtomic(this.namePath(name), ref);
  }

  async getName(name: string): Promise<Ref | undefined> {
    try {
      const ref = (await readFile(this.namePath(name), 'utf8')).trim();
      if (!isRef(ref)) throw new StoreError(`name '${name}' holds '${ref}', not a ref`);
      return ref;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private namePath(name: string): string {
    if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(name) || name.split('/').some((p) => p === '..' || p === '.')) {
      throw new StoreError(`bad name '${name}': use letters, digits, '.', '_', '-' and '/' separators`);
    }
    return join(this.root, 'names', name);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
