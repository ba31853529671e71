#!/usr/bin/env python3
"""attention_check.py: the PyTorch side of the attention benchmark, run in the same device call
as loom-bench: causal SDPA at B4 H32 S4096 D128 bf16 through the flash backend (and cuDNN when
available), plus a float64 check that SDPA itself matches the reference the Loom tests use.

Prints one line per measurement and writes JSON to --json. TFLOP/s counts half of
4 * B * H * S^2 * D for causal attention, as loom-bench does."""
import argparse
import json

import torch
import torch.nn.functional as F
from torch.nn.attention import SDPBackend, sdpa_kernel


def median_ms(fn, warmup=5, repeats=25):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return sorted(times)[len(times) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", default="attention_sdpa.json")
    args = parser.parse_args()
    torch.manual_seed(0)
    batch, heads, kv_heads, length, dim = 4, 32, 8, 4096, 128
    q = torch.randn(batch, heads, length, dim, device="cuda", dtype=torch.bfloat16)
    k = torch.randn(batch, kv_heads, length, dim, device="cuda", dtype=torch.bfloat16)
    v = torch.randn(batch, kv_heads, length, dim, device="cuda", dtype=torch.bfloat16)
    # The flash backend takes equal head counts: repeat KV heads as GQA reads them.
    k_full = k.repeat_interleave(heads // kv_heads, dim=1)
    v_full = v.repeat_interleave(heads // kv_heads, dim=1)
    flops = 4 * batch * heads * length * length * dim / 2
    results = {}
    for name, backend in [("flash", SDPBackend.FLASH_ATTENTION),
                          ("cudnn", SDPBackend.CUDNN_ATTENTION)]:
        try:
            with sdpa_kernel(backend):
                ms = median_ms(lambda: F.scaled_dot_product_attention(q, k_full, v_full,
                                                                       is_causal=True))
            results[name] = {"ms": ms, "tflops": flops / ms * 1e-9}
            print(f"sdpa {name:6s} B4 H32 S4096 D128 causal bf16: {ms:.3f} ms "
                  f"{flops / ms * 1e-9:.1f} TFLOP/s")
        except RuntimeError as error:
            print(f"sdpa {name}: unavailable ({str(error).splitlines()[0]})")

    # SDPA flash against float64 on a slice (the tests' reference semantics: causal, GQA).
    small = slice(0, 1), slice(0, 4), slice(0, 512)
    qs, ks, vs = q[small].double(), k_full[small].double(), v_full[small].double()
    scores = qs @ ks.transpose(-1, -2) / dim ** 0.5
    mask = torch.ones(512, 512, dtype=torch.bool, device="cuda").tril()
    ref = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1) @ vs
    with sdpa_kernel(SDPBackend.FLASH_ATTENTION):
        got = F.scaled_dot_product_attention(q[small], k_full[small], v_full[small],
                                             is_causal=True).double()
    rel = ((got - ref).norm() / ref.norm()).item()
    results["flash_relative_l2_vs_f64"] = rel
    print(f"sdpa flash vs float64 reference: relative L2 {rel:.2e}")
    with open(args.json, "w") as out:
        json.dump(results, out, indent=2)


if __name__ == "__main__":
    main()
