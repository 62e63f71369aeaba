// A pool of warm sandbox containers, one trusted runner each (sandbox.md §9.1 #1–#3). Each container runs
// docker/runner.py as its main process under docker-init, and the host talks to it over one hijacked
// attach stream. Containers are labelled with their owner (host, pid, process start time); at start the
// pool removes labelled containers whose owner process is gone. A container is recycled after
// `maxRunsPerContainer` runs, after any anomaly the runner reports, and whenever its runner fails.
import { hostname, cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';
import { dockerClient, engineDownMessage } from './docker';
import { ensureSandboxImage } from './image';
import { InfraError, RunnerConnection } from './protocol';
import { SECCOMP_PROFILE } from './seccomp';

const MiB = 1024 * 1024;
export const LABEL = 'mars2.sandbox';
const OWNER_LABEL = 'mars2.sandbox.owner';

/** Sizes of the program's writable dirs: their pages are charged to the container's memory. */
const TMPFS_MIB = { work: 64, tmp: 64, shm: 16 };
const IPC_SYSCTLS: Record<string, string> = {
  'kernel.shm_rmid_forced': '1',
  'kernel.shmmax': String(16 * MiB),
  'kernel.shmall': String((16 * MiB) / 4096),
  'kernel.shmmni': '64',
  'kernel.msgmni': '16',
  'kernel.msgmnb': '65536',
  'kernel.msgmax': '8192',
  'fs.mqueue.queues_max': '0',
};

export interface PoolOptions {
  /** Warm containers (one runner each); default: one per core. */
  size?: number;
  /** Image id or tag; default: ensureSandboxImage(). */
  image?: string;
  docker?: Docker;
  /** Recycle a container after this many runs. */
  maxRunsPerContainer?: number;
  /** CPUs per container (CFS quota). */
  cpusPerContainer?: number;
  pidsLimit?: number;
  /** Added to a run's memory limit for the runner and the run's files (tmpfs pages count too). */
  memoryOverheadBytes?: number;
}

export interface Slot {
  id: string;
  container: Docker.Container;
  conn: RunnerConnection;
  runs: number;
  memoryBytes: number;
}

function procStartTicks(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '?';
  } catch {
    return 'gone';
  }
}

/** This process, as written on the containers it owns: host:pid:start-ticks. */
export function ownerTag(pid = process.pid): string {
  return `${hostname()}:${pid}:${procStartTicks(pid)}`;
}

/** Removes labelled sandbox containers whose owner process (on this host) no longer exists. */
export async function reapLeftovers(docker: Docker): Promise<number> {
  const list = await docker.listContainers({ all: true, filters: { label: [LABEL] } });
  let removed = 0;
  await Promise.all(
    list.map(async (c) => {
      const owner = c.Labels[OWNER_LABEL] ?? '';
      const [host, pid, ticks] = owner.split(':');
      if (host !== hostname()) return; // another machine's engine user: not ours to judge
      if (pid && procStartTicks(Number(pid)) === ticks) return; // owner alive
      await docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .then(() => removed++)
        .catch(() => {});
    }),
  );
  return removed;
}

export class SandboxPool {
  readonly size: number;
  private free: Slot[] = [];
  private waiters: (() => void)[] = [];
  private live = 0;
  private removals = new Set<Promise<unknown>>();
  private closed = false;
  private created = 0;
  readonly owner = ownerTag();
  /** Containers recycled so far, by reason (for tests and the bench). */
  readonly recycled: Record<string, number> = {};

  private constructor(
    readonly docker: Docker,
    readonly image: string,
    private opts: Required<Omit<PoolOptions, 'image' | 'docker' | 'size'>>,
    size: number,
  ) {
    this.size = size;
  }

  /** Ensures the image, reaps dead owners' containers and warms `size` containers. */
  static async start(options: PoolOptions = {}): Promise<SandboxPool> {
    const docker = options.docker ?? dockerClient();
    try {
      await docker.ping();
    } catch (err) {
      throw new InfraError(engineDownMessage(err, docker));
    }
    const image = options.image ?? (await ensureSandboxImage({ docker })).id;
    await reapLeftovers(docker);
    const pool = new SandboxPool(
      docker,
      image,
      {
        maxRunsPerContainer: options.maxRunsPerContainer ?? 500,
        cpusPerContainer: options.cpusPerContainer ?? 1,
        pidsLimit: options.pidsLimit ?? 128,
        // The runner and the evaluator, plus every byte the program can leave in tmpfs and SysV shm: its
        // leftovers never squeeze the runner, so a run's answer cannot fail for want of memory (no IE).
        memoryOverheadBytes: options.memoryOverheadBytes ?? (64 + TMPFS_MIB.work + TMPFS_MIB.tmp + TMPFS_MIB.shm + 16) * MiB,
      },
      Math.max(1, options.size ?? cpus().length),
    );
    const slots = await Promise.all(Array.from({ length: pool.size }, () => pool.createSlot()));
    pool.live = slots.length;
    pool.free.push(...slots);
    return pool;
  }

  /** Cgroup memory for a run whose program may use `memoryBytes`. */
  cgroupBytes(memoryBytes: number): number {
    return memoryBytes + this.opts.memoryOverheadBytes;
  }

  private async createSlot(memoryBytes = 512 * MiB): Promise<Slot> {
    const cgroup = this.cgroupBytes(memoryBytes);
    const n = ++this.created;
    const container = await this.docker.createContainer({
      Image: this.image,
      User: '0:0',
      WorkingDir: '/work',
      Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'LANG=C.UTF-8'], // no secrets: the runner passes its own env on
      NetworkDisabled: true,
      Tty: false,
      OpenStdin: true,
      StdinOnce: false,
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Labels: { [LABEL]: '1', [OWNER_LABEL]: this.owner },
      HostConfig: {
        NetworkMode: 'none',
        Memory: cgroup,
        MemorySwap: cgroup, // = Memory: no swap
        PidsLimit: this.opts.pidsLimit,
        NanoCpus: Math.round(this.opts.cpusPerContainer * 1e9),
        ReadonlyRootfs: true,
        Tmpfs: {
          '/work': `rw,nosuid,nodev,exec,size=${TMPFS_MIB.work}m,nr_inodes=16k,mode=1777`,
          '/tmp': `rw,nosuid,nodev,size=${TMPFS_MIB.tmp}m,nr_inodes=16k,mode=1777`,
          '/run/sb': 'rw,nosuid,nodev,noexec,size=256m,nr_inodes=4k,mode=755',
        },
        ShmSize: TMPFS_MIB.shm * MiB,
        IpcMode: 'private',
        // The IPC namespace is the container's: SysV segments die with their last user (shm_rmid_forced)
        // and are capped, no POSIX message queue can be made; the runner removes what is left after a run.
        Sysctls: IPC_SYSCTLS,
        CapDrop: ['ALL'],
        CapAdd: ['SETUID', 'SETGID', 'KILL'], // the runner drops to uid 65534 and kills what it started
        SecurityOpt: ['no-new-privileges', `seccomp=${SECCOMP_PROFILE}`],
        Ulimits: [
          { Name: 'nofile', Soft: 4096, Hard: 4096 },
          { Name: 'core', Soft: 0, Hard: 0 },
        ],
        Init: true,
        LogConfig: { Type: 'none', Config: {} },
        OomScoreAdj: 500,
        AutoRemove: false,
      },
    } as any);
    const label = `#${n} ${container.id.slice(0, 12)}`;
    try {
      const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true } as any)) as any;
      const conn = new RunnerConnection(stream, label);
      await container.start();
      const hello = await conn.next(30_000);
      if (hello.header.type !== 'hello') throw new InfraError(`sandbox ${label}: expected a hello from the runner, got ${hello.header.type}`);
      return { id: container.id, container, conn, runs: 0, memoryBytes };
    } catch (err) {
      this.removeContainer(container);
      throw err instanceof InfraError ? err : new InfraError(`sandbox ${label}: could not start (${(err as Error).message})`);
    }
  }

  private removeContainer(container: Docker.Container): void {
    const p = container
      .remove({ force: true, v: true })
      .catch(() => {})
      .finally(() => this.removals.delete(p));
    this.removals.add(p);
  }

  /** A warm container for one run, its memory limit set to `memoryBytes` (+ overhead). */
  async acquire(memoryBytes: number): Promise<Slot> {
    for (;;) {
      if (this.closed) throw new InfraError('the sandbox pool is closed');
      const slot = this.free.pop();
      if (slot) {
        if (slot.memoryBytes !== memoryBytes) {
          try {
            const bytes = this.cgroupBytes(memoryBytes);
            await slot.container.update({ Memory: bytes, MemorySwap: bytes });
            slot.memoryBytes = memoryBytes;
          } catch (err) {
            this.release(slot, `memory update failed: ${(err as Error).message}`);
            throw new InfraError(`sandbox: could not set the memory limit (${(err as Error).message})`);
          }
        }
        return slot;
      }
      if (this.live < this.size) {
        this.live++;
        try {
          return await this.createSlot(memoryBytes);
        } catch (err) {
          this.live--;
          this.wake();
          throw err;
        }
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Runs a container serves before it is recycled. */
  get maxRunsPerContainer(): number {
    return this.opts.maxRunsPerContainer;
  }

  /** Returns a slot after `runs` runs; with a reason, the container is removed and a fresh one is made on demand. */
  release(slot: Slot, recycleReason?: string, runs = 1): void {
    slot.runs += runs;
    const reason =
      recycleReason ?? (slot.conn.closed ? 'runner gone' : slot.runs >= this.opts.maxRunsPerContainer ? 'run count' : undefined);
    if (reason || this.closed) {
      const key = reason ?? 'closed';
      this.recycled[key.split(':')[0]] = (this.recycled[key.split(':')[0]] ?? 0) + 1;
      this.live--;
      slot.conn.destroy();
      this.removeContainer(slot.container);
    } else {
      this.free.push(slot);
    }
    this.wake();
  }

  private wake(): void {
    this.waiters.shift()?.();
  }

  /** Containers currently owned by this pool (ids), for tests. */
  async containerIds(): Promise<string[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [`${OWNER_LABEL}=${this.owner}`] } });
    return list.map((c) => c.Id);
  }

  /** Removes every container and waits until they are gone. */
  async close(): Promise<void> {
    this.closed = true;
    for (const slot of this.free.splice(0)) {
      slot.conn.destroy();
      this.removeContainer(slot.container);
    }
    for (const w of this.waiters.splice(0)) w();
    await Promise.all([...this.removals]);
  }
}
