// RoPE inverse frequencies and cos/sin scaling, as transformers' modeling_rope_utils computes them
// (default, linear, llama3, yarn), in float32 like torch does:
//   inv_freq[i] = 1 / θ^(2i/d),   angle(p, i) = p · inv_freq[i],   cos/sin(angle) · attention_factor
// and HF's rotate_half convention: x' = x·cos + rotate_half(x)·sin with cos/sin repeated over both halves.
// Departures from transformers:
//   1. θ^(2i/d) is evaluated in float64 and then rounded to float32 (torch evaluates pow in float32), so
//      inv_freq may differ by one float32 ulp.
import type { ModelConfig } from '../hf/config';

const f = Math.fround;

export interface RopeTables {
  /** (headDim/2) inverse frequencies, float32-rounded. */
  invFreq: Float32Array;
  /** Multiplier applied to cos and sin (yarn's attention factor; 1 otherwise). */
  attentionFactor: number;
}

function baseInvFreq(theta: number, dim: number): Float32Array {
  const out = new Float32Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) out[i] = f(1 / f(Math.pow(theta, f(f(2 * i) / dim))));
  return out;
}

export function ropeTables(cfg: ModelConfig): RopeTables {
  const dim = cfg.headDim;
  const base = cfg.ropeTheta;
  const rope = cfg.rope;
  const invFreq = baseInvFreq(base, dim);
  switch (rope.type) {
    case 'default':
      return { invFreq, attentionFactor: 1 };
    case 'linear':
      return { invFreq: invFreq.map((v) => f(v / rope.factor)), attentionFactor: 1 };
    case 'llama3': {
      const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: old } = rope;
      const lowWavelen = old / lowFreqFactor;
      const highWavelen = old / highFreqFactor;
      const out = new Float32Array(invFreq.length);
      for (let i = 0; i < invFreq.length; i++) {
        const inv = invFreq[i]!;
        const wavelen = f((2 * Math.PI) / inv);
        const scaled = wavelen > lowWavelen ? f(inv / factor) : inv;
        if (wavelen < highWavelen || wavelen > lowWavelen) {
          out[i] = scaled;
        } else {
          const smooth = f((f(old / wavelen) - lowFreqFactor) / (highFreqFactor - lowFreqFactor));
          out[i] = f(f(f((1 - smooth) * scaled) / factor) + f(smooth * scaled));
        }
      }
      return { invFreq: out, attentionFactor: 1 };
    }
    case 'yarn': {
      const { factor, betaFast, betaSlow, originalMaxPositionEmbeddings: origMax, truncate } = rope;
      const getMscale = (scale: number, m = 1) => (scale <= 1 ? 1 : 0.1 * m * Math.log(scale) + 1);
      let attentionFactor = rope.attentionFactor;
      if (attentionFactor === null) {
        attentionFactor = rope.mscale && rope.mscaleAllDim
          ? getMscale(factor, rope.mscale) / getMscale(factor, rope.mscaleAllDim)
          : getMscale(factor);
      }
      const corrDim = (rot: number) => (dim * Math.log(origMax / (rot * 2 * Math.PI))) / (2 * Math.log(base));
      let low = corrDim(betaFast);
      let high = corrDim(betaSlow);
      if (truncate) {
        low = Math.floor(low);
        high = Math.ceil(high);
      }
      low = Math.max(low, 0);
      high = Math.min(high, dim - 1);
      if (low === high) high += 0.001;
      const out = new Float32Array(dim / 2);
      for (let i = 0; i < dim / 2; i++) {
        const posFreq = f(Math.pow(base, f(f(2 * i) / dim)));
        const extra = f(1 / posFreq);
        const inter = f(1 / f(factor * posFreq));
        const ramp = Math.min(1, Math.max(0, f(f(i - low) / f(high - low))));
        const extraFactor = f(1 - ramp);
        out[i] = f(f(inter * f(1 - extraFactor)) + f(extra * extraFactor));
      }
      return { invFreq: out, attentionFactor };
    }
  }
}

/** cos/sin of angle(p, i) for positions `pos`, as [pos.length, headDim/2] float32 arrays (test reference). */
export function ropeCosSin(t: RopeTables, pos: number[]): { cos: Float32Array; sin: Float32Array } {
  const h = t.invFreq.length;
  const cos = new Float32Array(pos.length * h);
  const sin = new Float32Array(pos.length * h);
  pos.forEach((p, r) => {
    for (let i = 0; i < h; i++) {
      const a = f(p * t.invFreq[i]!);
      cos[r * h + i] = f(Math.cos(a) * t.attentionFactor);
      sin[r * h + i] = f(Math.sin(a) * t.attentionFactor);
    }
  });
  return { cos, sin };
}
