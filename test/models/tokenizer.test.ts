// Tokenizer and chat template against transformers' renderings and encodings (golden fixtures): the
// template from chat_template.jinja (qwen2, qwen3) and from tokenizer_config.json (llama).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelTokenizer, type ChatMessage } from '../../src/models/tokenizer';

const FIXTURES = join(__dirname, '..', 'fixtures', 'models');

interface Ref {
  chat: { messages: ChatMessage[] } & Record<'gen' | 'nogen' | 'nothink', { text: string; ids: number[] }>;
  encodings: Record<string, number[]>;
  decoded: Record<string, string>;
}

for (const name of ['llama', 'qwen2', 'qwen3']) {
  describe(`${name} tokenizer`, () => {
    const dir = join(FIXTURES, name);
    const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Ref;
    const tok = ModelTokenizer.load(dir);

    test('encodings and decodings equal transformers', () => {
      for (const [text, ids] of Object.entries(ref.encodings)) assert.deepEqual(tok.encode(text, false), ids, JSON.stringify(text));
      for (const [ids, text] of Object.entries(ref.decoded)) assert.equal(tok.decode(JSON.parse(ids) as number[]), text);
      assert.equal(tok.decode(tok.encode('naïve café ☕ def f():\n\treturn 1', false)), 'naïve café ☕ def f():\n\treturn 1');
    });

    test('chat template renders like apply_chat_template (generation prompt, without, enable_thinking=false)', () => {
      const m = ref.chat.messages;
      assert.equal(tok.applyChatTemplate(m, { addGenerationPrompt: true }), ref.chat.gen.text);
      assert.equal(tok.applyChatTemplate(m, { addGenerationPrompt: false }), ref.chat.nogen.text);
      assert.equal(tok.applyChatTemplate(m, { addGenerationPrompt: true, enableThinking: false }), ref.chat.nothink.text);
      assert.deepEqual(tok.encodeChat(m, { addGenerationPrompt: true, enableThinking: false }), ref.chat.nothink.ids);
      assert.equal(tok.eosTokenId, 317);
    });
  });
}
