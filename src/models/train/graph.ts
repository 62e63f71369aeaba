// The training graph: the inference decoder (../arch/decoder.ts, same layer functions, `kv: 'none'`)
// with its saved records, the token log-prob head, and the backward walked layer by layer in reverse.
// Given an upstream per-token weight w_t = ∂L/∂ℓ_t (from a loss head, ./loss.ts), it outputs
//   logp (B, S)            ℓ_t = log p(targets_t | input_ids_≤t)
//   grad.<HF name>         ∂L/∂θ for every parameter, in HF's name and [out, in] layout
// Graph inputs: input_ids, position_ids, attention_mask, targets (B, S) int64; dlogp (B, S); every
// parameter under its HF name. Gradients accumulate at fan-out: residual streams, q/k/v sharing the
// normed input, and the tied embedding (gather rows + LM head).
// With `head: 'value'` the LM head is replaced by the scalar value head (valueHead.ts, reward model):
// output `value` (B), upstream `dvalue` (B). With `headChunkRows` the LM head and log-softmax run over
// row chunks (chunkedHead.ts), so (chunk, V) logits live at a time instead of (B·S, V).
// With `backward: false` the graph is the forward alone (the trainer's old/reference log-prob passes).
// Departures / not yet done:
//   1. Every decoder activation the backward needs is kept (no recomputation); the chunked head
//      recomputes its chunk's logits in the backward (chunkedHead.ts departure 1).
import type { ModelConfig } from '../hf/config';
import { buildDecoder, type LayerSaved } from '../arch/decoder';
import { attentionBackward, embeddingBackward, linearBackward, rmsNormBackward, ropeBackward, swigluBackward } from '../arch/backward';
import { linear, type RopeInputs } from '../arch/layers';
import { paramSpecs } from '../arch/weights';
import { Graph, type DType, type Value } from '../onnx/graph';
import * as op from '../onnx/ops';
import { chunkedTokenLogProbs, chunkedTokenLogProbsBackward } from './chunkedHead';
import { tokenLogProbs, tokenLogProbsBackward } from './head';
import { valueHead, valueHeadBackward, valueParamSpecs } from './valueHead';

export interface TrainIO {
  inputIds: Value;
  positionIds: Value;
  attentionMask: Value;
  targets: Value;
}

export type ParamFn = (name: string) => Value;

/** Gradient sums by parameter name: `add` accumulates when a parameter is used twice (tied head). */
export class Grads {
  readonly byName = new Map<string, Value>();
  constructor(private readonly g: Graph) {}
  add(name: string, v: Value | undefined): void {
    if (!v) return;
    const prev = this.byName.get(name);
    this.byName.set(name, prev ? op.add(this.g, prev, v, 'd_acc') : v);
  }
}

function layerBackward(g: Graph, cfg: ModelConfig, P: ParamFn, l: number, s: LayerSaved, ropeIn: RopeInputs, dy: Value, grads: Grads): Value {
  // dy (B, S, d) at the layer output → d(layer input) (B, S, d)
  const p = `model.layers.${l}.`;
  const eps = cfg.rmsNormEps;
  const [B, S] = dy.shape;
  // y = h + mlp(norm2(h))
  const mlpP = (n: string) => ({ w: P(`${p}mlp.${n}.weight`), b: cfg.mlpBias ? P(`${p}mlp.${n}.bias`) : undefined });
  const mlp = swigluBackward(g, dy, mlpP('gate_proj'), mlpP('up_proj'), mlpP('down_proj'), s.mlp);
  for (const n of ['gate_proj', 'up_proj', 'down_proj'] as const) {
    const d = mlp[n.slice(0, -5) as 'gate' | 'up' | 'down'];
    grads.add(`${p}mlp.${n}.weight`, d.dw);
    grads.add(`${p}mlp.${n}.bias`, d.db);
  }
  const n2 = rmsNormBackward(g, mlp.dx, P(`${p}post_attention_layernorm.weight`), s.n2, eps, 'post_attn_norm');
  grads.add(`${p}post_attention_layernorm.weight`, n2.dw);
  const dh = op.add(g, dy, n2.dx, 'd_resid_attn'); // (B, S, d)
  // h = x + o_proj(attention(rope(norm(q)), rope(norm(k)), v))
  const o = linearBackward(g, dh, P(`${p}self_attn.o_proj.weight`), s.o, cfg.oBias, 'o_proj');
  grads.add(`${p}self_attn.o_proj.weight`, o.dw);
  grads.add(`${p}self_attn.o_proj.bias`, o.db);
  const att = attentionBackward(g, o.dx, s.att);
  let dq = ropeBackward(g, att.dq, ropeIn, 'q_rope').dx; // (B, S, nq, hd)
  let dk = ropeBackward(g, att.dk, ropeIn, 'k_rope').dx; // (B, S, nkv, hd)
  if (cfg.qkNorm) {
    const qn = rmsNormBackward(g, dq, P(`${p}self_attn.q_norm.weight`), s.qn!, eps, 'q_norm');
    const kn = rmsNormBackward(g, dk, P(`${p}self_attn.k_norm.weight`), s.kn!, eps, 'k_norm');
    grads.add(`${p}self_attn.q_norm.weight`, qn.dw);
    grads.add(`${p}self_attn.k_norm.weight`, kn.dw);
    dq = qn.dx;
    dk = kn.dx;
  }
  let dn1: Value | undefined;
  for (const [name, d4] of [['q_proj', dq], ['k_proj', dk], ['v_proj', att.dv]] as const) {
    const d3 = op.reshape(g, d4, [B!, S!, (d4.shape[2] as number) * cfg.headDim], `d_${name}_out`);
    const lin = linearBackward(g, d3, P(`${p}self_attn.${name}.weight`), { x: s.attnIn }, cfg.qkvBias, name);
    grads.add(`${p}self_attn.${name}.weight`, lin.dw);
    grads.add(`${p}self_attn.${name}.bias`, lin.db);
    dn1 = dn1 ? op.add(g, dn1, lin.dx, 'd_attn_in') : lin.dx;
  }
  const n1 = rmsNormBackward(g, dn1!, P(`${p}input_layernorm.weight`), s.n1, eps, 'input_norm');
  grads.add(`${p}input_layernorm.weight`, n1.dw);
  return op.add(g, dh, n1.dx, 'd_layer_in');
}

export interface TrainGraphOptions {
  /** 'lm': token log-probs (the default); 'value': the scalar value head (valueHead.ts). */
  head?: 'lm' | 'value';
  /**
   * Rows of the LM head + log-softmax per chunk (chunkedHead.ts): peak (chunk, V) logits instead of
   * (B·S, V). 0 or undefined: the whole (B, S, V) at once.
   */
  headChunkRows?: number;
  /** false: the forward alone (outputs logp or value; no upstream input, no gradients). Default true. */
  backward?: boolean;
}

/**
 * Forward (decoder + head + token log-probs) on `g`, and a `backward(dlogp)` that adds the gradient of
 * L with ∂L/∂ℓ = dlogp (B, S) for every parameter; returns the gradient values by HF name.
 */
export function trainingForward(g: Graph, cfg: ModelConfig, P: ParamFn, io: TrainIO, dtype: DType, opts: TrainGraphOptions = {}) {
  const dec = buildDecoder(g, cfg, P, io, { kv: 'none', logits: 'hidden', rope: 'primitive', dtype });
  const headName = cfg.tieWordEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight';
  const chunk = opts.headChunkRows ?? 0;
  let logp: Value;
  let headBackward: (dlogp: Value) => { dx: Value; dw: Value };
  if (chunk > 0) {
    const lp = g.scope('head', () => chunkedTokenLogProbs(g, dec.out, P(headName), io.targets, chunk));
    logp = lp.logp;
    headBackward = (dlogp) => chunkedTokenLogProbsBackward(g, dlogp, lp.saved);
  } else {
    const head = g.scope('head', () => linear(g, dec.out, P(headName), undefined, 'lm_head')); // (B, S, V)
    const lp = g.scope('head', () => tokenLogProbs(g, head.y, io.targets));
    logp = lp.logp;
    headBackward = (dlogp) => {
      const dz = tokenLogProbsBackward(g, dlogp, lp.saved).dlogits;
      return linearBackward(g, dz, P(headName), head.saved, false, 'lm_head');
    };
  }
  const backward = (dlogp: Value): Map<string, Value> => {
    const grads = new Grads(g);
    const dh = g.scope('d_head', () => {
      const lin = headBackward(dlogp);
      grads.add(headName, lin.dw);
      return lin.dx;
    });
    decoderBackward(g, cfg, P, dec.saved, dh, grads);
    return grads.byName;
  };
  return { logp, backward };
}

/** From d(final normed hidden) (B, S, d): final norm, layers in reverse, embedding; adds to `grads`. */
export function decoderBackward(g: Graph, cfg: ModelConfig, P: ParamFn, saved: ReturnType<typeof buildDecoder>['saved'], dHidden: Value, grads: Grads): void {
  let dx = g.scope('d_final', () => {
    const nf = rmsNormBackward(g, dHidden, P('model.norm.weight'), saved.final, cfg.rmsNormEps, 'final_norm');
    grads.add('model.norm.weight', nf.dw);
    return nf.dx;
  });
  for (let l = cfg.numLayers - 1; l >= 0; l--) {
    dx = g.scope(`d_layers.${l}`, () => layerBackward(g, cfg, P, l, saved.layers[l]!, saved.rope, dx, grads));
  }
  g.scope('d_embed', () => grads.add('model.embed_tokens.weight', embeddingBackward(g, dx, saved.embed, cfg.vocabSize).dw));
}

/**
 * The value-head graph's forward (decoder + valueHead on the last non-padded position) and a
 * `backward(dvalue)` with ∂L/∂z = dvalue (B); parameters as valueParamSpecs (no LM head).
 */
export function valueForward(g: Graph, cfg: ModelConfig, P: ParamFn, io: Omit<TrainIO, 'targets'>, dtype: DType) {
  const dec = buildDecoder(g, cfg, P, io, { kv: 'none', logits: 'hidden', rope: 'primitive', dtype });
  const head = g.scope('value_head', () => valueHead(g, dec.out, io.attentionMask, P('score.weight'), P('score.bias')));
  const backward = (dvalue: Value): Map<string, Value> => {
    const grads = new Grads(g);
    const dh = g.scope('d_value_head', () => {
      const d = valueHeadBackward(g, dvalue, P('score.weight'), head.saved);
      grads.add('score.weight', d.dw);
      grads.add('score.bias', d.db);
      return d.dx;
    });
    decoderBackward(g, cfg, P, dec.saved, dh, grads);
    return grads.byName;
  };
  return { logit: head.logit, backward };
}

/**
 * The serialized training graph, parameters as graph inputs of `dtype`. head 'lm': I/O as in the header.
 * head 'value': inputs input_ids, position_ids, attention_mask (B, S), dvalue (B) = ∂L/∂z and the
 * valueParamSpecs parameters; outputs value (B) = the logit z (p = σ(z)) and grad.<name>.
 */
export function buildTrainingGraph(cfg: ModelConfig, opts: { dtype?: DType } & TrainGraphOptions = {}): Uint8Array {
  const dtype = opts.dtype ?? 'float32';
  const value = opts.head === 'value';
  const g = new Graph({ name: `${cfg.arch}_train${value ? '_value' : ''}` });
  const io = {
    inputIds: g.input('input_ids', 'int64', ['B', 'S']),
    positionIds: g.input('position_ids', 'int64', ['B', 'S']),
    attentionMask: g.input('attention_mask', 'int64', ['B', 'S']),
  };
  const targets = value ? undefined : g.input('targets', 'int64', ['B', 'S']);
  const withBackward = opts.backward ?? true;
  const upstream = () => (value ? g.input('dvalue', dtype, ['B']) : g.input('dlogp', dtype, ['B', 'S']));
  const specs = value ? valueParamSpecs(cfg) : paramSpecs(cfg);
  const inputs = new Map(specs.map((s) => [s.name, g.input(s.name, dtype, s.shape)]));
  const P: ParamFn = (name) => {
    const v = inputs.get(name);
    if (!v) throw new Error(`training graph: parameter '${name}' is not in the ${value ? 'value' : 'LM'} graph's parameters of ${cfg.arch}`);
    return v;
  };
  let grads: Map<string, Value>;
  if (targets) {
    const f = trainingForward(g, cfg, P, { ...io, targets }, dtype, opts);
    g.output(f.logp, 'logp');
    if (!withBackward) return g.toBytes();
    grads = f.backward(upstream());
  } else {
    const f = valueForward(g, cfg, P, io, dtype);
    g.output(f.logit, 'value');
    if (!withBackward) return g.toBytes();
    grads = f.backward(upstream());
  }
  for (const s of specs) {
    const d = grads.get(s.name);
    if (!d) throw new Error(`training graph: no gradient reaches '${s.name}'`);
    g.output(d, `grad.${s.name}`);
  }
  return g.toBytes();
}
