// The tiny models the examples and the demo train (`.mars2/models/{llama,qwen2,qwen3}`): the random
// test fixtures (test/fixtures/models, a few hundred KB each, made by scripts/golden) with a context of
// 4096 positions instead of 256, so MBPP prompts and refinement prompts fit. Their programs are noise;
// they show the machinery, not learning. Idempotent (set-up's `models` step runs it):
//   node --import tsx scripts/example-models.ts [DEST]
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'models');
export const MODEL_NAMES = ['llama', 'qwen2', 'qwen3'] as const;
export const CONTEXT = 4096;

/** A copy of fixture `name` under `dest` with max_position_embeddings = CONTEXT; returns its folder. */
export function longContextModel(dest: string, name: (typeof MODEL_NAMES)[number]): string {
  const dir = join(dest, name);
  const config = join(dir, 'config.json');
  if (existsSync(config) && JSON.parse(readFileSync(config, 'utf8')).max_position_embeddings === CONTEXT) return dir;
  cpSync(join(FIXTURES, name), dir, { recursive: true, filter: (src) => !/reference/.test(src) });
  const c = JSON.parse(readFileSync(config, 'utf8'));
  writeFileSync(config, JSON.stringify({ ...c, max_position_embeddings: CONTEXT }, null, 2));
  return dir;
}

if (require.main === module) {
  const dest = resolve(process.argv[2] ?? join(__dirname, '..', '.mars2', 'models'));
  for (const name of MODEL_NAMES) longContextModel(dest, name);
  console.log(`${dest}: ${MODEL_NAMES.join(', ')} (context ${CONTEXT})`);
}
