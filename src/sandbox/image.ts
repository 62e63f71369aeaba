// The sandbox image, built by the project from Debian packages with no registry (sandbox.md §6):
//   1. base: mmdebstrap (essential + python3 + python3-numpy, docs/man/locales excluded) from the mirrors the
//      machine's apt already uses → a rootfs tarball cached under .mars2/sandbox/ → `docker import`;
//   2. runner layer: docker/Dockerfile (the trusted runner and the harness) via dockerode's buildImage.
// Both tags are a hash of their inputs, so an image is rebuilt only when its recipe or files change.
// `ensureSandboxImage()` is the one entry: it does the least work that makes the final image present.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { debianMirrorLines, hostCodename } from './aptSources';
import { dockerClient } from './docker';

export const REPO_ROOT = join(__dirname, '..', '..');
const DOCKER_DIR = join(REPO_ROOT, 'docker');
/** Files of the runner layer, relative to docker/ (all of them go into the build context and the hash). */
export const RUNNER_FILES = ['Dockerfile', 'runner.py', 'container_state.py', 'harness.py', 'evaluator.py', 'values.py'];

/** What goes into the base rootfs. Changing any of it changes the base tag, hence a rebuild. */
const BASE_RECIPE = {
  variant: 'essential',
  // sortedcontainers: LeetCodeDataset's preamble imports it (SortedList); Debian packages it.
  include: ['python3', 'python3-numpy', 'python3-sortedcontainers'],
  dpkgopts: [
    'path-exclude=/usr/share/doc/*',
    'path-exclude=/usr/share/man/*',
    'path-exclude=/usr/share/locale/*',
    'path-exclude=/usr/share/info/*',
  ],
  changes: ['ENV LANG=C.UTF-8', 'ENV PATH=/usr/local/bin:/usr/bin:/bin', 'CMD ["/bin/sh"]'],
};

export interface ImageTags {
  suite: string;
  baseTag: string;
  tag: string;
}

function sha(parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:${p}`);
  return h.digest('hex').slice(0, 16);
}

/** The tags the current recipe and docker/ files produce (no Docker call). */
export function imageTags(suite = hostCodename()): ImageTags {
  const baseHash = sha([suite, JSON.stringify(BASE_RECIPE)]);
  const files = RUNNER_FILES.map((f) => `${f}\n${readFileSync(join(DOCKER_DIR, f), 'utf8')}`);
  return { suite, baseTag: `mars2-sandbox-base:${baseHash}`, tag: `mars2-sandbox:${sha([baseHash, ...files])}` };
}

export interface EnsureResult {
  tag: string;
  /** The image id (sha256:…) to pin containers to. */
  id: string;
  /** What had to be done: nothing, only the runner layer, an import of the cached rootfs, or everything. */
  action: 'present' | 'built runner layer' | 'imported cached rootfs' | 'bootstrapped from Debian';
  seconds: number;
}

async function imageId(docker: Docker, tag: string): Promise<string | null> {
  try {
    return (await docker.getImage(tag).inspect()).Id;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return null;
    throw err;
  }
}

async function follow(docker: Docker, stream: NodeJS.ReadableStream, what: string): Promise<void> {
  const events = await new Promise<any[]>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, res: any[]) => (err ? reject(err) : resolve(res))),
  );
  const failed = events.find((ev) => ev.error || ev.errorDetail); // build errors arrive in the stream (§5.5)
  if (failed) {
    const log = events.map((e) => e.stream ?? '').join('').slice(-3000);
    throw new Error(`${what} failed: ${failed.error ?? JSON.stringify(failed.errorDetail)}\n${log}`);
  }
}

function ensureMmdebstrap(): string {
  const found = spawnSync('sh', ['-c', 'command -v mmdebstrap'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  if (process.getuid?.() !== 0)
    throw new Error("mmdebstrap is not installed and this user is not root: run 'sudo apt-get install mmdebstrap', then retry");
  const r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'mmdebstrap'], {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (r.status !== 0) throw new Error(`apt-get install mmdebstrap failed (exit ${r.status}):\n${(r.stderr ?? '').slice(-2000)}`);
  return 'mmdebstrap';
}

/** Runs mmdebstrap into `.mars2/sandbox/rootfs-<hash>.tar` (written under a temporary name, then renamed). */
async function bootstrapRootfs(suite: string, tarPath: string, log: (line: string) => void): Promise<void> {
  const bin = ensureMmdebstrap();
  const mirrors = debianMirrorLines(suite);
  const args = [
    `--variant=${BASE_RECIPE.variant}`,
    `--include=${BASE_RECIPE.include.join(',')}`,
    ...BASE_RECIPE.dpkgopts.map((o) => `--dpkgopt=${o}`),
    '--format=tar',
    suite,
    `${tarPath}.tmp`,
    ...mirrors,
  ];
  log(`mmdebstrap ${suite} with ${BASE_RECIPE.include.join(', ')} from ${mirrors.length} apt source(s) of this machine`);
  const stderr: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d: Buffer) => {
      stderr.push(d.toString());
      if (stderr.length > 200) stderr.shift();
    });
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    rmSync(`${tarPath}.tmp`, { force: true });
    throw new Error(`mmdebstrap exited with ${code}:\n${stderr.join('').slice(-3000)}`);
  }
  renameSync(`${tarPath}.tmp`, tarPath);
}

/** Removes images of earlier recipes (ones still used by a container stay: removal is not forced). */
async function removeOlderImages(docker: Docker, keep: ImageTags): Promise<void> {
  const images = await docker.listImages();
  for (const image of images) {
    const tags = image.RepoTags ?? [];
    const ours = tags.some((t) => t.startsWith('mars2-sandbox:') || t.startsWith('mars2-sandbox-base:'));
    if (!ours || tags.includes(keep.tag) || tags.includes(keep.baseTag)) continue;
    await docker
      .getImage(image.Id)
      .remove({})
      .catch(() => {});
  }
}

/**
 * Makes the sandbox image present and returns its tag and id. Cheap when it already exists (one
 * inspect call); otherwise builds only the missing stages.
 */
export async function ensureSandboxImage(
  opts: { docker?: Docker; log?: (line: string) => void; cacheDir?: string } = {},
): Promise<EnsureResult> {
  const started = performance.now();
  const docker = opts.docker ?? dockerClient();
  const log = opts.log ?? (() => {});
  const tags = imageTags();
  const done = (id: string, action: EnsureResult['action']): EnsureResult => ({
    tag: tags.tag,
    id,
    action,
    seconds: (performance.now() - started) / 1000,
  });

  const existing = await imageId(docker, tags.tag);
  if (existing) return done(existing, 'present');

  let action: EnsureResult['action'] = 'built runner layer';
  if (!(await imageId(docker, tags.baseTag))) {
    const cacheDir = opts.cacheDir ?? join(REPO_ROOT, '.mars2', 'sandbox');
    mkdirSync(cacheDir, { recursive: true });
    const tarPath = join(cacheDir, `rootfs-${tags.baseTag.split(':')[1]}.tar`);
    action = 'imported cached rootfs';
    if (!existsSync(tarPath)) {
      for (const old of readdirSync(cacheDir)) if (/^rootfs-.*\.tar$/.test(old)) rmSync(join(cacheDir, old), { force: true });
      await bootstrapRootfs(tags.suite, tarPath, log);
      action = 'bootstrapped from Debian';
    }
    log(`docker import ${tarPath} as ${tags.baseTag}`);
    const [repo, tag] = tags.baseTag.split(':');
    const stream = (await docker.importImage(createReadStream(tarPath) as any, { repo, tag, changes: BASE_RECIPE.changes } as any)) as unknown as NodeJS.ReadableStream;
    await follow(docker, stream, 'docker import of the sandbox rootfs');
  }

  log(`building ${tags.tag} (runner layer) from docker/`);
  const buildOptions = { t: tags.tag, rm: true, forcerm: true, buildargs: { BASE: tags.baseTag }, labels: { 'mars2.sandbox.image': tags.tag } };
  const stream = (await docker.buildImage({ context: DOCKER_DIR, src: RUNNER_FILES }, buildOptions as any)) as unknown as NodeJS.ReadableStream;
  await follow(docker, stream, `docker build of ${tags.tag}`);
  const id = await imageId(docker, tags.tag);
  if (!id) throw new Error(`docker build reported success but ${tags.tag} is not present`);
  await removeOlderImages(docker, tags);
  return done(id, action);
}
