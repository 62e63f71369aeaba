// The LM head and token log-prob over row chunks, so that peak memory is (chunk, V) logits instead of
// (B·S, V): the same math as linear + head.ts (tokenLogProbs / tokenLogProbsBackward), per chunk of rows
//   z_c = H_c Wᵀ,  ℓ_c = log_softmax(z_c)[y_c]                         forward
//   dz_c = w_c·(onehot(y_c) − softmax(z_c)),  dH_c = dz_c W,  dW = Σ_c dz_cᵀ H_c   backward
// with H (N, d) the final normed hidden rows (N = B·S), W (V, d) the LM head (or the tied embedding).
// B and S are symbolic, so the split is an ONNX Scan over k = ⌈N / chunkRows⌉ chunks of
// ce = ⌈N / k⌉ rows (balanced; the last chunk is zero-padded, k·ce − N < k padded rows, whose w is 0 and
// whose ℓ is dropped). dW is the Scan's loop-carried state, so one (V, d) accumulator lives at a time.
// Departures from the unchunked head (graph.ts):
//   1. The backward recomputes z_c and its log-softmax instead of keeping the forward's (N, V): one
//      extra (ce, d)×(d, V) MatMul per chunk, i.e. the head's forward cost once more (~1/3 of the head's
//      fwd+bwd FLOPs); the only way to never hold (N, V).
//   2. Results equal the unchunked head's up to summation order in dW (float rounding only).
import type { DType, Graph, Value } from '../onnx/graph';
import { Graph as SubGraph } from '../onnx/graph';
import * as op from '../onnx/ops';
import { tokenLogProbs, tokenLogProbsBackward } from './head';

/** How the N = B·S rows are cut: k chunks of ce rows, the last `pad` of them zero padding. */
interface RowPlan {
  n: Value; // [1] int64: N
  k: Value; // [1] int64
  ce: Value; // [1] int64
  pad: Value; // [1] int64: k·ce − N
}

function planRows(g: Graph, n: Value, chunkRows: number): RowPlan {
  const one = g.ints([1]);
  const k = op.div(g, op.add(g, n, g.ints([chunkRows - 1])), g.ints([chunkRows]), 'chunks'); // ⌈N / chunk⌉
  const ce = op.div(g, op.add(g, n, op.sub(g, k, one)), k, 'chunk_rows'); // ⌈N / k⌉ ≤ chunk
  return { n, k, ce, pad: op.sub(g, op.mul(g, k, ce), n, 'pad_rows') };
}

/** x (N, ...rest) → (k, ce, ...rest), zero-padded at the end of the rows. */
function toChunks(g: Graph, x: Value, p: RowPlan, hint: string): Value {
  const rest = x.shape.slice(1);
  const zeros = (m: number) => g.ints(new Array<number>(m).fill(0));
  const pads = op.concat(g, [zeros(x.shape.length), p.pad, ...(rest.length ? [zeros(rest.length)] : [])], 0); // begins, then ends
  const padded = g.node('Pad', [x, pads], [{ dtype: x.dtype, shape: ['Np', ...rest], hint: `${hint}_pad` }])[0]!;
  const dims = op.concat(g, [p.k, p.ce, ...(rest.length ? [g.ints(rest as number[])] : [])], 0);
  return g.node('Reshape', [padded, dims], [{ dtype: x.dtype, shape: ['k', 'ce', ...rest], hint: `${hint}_chunks` }])[0]!;
}

/** (k, ce, ...rest) → the first N rows, reshaped to `like`'s shape (taken at run time). */
function fromChunks(g: Graph, x: Value, p: RowPlan, like: Value, hint: string): Value {
  const rest = x.shape.slice(2);
  const flat = g.node('Reshape', [x, g.ints([-1, ...(rest as number[])])], [{ dtype: x.dtype, shape: ['Np', ...rest] }])[0]!;
  const rows = g.node('Slice', [flat, g.ints([0]), p.n, g.ints([0])], [{ dtype: x.dtype, shape: ['N', ...rest] }])[0]!;
  return g.node('Reshape', [rows, op.shapeOf(g, like)], [{ dtype: x.dtype, shape: like.shape, hint }])[0]!;
}

/** A Scan body built on its own Graph under a name reserved in `g` (outer values are read by name). */
function body(g: Graph, hint: string, build: (b: Graph, scope: string) => void) {
  const scope = g.fresh(hint);
  const b = new SubGraph({ name: scope });
  b.scope(scope, () => build(b, scope));
  return { graph: b.toSpec() };
}

function headLogProbs(b: Graph, h: Value, w: Value, t: Value) {
  // h (ce, d), w (V, d), t (ce) → z (ce, V), token log-probs
  return tokenLogProbs(b, op.gemm(b, h, w, { transB: true }, 'logits'), t);
}

/**
 * ℓ (B, S) of `targets` under logits hidden·wᵀ, computed `chunkRows` rows at a time.
 * hidden (B, S, d), w (V, d), targets (B, S) int64.
 */
export function chunkedTokenLogProbs(g: Graph, hidden: Value, w: Value, targets: Value, chunkRows: number) {
  if (!(Number.isInteger(chunkRows) && chunkRows >= 1)) throw new Error(`chunkedTokenLogProbs: chunkRows is ${chunkRows}; expected an integer ≥ 1`);
  const d = hidden.shape[hidden.shape.length - 1] as number;
  const dtype: DType = hidden.dtype;
  const h2 = op.reshape(g, hidden, ['N', d], 'head_rows'); // (N, d)
  const t1 = op.reshape(g, targets, ['N'], 'target_rows'); // (N)
  const plan = planRows(g, op.dimOf(g, h2, 0), chunkRows);
  const hk = toChunks(g, h2, plan, 'hidden'); // (k, ce, d)
  const tk = toChunks(g, t1, plan, 'targets'); // (k, ce)
  const fwd = body(g, 'head_fwd_body', (b, s) => {
    const h = b.input(`${s}/h`, dtype, ['ce', d]);
    const t = b.input(`${s}/t`, 'int64', ['ce']);
    b.output(headLogProbs(b, h, w, t).logp);
  });
  const lpk = g.node('Scan', [hk, tk], [{ dtype, shape: ['k', 'ce'], hint: 'logp_chunks' }], { num_scan_inputs: 2, body: fwd })[0]!;
  return { logp: fromChunks(g, lpk, plan, targets, 'logp'), saved: { hk, tk, plan, hidden, w } };
}

/** dlogp (B, S) = w_t → d(hidden) (B, S, d) and d(w) (V, d), chunk by chunk (recomputing the logits). */
export function chunkedTokenLogProbsBackward(g: Graph, dlogp: Value, saved: ReturnType<typeof chunkedTokenLogProbs>['saved']) {
  const { hk, tk, plan, hidden, w } = saved;
  const [V, d] = w.shape as [number, number];
  const dtype = hidden.dtype;
  const wk = toChunks(g, op.reshape(g, dlogp, ['N'], 'dlogp_rows'), plan, 'dlogp'); // (k, ce)
  const bwd = body(g, 'head_bwd_body', (b, s) => {
    const acc = b.input(`${s}/dw_in`, dtype, [V, d]);
    const h = b.input(`${s}/h`, dtype, ['ce', d]);
    const t = b.input(`${s}/t`, 'int64', ['ce']);
    const wt = b.input(`${s}/w`, dtype, ['ce']);
    const dz = tokenLogProbsBackward(b, wt, headLogProbs(b, h, w, t).saved).dlogits; // (ce, V)
    b.output(op.add(b, acc, op.gemm(b, dz, h, { transA: true }, 'd_lm_head_w'), 'd_lm_head_acc'));
    b.output(op.matmul(b, dz, w, 'd_lm_head_x')); // (ce, d)
  });
  const zeros = op.filled(g, [V, d], 0, dtype, 'd_lm_head_zero');
  const [dw, dhk] = g.node('Scan', [zeros, hk, tk, wk], [
    { dtype, shape: [V, d], hint: 'd_lm_head_w' },
    { dtype, shape: ['k', 'ce', d], hint: 'd_hidden_chunks' },
  ], { num_scan_inputs: 3, body: bwd });
  return { dx: fromChunks(g, dhk!, plan, hidden, 'd_lm_head_x'), dw: dw! };
}
