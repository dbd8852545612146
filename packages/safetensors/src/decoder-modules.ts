/**
 * The linear modules of a Llama-family decoder layer, as parameter names spell them after `model.layers.<i>.`:
 * what LoRA's `all-linear` targets and what a Spectrum scan covers by default.
 */
export const DECODER_LINEAR_MODULES = [
  "self_attn.q_proj",
  "self_attn.k_proj",
  "self_attn.v_proj",
  "self_attn.o_proj",
  "mlp.gate_proj",
  "mlp.up_proj",
  "mlp.down_proj",
] as const;
