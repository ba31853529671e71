#!/usr/bin/env python3
"""attention_ratio.py: Loom's causal prefill attention against PyTorch SDPA's flash backend, in one
device command: SDPA flash is timed, then `loom-bench --filter attention/prefill` runs as a
subprocess on the same GPU, then SDPA flash is timed again (the card hits its power cap, so the
two SDPA times bracket the Loom rows). Each Loom row's ratio is its TFLOP/s over the mean of the
two SDPA figures. cuDNN's SDPA backend is timed once, for reference.

    python3 test/reference/attention_ratio.py --loom-bench .gpu-x/bin/loom-bench --json out.json

Shape: B4, 32 query / 8 KV heads, S 4096, D 128, bf16, causal (loom-bench's attention/prefill
case); TFLOP/s counts half of 4·B·H·S²·D, as loom-bench does."""
import argparse
import json
import subprocess
import sys
import tempfile

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel

from attention_check import median_ms

BATCH, HEADS, KV_HEADS, LENGTH, DIM = 4, 32, 8, 4096, 128
FLOPS = 4 * BATCH * HEADS * LENGTH * LENGTH * DIM / 2


def sdpa_tflops(backend, q, k, v):
    """Median TFLOP/s of causal SDPA through `backend` (None when the backend is unavailable)."""
    try:
        with sdpa_kernel(backend):
            ms = median_ms(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True),
                           warmup=10, repeats=50)
    except RuntimeError as error:
        print(f"sdpa {backend}: unavailable ({str(error).splitlines()[0]})")
        return None
    return FLOPS / ms * 1e-9


def loom_prefill_rows(loom_bench):
    """The attention/prefill rows of one loom-bench run (its JSON 'results')."""
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run([loom_bench, "--filter", "attention/prefill", "--json", report.name],
                       check=True)
        results = json.load(open(report.name))["results"]
    return [row for row in results if row["family"] == "attention" and row["name"] == "prefill"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--loom-bench", required=True, help="path of the loom-bench binary")
    parser.add_argument("--json", default="attention_ratio.json")
    args = parser.parse_args()

    torch.manual_seed(0)
    q = torch.randn(BATCH, HEADS, LENGTH, DIM, device="cuda", dtype=torch.bfloat16)
    # The flash backend takes equal head counts: KV heads repeated as GQA reads them.
    k, v = (torch.randn(BATCH, KV_HEADS, LENGTH, DIM, device="cuda", dtype=torch.bfloat16)
            .repeat_interleave(HEADS // KV_HEADS, dim=1) for _ in range(2))

    flash_before = sdpa_tflops(SDPBackend.FLASH_ATTENTION, q, k, v)
    rows = loom_prefill_rows(args.loom_bench)
    flash_after = sdpa_tflops(SDPBackend.FLASH_ATTENTION, q, k, v)
    cudnn = sdpa_tflops(SDPBackend.CUDNN_ATTENTION, q, k, v)
    if flash_before is None or flash_after is None or not rows:
        sys.exit("attention_ratio: no SDPA flash figure or no Loom prefill row")
    flash = (flash_before + flash_after) / 2

    print(f"\nsame run, causal B4 H32/8 S4096 D128 bf16 (SDPA flash {flash_before:.1f} before, "
          f"{flash_after:.1f} after loom-bench; cuDNN {cudnn or 0:.1f} TFLOP/s)")
    print(f"{'Loom kernel':<34} {'ms':>8} {'TFLOP/s':>8} {'x flash':>8} {'x cuDNN':>8}")
    for row in rows:
        row["x_sdpa_flash"] = row["tflops"] / flash
        row["x_sdpa_cudnn"] = row["tflops"] / cudnn if cudnn else None
        print(f"{row['note']:<34} {row['ms']:>8.3f} {row['tflops']:>8.1f} "
              f"{row['x_sdpa_flash']:>8.2f} {row['x_sdpa_cudnn'] or 0:>8.2f}")
    with open(args.json, "w") as out:
        json.dump({"sdpa_flash_tflops": [flash_before, flash_after], "sdpa_cudnn_tflops": cudnn,
                   "loom_prefill": rows}, out, indent=2)


if __name__ == "__main__":
    main()
