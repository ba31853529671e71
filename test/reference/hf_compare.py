#!/usr/bin/env python3
"""hf_compare.py: Loom against transformers on random-weight models of several shapes, same weights.

For each case — Llama GQA 4:1 head_dim 64, Llama GQA 8:1 head_dim 128, Qwen2 with q/k/v biases,
Llama with an untied LM head — builds the transformers model in bf16 with seeded random weights,
saves config.json + model.safetensors into a temporary folder (no tokenizer), and compares
`loom-run logits --backend gpu` on that folder with transformers on the same prompt ids:

  * last-token logits: Loom (f32 logits of the bf16 model) and transformers bf16 are both measured
    against transformers float32 run on the same (bf16-valued) weights, the exact answer up to
    f32 rounding. Loom passes when its relative L2 error against f32 is at most
    max(2 x transformers bf16's own error, 2^-8) — i.e. Loom is no less accurate than the
    reference's own bf16 execution, with a factor 2 for a different (equally valid) rounding order.
    Max abs differences are reported too.
  * the first --new-tokens greedy tokens: transformers bf16 greedy (a KV-cached argmax loop, no
    EOS stop) against Loom's. Where they differ, the first divergence step is reported with the
    top-2 gap of transformers' logits there and how far below transformers' top logit Loom's token
    sits: a divergence within bf16 noise (deficit <= the logits tolerance) is a near tie, not a
    bug; a larger one fails.

Prints a table and writes --json. Run on the device machine:
    python3 test/reference/hf_compare.py --loom-run .gpu-x/bin/loom-run --json $OUT/hf.json
"""
import json
import os
import subprocess
import sys
import tempfile
import time

from reference_cli import make_log, reference_parser

BF16_EPS = 2.0 ** -8  # relative rounding of one bf16 value (8 significant bits)

# name, transformers class, config fields. Every model: bf16, <= 4 layers, hidden <= 1024.
CASES = [
    ("llama-gqa4-hd64", "LlamaForCausalLM",
     dict(hidden_size=512, intermediate_size=1408, num_hidden_layers=2, num_attention_heads=8,
          num_key_value_heads=2, head_dim=64, vocab_size=8192, tie_word_embeddings=True)),
    ("llama-gqa8-hd128", "LlamaForCausalLM",
     dict(hidden_size=1024, intermediate_size=2816, num_hidden_layers=2, num_attention_heads=8,
          num_key_value_heads=1, head_dim=128, vocab_size=16384, tie_word_embeddings=True)),
    ("qwen2-qkv-bias", "Qwen2ForCausalLM",
     dict(hidden_size=512, intermediate_size=1408, num_hidden_layers=2, num_attention_heads=8,
          num_key_value_heads=2, head_dim=64, vocab_size=8192, tie_word_embeddings=True,
          use_sliding_window=False)),
    ("llama-untied-head", "LlamaForCausalLM",
     dict(hidden_size=768, intermediate_size=2048, num_hidden_layers=4, num_attention_heads=12,
          num_key_value_heads=4, head_dim=64, vocab_size=32000, tie_word_embeddings=False)),
]


log = make_log("hf_compare")


def parse_args():
    parser = reference_parser(__doc__, prompt_len=24, new_tokens=32)
    parser.add_argument("--loom-run", required=True, help="path of the loom-run binary")
    parser.add_argument("--short-prompt-len", type=int, default=8,
                        help="diagnostic prefill of this many tokens (the decode-sized GEMMs)")
    parser.add_argument("--init-std", type=float, default=0.06,
                        help="weight std: large enough that logits spread (few exact ties)")
    parser.add_argument("--cases", nargs="*", help="run only these case names")
    return parser.parse_args()


def build_model(class_name, fields, init_std, seed):
    import torch
    import transformers

    config_class = getattr(transformers, class_name.replace("ForCausalLM", "Config"))
    config = config_class(max_position_embeddings=1024, rms_norm_eps=1e-6,
                          initializer_range=init_std, bos_token_id=1, eos_token_id=2,
                          **fields)
    torch.manual_seed(seed)
    model = getattr(transformers, class_name)(config).to(torch.bfloat16)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if name.endswith("bias"):  # Qwen2's q/k/v biases start at zero: make them matter
                parameter.normal_(0.0, 0.5)
            elif "norm" in name:  # RMSNorm gains around 1, not exactly 1
                parameter.uniform_(0.8, 1.2)
    return model.eval()


def greedy(model, prompt, new_tokens):
    """Greedy tokens from a KV-cached argmax loop (no EOS stop) and the logits of every step."""
    import torch

    with torch.no_grad():
        ids = torch.tensor([prompt], device="cuda")
        out = model(input_ids=ids, use_cache=True)
        tokens, step_logits = [], []
        for _ in range(new_tokens):
            logits = out.logits[0, -1].float()
            step_logits.append(logits)
            token = int(torch.argmax(logits))
            tokens.append(token)
            out = model(input_ids=torch.tensor([[token]], device="cuda"),
                        past_key_values=out.past_key_values, use_cache=True)
    return tokens, step_logits


def last_logits(model, prompt):
    import torch

    with torch.no_grad():
        return model(input_ids=torch.tensor([prompt], device="cuda")).logits[0, -1].float()


def errors(values, reference):
    import torch

    diff = values - reference
    return {"rel_l2": float(torch.linalg.norm(diff) / torch.linalg.norm(reference)),
            "max_abs": float(diff.abs().max())}


def run_loom(loom_run, folder, prompt, new_tokens, *extra, backend="gpu"):
    out_path = os.path.join(folder, "loom.json")
    command = [loom_run, "logits", "--model", folder, "--backend", backend,
               "--ids", json.dumps(prompt), "--greedy", str(new_tokens), "--json", out_path,
               *extra]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"loom-run failed ({done.returncode}):\n{done.stderr[-4000:]}")
    with open(out_path) as source:
        result = json.load(source)
    result["seconds"] = round(seconds, 2)
    return result


def divergence(hf_tokens, loom_tokens, hf_step_logits, tolerance_abs):
    """The first step where the greedy tokens differ, with the reference's margins there."""
    for step, (hf, loom) in enumerate(zip(hf_tokens, loom_tokens)):
        if hf != loom:
            logits = hf_step_logits[step]
            top2 = logits.topk(2).values
            deficit = float(logits[hf] - logits[loom])
            return {"step": step, "hf_token": hf, "loom_token": loom,
                    "hf_top2_gap": float(top2[0] - top2[1]),
                    "loom_token_deficit": deficit,
                    "near_tie": deficit <= tolerance_abs}
    if len(hf_tokens) != len(loom_tokens):
        return {"step": min(len(hf_tokens), len(loom_tokens)), "near_tie": False,
                "length_mismatch": [len(hf_tokens), len(loom_tokens)]}
    return None


def first_difference(a, b):
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), None)


def run_case(args, name, class_name, fields, case_index):
    import torch

    model = build_model(class_name, fields, args.init_std, args.seed + case_index).cuda()
    generator = torch.Generator().manual_seed(1000 + case_index)
    prompt = torch.randint(3, fields["vocab_size"], (args.prompt_len,),
                           generator=generator).tolist()
    short = prompt[:args.short_prompt_len]
    with tempfile.TemporaryDirectory(prefix=f"hf-{name}-") as folder:
        model.save_pretrained(folder)
        hf_bf16 = last_logits(model, prompt)
        hf_tokens, hf_step_logits = greedy(model, prompt, args.new_tokens)
        model.float()  # the same bf16-valued weights, f32 math: the exact answer
        exact = last_logits(model, prompt)
        exact_short = last_logits(model, short)
        f32_tokens, _ = greedy(model, prompt, args.new_tokens)
        loom = run_loom(args.loom_run, folder, prompt, args.new_tokens, "--step-logits")
        # Diagnostics: a prefill of <= 16 tokens (decode-sized GEMMs) and a prefill in chunks
        # of 16 (the second chunk attends over the first's paged KV).
        loom_short = run_loom(args.loom_run, folder, short, 1)
        loom_chunked = run_loom(args.loom_run, folder, prompt, 1, "--max-batched-tokens", "16")
        # The CPU reference interpreter on the same folder: where the gpu backend diverges and
        # the interpreter does not, the difference is in the GPU kernels.
        loom_cpu = run_loom(args.loom_run, folder, prompt, args.new_tokens, backend="cpu")
    loom_logits = torch.tensor(loom["logits"], device="cuda")
    if loom_logits.numel() != fields["vocab_size"]:
        raise RuntimeError(f"loom-run wrote {loom_logits.numel()} logits, "
                           f"expected {fields['vocab_size']}")
    hf_error = errors(hf_bf16, exact)
    loom_error = errors(loom_logits, exact)
    tolerance = max(2 * hf_error["rel_l2"], BF16_EPS)
    tolerance_abs = max(2 * hf_error["max_abs"], BF16_EPS * float(exact.abs().max()))
    diverged = divergence(hf_tokens, loom["greedy"], hf_step_logits, tolerance_abs)
    # Step logits are comparable while both runs saw the same tokens: up to the divergence.
    same_context = diverged["step"] + 1 if diverged else len(hf_tokens)
    step_errors = [errors(torch.tensor(loom["step_logits"][i], device="cuda"),
                          hf_step_logits[i])["rel_l2"] for i in range(same_context)]
    top2 = hf_bf16.topk(2).values
    result = {
        "class": class_name, "fields": fields, "prompt": prompt,
        "hf_bf16_vs_f32": hf_error, "loom_vs_f32": loom_error,
        "loom_vs_hf_bf16": errors(loom_logits, hf_bf16),
        "rel_l2_tolerance": tolerance, "max_abs_tolerance": tolerance_abs,
        "logit_std": float(exact.std()), "hf_first_top2_gap": float(top2[0] - top2[1]),
        "argmax_equal": int(torch.argmax(loom_logits)) == int(torch.argmax(hf_bf16)),
        "hf_tokens": hf_tokens, "loom_tokens": loom["greedy"], "hf_f32_tokens": f32_tokens,
        "hf_bf16_vs_f32_first_difference": first_difference(hf_tokens, f32_tokens),
        "loom_vs_f32_first_difference": first_difference(loom["greedy"], f32_tokens),
        "loom_cpu_tokens": loom_cpu["greedy"],
        "loom_cpu_vs_f32": errors(torch.tensor(loom_cpu["logits"], device="cuda"), exact),
        "loom_cpu_vs_hf_first_difference": first_difference(loom_cpu["greedy"], hf_tokens),
        "loom_gpu_vs_cpu_first_difference": first_difference(loom["greedy"], loom_cpu["greedy"]),
        "tokens_identical": hf_tokens == loom["greedy"], "divergence": diverged,
        "step_rel_l2_vs_hf_bf16": step_errors,
        "short_prefill_vs_f32": errors(torch.tensor(loom_short["logits"], device="cuda"),
                                       exact_short),
        "chunked_prefill_vs_f32": errors(torch.tensor(loom_chunked["logits"], device="cuda"),
                                         exact),
        "loom_seconds": loom["seconds"],
    }
    result["logits_ok"] = loom_error["rel_l2"] <= tolerance
    result["tokens_ok"] = result["tokens_identical"] or bool(diverged and diverged["near_tie"])
    result["pass"] = result["logits_ok"] and result["tokens_ok"]
    return result


def print_table(results):
    header = (f"{'case':<18} {'relL2 loom':>10} {'relL2 hf16':>10} {'tol':>8} {'maxabs loom':>11} "
              f"{'loom-hf16':>9} {'tokens':>8} {'diverge':>8} {'gap':>7} {'deficit':>7}  result")
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        if "error" in r:
            print(f"{name:<18} ERROR: {r['error'].splitlines()[0][:100]}")
            continue
        same = sum(a == b for a, b in zip(r["hf_tokens"], r["loom_tokens"]))
        d = r["divergence"] or {}
        gap = f"{d['hf_top2_gap']:.3f}" if "hf_top2_gap" in d else "-"
        deficit = f"{d['loom_token_deficit']:.3f}" if "loom_token_deficit" in d else "-"
        print(f"{name:<18} {r['loom_vs_f32']['rel_l2']:>10.2e} {r['hf_bf16_vs_f32']['rel_l2']:>10.2e} "
              f"{r['rel_l2_tolerance']:>8.1e} {r['loom_vs_f32']['max_abs']:>11.3e} "
              f"{r['loom_vs_hf_bf16']['rel_l2']:>9.2e} {same:>3}/{len(r['hf_tokens']):<4} "
              f"{d.get('step', '-'):>8} {gap:>7} {deficit:>7}  "
              f"{'PASS' if r['pass'] else 'FAIL'}")
    print()
    print(f"{'case':<18} {'prefill<=16':>11} {'chunked':>9} {'cpu':>9} {'cpu~hf':>6} {'gpu~cpu':>7} "
          f"{'hf16~f32':>8}  decode steps: rel L2 vs hf bf16 while the context is the same")
    for name, r in results.items():
        if "error" in r:
            continue
        steps = " ".join(f"{e:.1e}" for e in r["step_rel_l2_vs_hf_bf16"][:8])
        differs = [r[key] if r[key] is not None else "-" for key in
                   ("loom_cpu_vs_hf_first_difference", "loom_gpu_vs_cpu_first_difference",
                    "hf_bf16_vs_f32_first_difference")]
        print(f"{name:<18} {r['short_prefill_vs_f32']['rel_l2']:>11.2e} "
              f"{r['chunked_prefill_vs_f32']['rel_l2']:>9.2e} {r['loom_cpu_vs_f32']['rel_l2']:>9.2e} "
              f"{differs[0]:>6} {differs[1]:>7} {differs[2]:>8}  {steps}")


def main():
    args = parse_args()
    import torch
    import transformers

    log(f"torch {torch.__version__}, transformers {transformers.__version__}, "
        f"{torch.cuda.get_device_name()}")
    report = {"torch": torch.__version__, "transformers": transformers.__version__,
              "device": torch.cuda.get_device_name(), "init_std": args.init_std,
              "prompt_len": args.prompt_len, "new_tokens": args.new_tokens, "cases": {}}
    for index, (name, class_name, fields) in enumerate(CASES):
        if args.cases and name not in args.cases:
            continue
        log(f"{name}: {class_name} {fields}")
        try:
            report["cases"][name] = run_case(args, name, class_name, fields, index)
            r = report["cases"][name]
            log(f"{name}: rel L2 {r['loom_vs_f32']['rel_l2']:.2e} (hf bf16 "
                f"{r['hf_bf16_vs_f32']['rel_l2']:.2e}), tokens identical {r['tokens_identical']}, "
                f"loom-run {r['loom_seconds']} s")
        except Exception as error:  # report and go on with the next case
            report["cases"][name] = {"error": f"{type(error).__name__}: {error}"}
            log(f"{name}: {report['cases'][name]['error']}")
        torch.cuda.empty_cache()
        if args.json:
            with open(args.json, "w") as out:
                json.dump(report, out, indent=2)
    print_table(report["cases"])
    failed = [name for name, r in report["cases"].items() if not r.get("pass")]
    report["failed"] = failed
    if args.json:
        with open(args.json, "w") as out:
            json.dump(report, out, indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
