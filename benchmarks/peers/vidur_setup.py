"""Lay out vidur's profiling inputs as an offline Hugging Face cache.

vidur (PyPI 0.0.26) downloads its GPU profiles from Hugging Face datasets. This machine has no
network, so this script writes the shipped profiles (../shared/data/llm/vidur: MLP-side
operators and all-reduce/send-recv tables, MIT) into the cache layout `snapshot_download`
reads with HF_HUB_OFFLINE=1. The attention kernels were not shipped, so their table is generated
from schedlab's attention roofline: in the comparison both simulators therefore use the same
attention costs, measured MLP profiles (vidur: random forests on the raw rows; schedlab: its
calibrated roofline) and measured all-reduce tables.

    python benchmarks/peers/vidur_setup.py CACHE_DIR MODEL GPU
"""

from __future__ import annotations

import itertools
import json
import lzma
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from schedlab.llm.catalog import get_gpu, get_model  # noqa: E402
from schedlab.llm.costmodel import CostModel, prefill_chunk_work  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "llm" / "vidur" / "profiling"
HF_NAMES = {
    "llama-3-8b": ("meta-llama/Llama-3-8B", "meta-llama/Meta-Llama-3-8B"),
    "llama-2-7b": ("meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-7b-hf"),
    "llama-3-70b": ("meta-llama/Llama-3-70B", "meta-llama/Meta-Llama-3-70B"),
    "llama-2-70b": ("meta-llama/Llama-2-70b-hf", "meta-llama/Llama-2-70b-hf"),
}


def _snapshot(base: Path, repo: str, files: dict[str, bytes]) -> None:
    org, name = repo.split("/")
    root = base / f"datasets--{org}--{name}"
    snap = root / "snapshots" / "local"
    snap.mkdir(parents=True, exist_ok=True)
    (root / "refs").mkdir(exist_ok=True)
    (root / "refs" / "main").write_text("local")
    for fname, data in files.items():
        (snap / fname).write_bytes(data)


def attention_csv(model: str, gpu: str, tp_degrees=(1, 2, 4, 8), block_size: int = 16) -> bytes:
    spec = get_model(model)
    lines = [
        "n_embd,n_q_head,n_kv_head,block_size,num_tensor_parallel_workers,batch_size,prefill_chunk_size,kv_cache_size,"
        "time_stats.attn_prefill.median,time_stats.attn_decode.median,time_stats.attn_kv_cache_save.median"
    ]
    for tp in tp_degrees:
        if spec.heads % tp:
            continue
        cost = CostModel(spec, get_gpu(gpu), tp)
        kv_sizes = [0, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768]
        for chunk, kv in itertools.product([32, 64, 128, 256, 512, 1024, 2048, 4096], kv_sizes):
            t = cost.attention_time(prefill_chunk_work(kv, chunk), (kv + chunk)) * 1e3
            lines.append(f"{spec.hidden},{spec.heads},{spec.kv_heads},{block_size},{tp},1,{chunk},{kv},{t:.6f},,0.0")
        for batch, kv in itertools.product([1, 2, 4, 8, 16, 32, 64, 128], kv_sizes):
            t = cost.attention_time(batch * (kv + 1), batch * (kv + 1)) * 1e3
            lines.append(f"{spec.hidden},{spec.heads},{spec.kv_heads},{block_size},{tp},{batch},0,{kv},,{t:.6f},0.0")
    return ("\n".join(lines) + "\n").encode()


def main() -> int:
    cache, model, gpu = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    hf, folder = HF_NAMES[model]
    mlp = (SHARED / "compute" / gpu / folder / "mlp.csv").read_bytes()
    compute = {
        "config.json": json.dumps({"model": hf, "device_sku": gpu}).encode(),
        "mlp.csv.xz": lzma.compress(mlp),
        "attention.csv.xz": lzma.compress(attention_csv(model, gpu)),
    }
    net = SHARED / "network" / f"{gpu}_dgx"
    network = {
        "config.json": json.dumps({"sku": f"{gpu}_dgx"}).encode(),
        "all_reduce.csv.xz": lzma.compress((net / "all_reduce.csv").read_bytes()),
        "send_recv.csv.xz": lzma.compress((net / "send_recv.csv").read_bytes()),
    }
    _snapshot(cache / "profiling_data" / "compute", f"vidur-local/{model}-{gpu}", compute)
    _snapshot(cache / "profiling_data" / "network", f"vidur-local/{gpu}-dgx", network)
    print(f"vidur-local/{model}-{gpu} vidur-local/{gpu}-dgx")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
