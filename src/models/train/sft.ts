// Supervised fine-tuning (behind `mars2 sft`): JSONL data → token rows with loss masks →
// N optimizer steps of the Trainer → one checkpoint.
// Data lines, one JSON object each:
//   {"messages": [{role, content}, …]}  rendered with the model's chat template; loss on the assistant
//       turns only. Turn i's span is the text between render(messages[<i], generation prompt) and
//       render(messages[≤i]), so it covers the assistant content and the template's end-of-turn marker.
//   {"prompt": "…", "completion": "…"}  prompt encoded with the tokenizer's special tokens, completion
//       without, then EOS; loss on the completion tokens and the EOS.
// Departures:
//   1. Text spans are tokenized segment by segment (template text between turns, then each turn), not
//      as one string; at chat-template boundaries (special tokens) the two agree, elsewhere a merge
//      across a boundary is lost.
//   2. Rows longer than --seq-len keep their first T tokens; a row left with no loss tokens is dropped
//      (and counted).
//   3. Batches are drawn without replacement from a seeded shuffle, reshuffled each epoch.
import { uniformStream } from '../../search/rng';
import { readFileSync } from 'node:fs';
import type { ModelTokenizer } from '../tokenizer';
import type { ModelConfig } from '../hf/config';
import type { StepMetrics, TokenRow, Trainer } from './trainer';
import type { StepHyper } from '../../contracts';

export class SftDataError extends Error {
  override name = 'SftDataError';
}

/** Token rows with loss masks from one text's segments: [text, trained?] in order. */
function segmentsToRow(tok: ModelTokenizer, segments: [string, boolean][], prefix: number[] = [], suffix: number[] = []): TokenRow {
  const ids = [...prefix], lossMask = prefix.map(() => 0);
  for (const [text, trained] of segments) {
    if (!text) continue;
    const part = tok.encode(text, false);
    ids.push(...part);
    lossMask.push(...part.map(() => (trained ? 1 : 0)));
  }
  ids.push(...suffix);
  lossMask.push(...suffix.map(() => 1));
  return { ids, lossMask };
}

/** Parses one data line (1-based `line` of `file`) into a token row. */
export function sftRow(tok: ModelTokenizer, eosId: number | undefined, file: string, line: number, text: string): TokenRow {
  const at = `${file}:${line}`;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new SftDataError(`${at}: not valid JSON (${(err as Error).message})`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new SftDataError(`${at}: expected a JSON object {"messages": [...]} or {"prompt", "completion"}, found ${JSON.stringify(v).slice(0, 60)}`);
  const o = v as Record<string, unknown>;
  if ('messages' in o) {
    if (!Array.isArray(o.messages) || o.messages.length === 0) throw new SftDataError(`${at}: field 'messages' must be a non-empty list of {role, content}`);
    const msgs = o.messages.map((m: unknown, i) => {
      const r = m as { role?: unknown; content?: unknown };
      if (!r || typeof r.role !== 'string') throw new SftDataError(`${at}: field 'messages[${i}].role' must be a string, found ${JSON.stringify(r?.role)}`);
      if (typeof r.content !== 'string') throw new SftDataError(`${at}: field 'messages[${i}].content' must be a string, found ${JSON.stringify(r.content)}`);
      return { role: r.role, content: r.content };
    });
    if (!msgs.some((m) => m.role === 'assistant')) throw new SftDataError(`${at}: field 'messages' has no assistant turn to train on`);
    if (!tok.hasChatTemplate) throw new SftDataError(`${at}: 'messages' lines need a chat template, and this model has none; use {"prompt", "completion"} lines`);
    const full = tok.applyChatTemplate(msgs, { addGenerationPrompt: false });
    const segments: [string, boolean][] = [];
    let done = 0;
    msgs.forEach((m, i) => {
      if (m.role !== 'assistant') return;
      const start = tok.applyChatTemplate(msgs.slice(0, i), { addGenerationPrompt: true }).length;
      const end = tok.applyChatTemplate(msgs.slice(0, i + 1), { addGenerationPrompt: false }).length;
      if (!full.startsWith(tok.applyChatTemplate(msgs.slice(0, i), { addGenerationPrompt: true })) || end > full.length || start < done) {
        throw new SftDataError(`${at}: field 'messages[${i}]': the chat template does not render earlier turns as a prefix of the conversation, so the assistant span cannot be located`);
      }
      segments.push([full.slice(done, start), false], [full.slice(start, end), true]);
      done = end;
    });
    segments.push([full.slice(done), false]);
    return segmentsToRow(tok, segments);
  }
  if ('prompt' in o || 'completion' in o) {
    for (const k of ['prompt', 'completion']) if (typeof o[k] !== 'string') throw new SftDataError(`${at}: field '${k}' must be a string, found ${JSON.stringify(o[k])}`);
    if (!(o.completion as string)) throw new SftDataError(`${at}: field 'completion' is empty; nothing to train on`);
    return segmentsToRow(tok, [[o.completion as string, true]], tok.encode(o.prompt as string, true), eosId === undefined ? [] : [eosId]);
  }
  throw new SftDataError(`${at}: expected field 'messages' or fields 'prompt' and 'completion', found keys [${Object.keys(o).join(', ')}]`);
}

/** All rows of a JSONL file, truncated to `seqLen` tokens; rows left without loss tokens are dropped. */
export function readSftData(file: string, tok: ModelTokenizer, cfg: ModelConfig, seqLen: number): { rows: TokenRow[]; dropped: number } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SftDataError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const eosId = tok.eosTokenId ?? cfg.eosTokenIds[0];
  const rows: TokenRow[] = [];
  let dropped = 0;
  text.split('\n').forEach((l, i) => {
    if (!l.trim()) return;
    const r = sftRow(tok, eosId, file, i + 1, l);
    const row = { ids: r.ids.slice(0, seqLen), lossMask: r.lossMask.slice(0, seqLen) };
    if (row.ids.length < 2 || !row.lossMask.slice(1).some((m) => m === 1)) dropped++;
    else rows.push(row);
  });
  if (rows.length === 0) throw new SftDataError(`${file}: no usable rows (${dropped} dropped for having no loss tokens within --seq-len ${seqLen})`);
  return { rows, dropped };
}


/** Batches of `batchSize` row indices for `steps` steps: seeded shuffles, one per epoch. */
export function batchOrder(n: number, batchSize: number, steps: number, seed: number): number[][] {
  const rand = uniformStream(seed);
  const out: number[][] = [];
  let perm: number[] = [];
  for (let s = 0; s < steps; s++) {
    const batch: number[] = [];
    while (batch.length < Math.min(batchSize, n)) {
      if (perm.length === 0) {
        perm = Array.from({ length: n }, (_, i) => i);
        for (let i = n - 1; i > 0; i--) {
          const j = Math.floor(rand() * (i + 1));
          [perm[i], perm[j]] = [perm[j]!, perm[i]!];
        }
      }
      batch.push(perm.pop()!);
    }
    out.push(batch);
  }
  return out;
}

/** Runs `steps` SFT steps over `rows`, calling `onStep` after each. */
export async function runSft(trainer: Trainer, rows: TokenRow[], o: { steps: number; batchSize: number; seed: number; hyper: StepHyper }, onStep: (m: StepMetrics) => void | Promise<void>): Promise<StepMetrics[]> {
  const all: StepMetrics[] = [];
  for (const idx of batchOrder(rows.length, o.batchSize, o.steps, o.seed)) {
    const m = await trainer.sftStep(idx.map((i) => rows[i]!), o.hyper);
    all.push(m);
    await onStep(m);
  }
  return all;
}
