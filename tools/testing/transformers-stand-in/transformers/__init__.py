"""Stand-in for Hugging Face transformers where it cannot be installed (CI, the CPU machines): only
`AutoModelForCausalLM.from_pretrained`, whose forward is the independent float64 numpy reference
(tools/reference/llama_forward.py) run row by row on each row's real tokens. Padded positions are filled
with 1e6, so a caller that ignores the attention mask gets visibly wrong means. Put this folder on
PYTHONPATH to run packages/lm/python/transformers_hidden_states.py with the real torch around it.
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "reference"))
import llama_forward as reference  # noqa: E402


class _Output:
    def __init__(self, hidden_states):
        self.hidden_states = hidden_states


class _Config:
    def __init__(self, raw):
        self.vocab_size = raw["vocab_size"]


class _StandInModel:
    def __init__(self, folder, dtype):
        with open(os.path.join(folder, "config.json")) as f:
            self.raw = json.load(f)
        self.params = reference.read_folder(folder)
        self.config = _Config(self.raw)
        self.dtype = dtype or torch.float32
        self.device = "cpu"

    def eval(self):
        return self

    def to(self, device):
        self.device = device
        return self

    def __call__(self, input_ids, attention_mask, output_hidden_states=False):
        ids = input_ids.cpu().numpy()
        mask = attention_mask.cpu().numpy()
        batch, seq = ids.shape
        layers = None
        for r in range(batch):
            n = int(mask[r].sum())
            _, hidden = reference.forward(self.raw, self.params, ids[r, :n].tolist())
            if layers is None:
                layers = [np.full((batch, seq, h.shape[1]), 1e6) for h in hidden]
            for layer, h in enumerate(hidden):
                layers[layer][r, :n] = h
        return _Output(tuple(torch.tensor(a, dtype=self.dtype, device=self.device) for a in layers))


class AutoModelForCausalLM:
    @staticmethod
    def from_pretrained(folder, torch_dtype=None):
        return _StandInModel(folder, torch_dtype)
