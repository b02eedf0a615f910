"""Model and GPU catalogs: the architectural numbers the cost model needs.

Model dimensions are the published Hugging Face configs; GPU figures are vendor datasheet
values (dense FP16/BF16 tensor throughput, HBM bandwidth and capacity, per-GPU interconnect).
"""

from __future__ import annotations

from dataclasses import dataclass

from schedlab.core.errors import UnknownNameError


@dataclass(frozen=True)
class ModelSpec:
    name: str
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    ffn: int
    vocab: int
    experts: int = 1
    active_experts: int = 1
    gated_mlp: bool = True
    bytes_per_param: int = 2
    attention_head_dim: int | None = None  # where heads x head_dim is not the hidden size (Qwen3 MoE)

    @property
    def head_dim(self) -> int:
        return self.attention_head_dim or self.hidden // self.heads

    @property
    def is_moe(self) -> bool:
        return self.experts > 1

    @property
    def attn_params(self) -> int:
        """Q, K, V and output projections of one layer."""
        d, dh = self.hidden, self.head_dim
        return d * self.heads * dh + 2 * d * self.kv_heads * dh + self.heads * dh * d

    @property
    def expert_params(self) -> int:
        """One MLP (one expert for MoE) of one layer."""
        return (3 if self.gated_mlp else 2) * self.hidden * self.ffn

    @property
    def total_params(self) -> int:
        return self.layers * (self.attn_params + self.experts * self.expert_params) + 2 * self.vocab * self.hidden

    @property
    def active_params(self) -> int:
        return self.layers * (self.attn_params + self.active_experts * self.expert_params) + 2 * self.vocab * self.hidden

    @property
    def kv_bytes_per_token(self) -> int:
        """K and V of every layer for one token at the model's precision."""
        return 2 * self.layers * self.kv_heads * self.head_dim * self.bytes_per_param


@dataclass(frozen=True)
class GPUSpec:
    name: str
    peak_flops: float  # dense FP16/BF16 tensor FLOP/s
    hbm_bandwidth: float  # bytes/s
    memory_bytes: float
    link_bandwidth: float  # bytes/s per GPU for tensor-parallel collectives
    profile_name: str | None = None  # which calibration set applies (the vidur SKU names)
    relative_cost: float | None = None  # price per GPU-hour relative to an A100 (provisioning searches)
    power_w: float | None = None  # board power (TDP)


GiB = 1024**3

MODELS: dict[str, ModelSpec] = {
    m.name: m
    for m in [
        ModelSpec("llama-2-7b", 32, 4096, 32, 32, 11008, 32000),
        ModelSpec("llama-2-70b", 80, 8192, 64, 8, 28672, 32000),
        ModelSpec("llama-3-8b", 32, 4096, 32, 8, 14336, 128256),
        ModelSpec("llama-3-70b", 80, 8192, 64, 8, 28672, 128256),
        ModelSpec("mistral-7b", 32, 4096, 32, 8, 14336, 32000),
        ModelSpec("mixtral-8x7b", 32, 4096, 32, 8, 14336, 32000, experts=8, active_experts=2),
        ModelSpec("qwen-72b", 80, 8192, 64, 64, 24576, 152064),
        # Fine-grained MoE: 128 experts of width 768, 8 active per token (the attention projections'
        # GEMM shapes follow the hidden size, as in vidur's profiles; attention and KV use head_dim 128).
        ModelSpec("qwen3-30b-a3b", 48, 2048, 32, 4, 768, 151936, experts=128, active_experts=8, attention_head_dim=128),
        ModelSpec("yi-34b", 60, 7168, 56, 8, 20480, 64000),
        ModelSpec("falcon-180b", 80, 14848, 232, 8, 59392, 65024, gated_mlp=False),
    ]
}

GPUS: dict[str, GPUSpec] = {
    g.name: g
    for g in [
        GPUSpec("a100", 312e12, 2.039e12, 80 * GiB, 300e9, "a100", relative_cost=1.0, power_w=400),
        # Splitwise's H100/A100 ratios: 2.16x cost, 1.75x power
        GPUSpec("h100", 989e12, 3.35e12, 80 * GiB, 450e9, "h100", relative_cost=2.16, power_w=700),
        GPUSpec("h200", 989e12, 4.8e12, 141 * GiB, 450e9, "h100"),
        GPUSpec("a40", 149.7e12, 0.696e12, 48 * GiB, 32e9, None),
        GPUSpec("a10", 125e12, 0.6e12, 24 * GiB, 32e9, None),  # Llumnix's evaluation GPU (roofline, uncalibrated)
    ]
}

_ALIASES = {
    "a100-80g": "a100",
    "h100-sxm": "h100",
    "llama2-7b": "llama-2-7b",
    "llama2-70b": "llama-2-70b",
    "llama3-8b": "llama-3-8b",
    "llama3-70b": "llama-3-70b",
    "mixtral": "mixtral-8x7b",
    "mistral": "mistral-7b",
}


def get_model(name: str) -> ModelSpec:
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in MODELS:
        raise UnknownNameError(f"unknown model {name!r}; known models: {', '.join(sorted(MODELS))}")
    return MODELS[key]


def get_gpu(name: str) -> GPUSpec:
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in GPUS:
        raise UnknownNameError(f"unknown GPU {name!r}; known GPUs: {', '.join(sorted(GPUS))}")
    return GPUS[key]
