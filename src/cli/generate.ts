// `mars2 generate`: sample from a HF model directory (Llama / Qwen2 / Qwen3) on onnxruntime-node and print
// the text, token ids and per-token log-probs. Runs the engine's ModelHost in-process (one request).
import { readFileSync } from 'node:fs';
import { numberFlag, parseFlags, UsageError, UserError, type Command } from './command';

const usage = `usage: mars2 generate --model DIR (--prompt TEXT | --messages FILE) [options]
  --model DIR            HF model directory (config.json, *.safetensors, tokenizer.json, chat template)
  --prompt TEXT          plain prompt, encoded as is
  --messages FILE        JSON chat: [{"role": "user", "content": "…"}, …] (or {"messages": […]}),
                         rendered with the model's chat template and a generation prompt
  --no-thinking          pass enable_thinking=false to the chat template (Qwen3)
  --max-new-tokens N     default 256
  --temperature T        default: generation_config.json's, else 1 (0 = greedy)
  --top-p P, --top-k K   nucleus / top-k filtering (default: generation_config.json's, else off)
  --seed S               sampling seed (default 0)
  --greedy               argmax decoding
  --stop TEXT            stop string (repeatable)
  --threads N            ORT intra-op threads (default: all cores)
  --int8                 int8 projection weights (quantized at load; faster, logits within quantization error)
  --json                 print the full result as JSON`;

function readMessages(file: string): { role: string; content: string }[] {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`--messages ${file}: expected a JSON file with a list of {role, content}; ${(err as Error).message}`);
  }
  const list = Array.isArray(v) ? v : (v as { messages?: unknown })?.messages;
  if (!Array.isArray(list) || list.length === 0) {
    throw new UserError(`--messages ${file}: expected a non-empty list of {role, content} (or {"messages": [...]}), found ${JSON.stringify(v).slice(0, 80)}`);
  }
  list.forEach((m: any, i) => {
    if (!m || typeof m.role !== 'string' || typeof m.content !== 'string') {
      throw new UserError(`--messages ${file}: message ${i} needs string 'role' and 'content', found ${JSON.stringify(m).slice(0, 80)}`);
    }
  });
  return list as { role: string; content: string }[];
}

export const generateCommand: Command = {
  name: 'generate',
  summary: 'sample from a HF model directory (text, token ids, log-probs)',
  usage,
  async run(argv) {
    const { values } = parseFlags(argv, {
      model: { type: 'string' }, prompt: { type: 'string' }, messages: { type: 'string' }, 'no-thinking': { type: 'boolean' },
      'max-new-tokens': { type: 'string' }, temperature: { type: 'string' }, 'top-p': { type: 'string' }, 'top-k': { type: 'string' },
      seed: { type: 'string' }, greedy: { type: 'boolean' }, stop: { type: 'string', multiple: true }, threads: { type: 'string' },
      json: { type: 'boolean' }, int8: { type: 'boolean' },
    });
    if (!values.model) throw new UsageError('--model DIR is required');
    if ((values.prompt === undefined) === (values.messages === undefined)) throw new UsageError('give exactly one of --prompt TEXT or --messages FILE');
    const opt = (v: string | undefined, flag: string) => (v === undefined ? undefined : numberFlag(v, flag, 0));
    const maxNewTokens = numberFlag(values['max-new-tokens'], 'max-new-tokens', 256);
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) throw new UsageError(`--max-new-tokens expects a positive integer, got ${maxNewTokens}`);
    const threads = opt(values.threads, 'threads');
    const { ModelHost } = await import('../models/host');
    const host = new ModelHost({ threads, weights: values.int8 ? 'int8' : 'float32' });
    const t0 = Date.now();
    try {
      const r = await host.generate({
        model: values.model,
        ...(values.messages !== undefined ? { messages: readMessages(values.messages) } : { prompt: values.prompt }),
        enableThinking: values['no-thinking'] ? false : undefined,
        sampling: {
          greedy: values.greedy, temperature: opt(values.temperature, 'temperature'), topP: opt(values['top-p'], 'top-p'),
          topK: opt(values['top-k'], 'top-k'), stop: values.stop,
        },
        seed: numberFlag(values.seed, 'seed', 0),
        maxNewTokens,
      }).catch((err: Error) => {
        throw new UserError(err.message);
      });
      const ms = Date.now() - t0;
      if (values.json) {
        console.log(JSON.stringify({ ...r, ms }));
      } else {
        const f = (xs: number[]) => `[${xs.map((x) => x.toFixed(3)).join(', ')}]`;
        console.log(r.text);
        console.log('---');
        console.log(`prompt tokens: ${r.promptTokenIds.length}, new tokens: ${r.tokenIds.length}, finish: ${r.finishReason}, ${ms} ms (incl. load)`);
        console.log(`token ids: [${r.tokenIds.join(', ')}]`);
        console.log(`log-probs: ${f(r.logprobs)}`);
        console.log(`raw log-probs (T=1): ${f(r.rawLogprobs)}`);
      }
      return 0;
    } finally {
      await host.close();
    }
  },
};
