// The host end of the runner protocol (docker/runner.py): frames over one hijacked attach stream.
// Docker multiplexes the container's stdout/stderr on that stream in 8-byte-header frames (type 1/2,
// u32 BE length — sandbox.md §5.2); stdout carries runner frames, stderr the runner's log.
// Runner frame: u32 BE header length, u32 BE payload length, JSON header, payload = the header's `blobs`
// ([name, size] pairs) back to back. Several requests may be in flight on a connection (./dispatch); the
// runner answers them in order, one at a time.
import type { Duplex } from 'node:stream';

/** The sandbox's own machinery failed (not the program): retried, never scored. */
export class InfraError extends Error {
  override name = 'InfraError';
}

/** No container could be had at all (the engine is down, the pool closed): nothing ran, so no verdict —
 *  runTests throws it rather than reporting IE, and callers retry later (DESIGN §5). */
export class SandboxUnavailableError extends InfraError {
  override name = 'SandboxUnavailableError';
}

export interface Frame {
  header: Record<string, any>;
  blobs: Map<string, Buffer>;
}

export function encodeFrame(header: Record<string, unknown>, blobs: [string, Buffer][] = []): Buffer[] {
  const h = Buffer.from(JSON.stringify({ ...header, blobs: blobs.map(([n, b]) => [n, b.length]) }));
  const total = blobs.reduce((s, [, b]) => s + b.length, 0);
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32BE(h.length, 0);
  prefix.writeUInt32BE(total, 4);
  return [prefix, h, ...blobs.map(([, b]) => b)];
}

/** Accumulates bytes and cuts them at known lengths without re-concatenating on every chunk. */
class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;
  push(b: Buffer): void {
    if (b.length) {
      this.chunks.push(b);
      this.length += b.length;
    }
  }
  take(n: number): Buffer {
    if (this.chunks[0] && this.chunks[0].length >= n) {
      const head = this.chunks[0];
      const out = head.subarray(0, n);
      if (head.length === n) this.chunks.shift();
      else this.chunks[0] = head.subarray(n);
      this.length -= n;
      return out;
    }
    const all = Buffer.concat(this.chunks);
    this.chunks = all.length > n ? [all.subarray(n)] : [];
    this.length -= n;
    return all.subarray(0, n);
  }
  peekUInt32(offset: number): number {
    if (this.chunks[0] && this.chunks[0].length >= offset + 4) return this.chunks[0].readUInt32BE(offset);
    const all = Buffer.concat(this.chunks);
    this.chunks = [all];
    return all.readUInt32BE(offset);
  }
}

/** One runner: parses its frames, answers one request at a time, fails loudly when the stream dies. */
export class RunnerConnection {
  private raw = new ByteQueue();
  private proto = new ByteQueue();
  private logTail = '';
  private waiting: { resolve: (f: Frame) => void; reject: (e: Error) => void } | null = null;
  private queued: Frame[] = [];
  private closedError: InfraError | null = null;

  constructor(
    private stream: Duplex,
    private label: string,
  ) {
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    const close = (why: string) => this.fail(new InfraError(`${why}${this.logTail ? `; runner log: ${this.logTail.trim()}` : ''}`));
    stream.on('end', () => close(`sandbox ${label}: the runner's stream ended`));
    stream.on('close', () => close(`sandbox ${label}: the runner's stream closed`));
    stream.on('error', (err) => close(`sandbox ${label}: stream error ${err.message}`));
  }

  get closed(): boolean {
    return this.closedError !== null;
  }

  /** Last lines the runner wrote to its stderr (for error messages). */
  get log(): string {
    return this.logTail;
  }

  private onData(chunk: Buffer): void {
    this.raw.push(chunk);
    while (this.raw.length >= 8) {
      const size = this.raw.peekUInt32(4);
      if (this.raw.length < 8 + size) break;
      const type = this.raw.take(8)[0];
      const body = this.raw.take(size);
      if (type === 1) this.proto.push(Buffer.from(body));
      else if (type === 2) this.logTail = (this.logTail + body.toString('utf8')).slice(-2000);
    }
    this.parseFrames();
  }

  private parseFrames(): void {
    while (this.proto.length >= 8) {
      const hlen = this.proto.peekUInt32(0);
      const plen = this.proto.peekUInt32(4);
      if (this.proto.length < 8 + hlen + plen) return;
      this.proto.take(8);
      let header: Record<string, any>;
      try {
        header = JSON.parse(this.proto.take(hlen).toString('utf8'));
      } catch (err) {
        this.fail(new InfraError(`sandbox ${this.label}: bad frame header (${(err as Error).message})`));
        return;
      }
      const payload = this.proto.take(plen);
      const blobs = new Map<string, Buffer>();
      let at = 0;
      for (const [name, size] of (header.blobs ?? []) as [string, number][]) {
        blobs.set(name, payload.subarray(at, at + size));
        at += size;
      }
      const frame = { header, blobs };
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w.resolve(frame);
      } else this.queued.push(frame);
    }
  }

  private fail(err: InfraError): void {
    if (this.closedError) return;
    this.closedError = err;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w.reject(err);
    }
  }

  /** The next frame from the runner; rejects with InfraError if the stream dies or timeoutMs passes. */
  next(timeoutMs: number): Promise<Frame> {
    const queued = this.queued.shift();
    if (queued) return Promise.resolve(queued);
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(new InfraError(`sandbox ${this.label}: no answer from the runner within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting = {
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }

  /** Writes requests back to back in one write (the runner answers each in turn: next()). */
  send(requests: [Record<string, unknown>, [string, Buffer][]][]): void {
    if (this.closedError) return; // next() rejects with it
    this.stream.write(Buffer.concat(requests.flatMap(([header, blobs]) => encodeFrame(header, blobs))));
  }

  destroy(): void {
    this.fail(new InfraError(`sandbox ${this.label}: connection closed by the host`));
    this.stream.destroy();
  }
}
