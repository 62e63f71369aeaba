// A model directory's tokenizer (`tokenizer.json` + `tokenizer_config.json`, via @huggingface/tokenizers)
// and chat template (`chat_template.jinja`, which current transformers writes, else
// `tokenizer_config.json`'s `chat_template`, via @huggingface/jinja). Rendering follows transformers'
// apply_chat_template: messages, add_generation_prompt, the special tokens as variables, and extra
// kwargs such as enable_thinking; the rendered text is encoded without adding special tokens again.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { Tokenizer } from '@huggingface/tokenizers';

/** A model directory's tokenizer and chat template files, in the forms HF writes (those present travel together). */
export const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja', 'special_tokens_map.json', 'added_tokens.json', 'vocab.json', 'merges.txt', 'tokenizer.model'];

export interface ChatMessage {
  role: string;
  content: string;
}

export interface ChatOptions {
  addGenerationPrompt?: boolean;
  /** Passed to the template as `enable_thinking` when set (Qwen3-style templates). */
  enableThinking?: boolean;
}

function tokenString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

export class ModelTokenizer {
  private constructor(
    private readonly tok: Tokenizer,
    private readonly config: Record<string, unknown>,
    private readonly template: Template | null,
    readonly templateSource: string | null,
  ) {}

  static load(dir: string): ModelTokenizer {
    const tjPath = join(dir, 'tokenizer.json');
    const tcPath = join(dir, 'tokenizer_config.json');
    if (!existsSync(tjPath)) throw new Error(`${tjPath} is missing: the engine needs a tokenizer.json (HF fast tokenizer)`);
    const parse = (p: string) => {
      try {
        return JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
      } catch (err) {
        throw new Error(`${p} is not valid JSON: ${(err as Error).message}`);
      }
    };
    const tj = parse(tjPath);
    const tc = existsSync(tcPath) ? parse(tcPath) : {};
    let source: string | null = null;
    const jinjaPath = join(dir, 'chat_template.jinja');
    if (existsSync(jinjaPath)) source = readFileSync(jinjaPath, 'utf8');
    else if (typeof tc.chat_template === 'string') source = tc.chat_template;
    else if (Array.isArray(tc.chat_template)) {
      const named = (tc.chat_template as { name?: string; template?: string }[]).find((t) => t.name === 'default');
      if (!named?.template) throw new Error(`${tcPath}: key 'chat_template' is a list without a 'default' entry`);
      source = named.template;
    }
    let template: Template | null = null;
    if (source !== null) {
      try {
        template = new Template(source);
      } catch (err) {
        throw new Error(`${existsSync(jinjaPath) ? jinjaPath : `${tcPath}: key 'chat_template'`} does not parse as Jinja: ${(err as Error).message}`);
      }
    }
    return new ModelTokenizer(new Tokenizer(tj, tc), tc, template, source);
  }

  /** Token ids of `text`; `addSpecialTokens` applies the tokenizer's post-processor (e.g. a BOS). */
  encode(text: string, addSpecialTokens = true): number[] {
    return this.tok.encode(text, { add_special_tokens: addSpecialTokens }).ids;
  }

  decode(ids: number[], skipSpecialTokens = true): string {
    if (ids.length === 0) return ''; // @huggingface/tokenizers throws on [] (transformers returns '')
    return this.tok.decode(ids, { skip_special_tokens: skipSpecialTokens });
  }

  tokenId(token: string): number | undefined {
    return this.tok.token_to_id(token);
  }

  private namedId(key: 'bos_token' | 'eos_token' | 'pad_token'): number | undefined {
    const s = tokenString(this.config[key]);
    return s === undefined ? undefined : this.tokenId(s);
  }

  /** The EOS token id named by tokenizer_config.json, if any. */
  get eosTokenId(): number | undefined {
    return this.namedId('eos_token');
  }

  /** The BOS token id named by tokenizer_config.json, if any. */
  get bosTokenId(): number | undefined {
    return this.namedId('bos_token');
  }

  /** The padding token id named by tokenizer_config.json, if any. */
  get padTokenId(): number | undefined {
    return this.namedId('pad_token');
  }

  /** One past the largest token id, added tokens included (transformers' len(tokenizer)). */
  get vocabSize(): number {
    let max = -1;
    for (const id of this.tok.get_vocab(true).values()) max = Math.max(max, id);
    return max + 1;
  }

  get hasChatTemplate(): boolean {
    return this.template !== null;
  }

  /** Renders the chat template to text. */
  applyChatTemplate(messages: ChatMessage[], opts: ChatOptions = {}): string {
    if (!this.template) throw new Error('this model has no chat template (no chat_template.jinja and no chat_template in tokenizer_config.json); pass a plain prompt instead');
    const vars: Record<string, unknown> = {
      messages,
      add_generation_prompt: opts.addGenerationPrompt ?? true,
      bos_token: tokenString(this.config.bos_token) ?? '',
      eos_token: tokenString(this.config.eos_token) ?? '',
      pad_token: tokenString(this.config.pad_token) ?? '',
      unk_token: tokenString(this.config.unk_token) ?? '',
    };
    if (opts.enableThinking !== undefined) vars.enable_thinking = opts.enableThinking;
    return this.template.render(vars);
  }

  /** Chat template → token ids (no special tokens added on top of the template's own). */
  encodeChat(messages: ChatMessage[], opts: ChatOptions = {}): number[] {
    return this.encode(this.applyChatTemplate(messages, opts), false);
  }
}
