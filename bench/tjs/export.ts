// Writes a transformers.js model folder for a HF model directory: the same weights and mars2's own
// decoder layers, with the I/O of an Optimum decoder export (onnx-engine.md §4.2), so transformers.js
// 4.x loads it offline as `AutoModelForCausalLM.from_pretrained(name, { dtype: 'fp32' })`:
//   inputs  input_ids, position_ids (batch_size, sequence_length) int64;
//           attention_mask (batch_size, past_sequence_length+sequence_length) int64;
//           past_key_values.{l}.key|value (batch_size, nkv, past_sequence_length, hd);
//           num_logits_to_keep () int64 (0: every position; transformers.js passes 1 while generating)
//   outputs logits (batch_size, kept, V); present.{l}.key|value (batch_size, nkv, past+S, hd)
// The graph is the standard, unfused one (`fused: false`: separate q/k/v and gate/up MatMuls, Add +
// SimplifiedLayerNormalization, as an Optimum export has); mars2's own engine graphs add inference
// fusions (src/models/arch/fused.ts) that this export deliberately leaves out.
// The batch dim must be named `batch_size`: transformers.js builds its empty step-0 cache from the input
// metadata and reads every other symbolic dim as 0. Weights stay external in onnx/weights.bin (the
// location mars2's graphs use); ORT resolves it next to onnx/model.onnx.
// With weights 'int8' it also writes onnx/model_quantized.onnx (transformers.js's file for dtype 'q8'):
// the same graph with every projection a MatMulNBits over mars2's own int8 codes (src/models/arch/quant.ts,
// onnx/weights.q8.bin), so both engines multiply the very same quantized weights with the same kernels.
//   node --import tsx bench/tjs/export.ts HF_DIR OUT_DIR [--int8]
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linear } from '../../src/models/arch/layers';
import { QUANT_LOCATION, QuantStore } from '../../src/models/arch/quant';
import { buildDecoder, type DecoderIO } from '../../src/models/arch/decoder';
import { bindParams, loadParams, WEIGHTS_LOCATION, type ParamStore } from '../../src/models/arch/weights';
import { readModelConfig, type ModelConfig } from '../../src/models/hf/config';
import { Graph } from '../../src/models/onnx/graph';
import * as op from '../../src/models/onnx/ops';

const INT64_MAX = Number.MAX_SAFE_INTEGER; // Slice clamps `ends` to the dim

export function exportTjs(hfDir: string, outDir: string, weights: 'float32' | 'int8' = 'float32'): void {
  const cfg = readModelConfig(hfDir);
  const params = loadParams(hfDir, cfg);
  mkdirSync(join(outDir, 'onnx'), { recursive: true });
  writeFileSync(join(outDir, 'onnx', 'model.onnx'), graph(cfg, params));
  writeFileSync(join(outDir, 'onnx', WEIGHTS_LOCATION), params.bytes());
  if (weights === 'int8') {
    const qs = new QuantStore(params);
    writeFileSync(join(outDir, 'onnx', 'model_quantized.onnx'), graph(cfg, params, qs));
    writeFileSync(join(outDir, 'onnx', QUANT_LOCATION), qs.bytes());
  }
  for (const f of ['config.json', 'generation_config.json']) if (existsSync(join(hfDir, f))) copyFileSync(join(hfDir, f), join(outDir, f));
}

function graph(cfg: ModelConfig, params: ParamStore, qs?: QuantStore): Uint8Array {
  const g = new Graph({ name: `${cfg.arch}_tjs` });
  const P = bindParams(g, params, 'initializer');
  const [B, S, past] = ['batch_size', 'sequence_length', 'past_sequence_length'];
  const io: DecoderIO = {
    inputIds: g.input('input_ids', 'int64', [B, S]),
    attentionMask: g.input('attention_mask', 'int64', [B, `${past}+${S}`]),
    positionIds: g.input('position_ids', 'int64', [B, S]),
    past: Array.from({ length: cfg.numLayers }, (_, l) => ({
      k: g.input(`past_key_values.${l}.key`, 'float32', [B, cfg.numKvHeads, past, cfg.headDim]),
      v: g.input(`past_key_values.${l}.value`, 'float32', [B, cfg.numKvHeads, past, cfg.headDim]),
    })),
  };
  const keep = g.input('num_logits_to_keep', 'int64', []);
  const { out: hidden, newKv } = buildDecoder(g, cfg, P, io, { kv: 'delta', logits: 'hidden', rope: 'ms', fused: false, quant: qs?.linear }); // (B, S, d)
  const start = op.unsqueeze(g, op.neg(g, keep), [0]); // [-k]; -0 = 0 keeps every position
  const kept = op.raw(g, 'Slice', [hidden, start, g.ints([INT64_MAX]), g.ints([1])], { dtype: 'float32', shape: [B, 'kept', cfg.hiddenSize] });
  const head = cfg.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
  g.output(qs ? qs.linear(g, kept, [head], { hint: 'lm_head' }) : linear(g, kept, P(head), undefined, 'lm_head').y, 'logits');
  newKv.forEach((kv, l) => {
    g.output(op.concat(g, [io.past![l]!.k, kv.k], 2, `present_k${l}`), `present.${l}.key`);
    g.output(op.concat(g, [io.past![l]!.v, kv.v], 2, `present_v${l}`), `present.${l}.value`);
  });
  return g.toBytes();
}

if (require.main === module) {
  const [hfDir, outDir, flag] = process.argv.slice(2);
  if (!hfDir || !outDir) {
    console.error('usage: node --import tsx bench/tjs/export.ts HF_DIR OUT_DIR [--int8]');
    process.exit(2);
  }
  exportTjs(hfDir, outDir, flag === '--int8' ? 'int8' : 'float32');
  console.log(`wrote ${outDir}`);
}
