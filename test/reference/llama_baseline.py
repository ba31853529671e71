#!/usr/bin/env python3
"""llama_baseline.py: the PyTorch baselines for Loom's whole-model numbers, run in the same device
call as `loom-run bench` so every ratio is measured side by side.

Builds a random-weight LlamaForCausalLM from a Loom config (examples/configs/llama-3.2-1b.json) in
bf16 on the GPU (no download) and measures:
  1. HF eager `generate`, batch 1, 128 prompt + --eager-new-tokens new tokens, greedy: tok/s
     (prefill included).
  2. A static-KV-cache greedy decode loop under torch.compile(mode="reduce-overhead"): 128 timed
     decode steps at batch 1, 64 and 16 after compile and warm-up: tok/s and ms/step.
  3. Time to first token (compiled prefill + argmax) for a 1024- and a 128-token prompt.
  4. Device-to-device copy bandwidth (1 GiB, bytes read + written) and the weight-bytes roofline
     tok/s at batch 1 (copy bandwidth / bytes of distinct weights, each read once per step).

Each stage that fails (a torch.compile error, say) is reported with its error and the next stage
runs; the JSON is rewritten after every stage, so a run cut short keeps what it measured. Stages
that would start past --budget-s are skipped and say so. Stages run in priority order (issue 8's
targets first): copy, decode at the first batch, TTFT at the first length, the other decode
batches, the other lengths, eager generate."""
import inspect
import json
import statistics
import sys
import time
import traceback

from reference_cli import make_log, reference_parser

STAGES_NEEDING_COMPILE_S = 45  # a stage that compiles is not started with less time than this left


log = make_log("baseline")


def parse_args():
    parser = reference_parser(__doc__, prompt_len=128, new_tokens=128)
    parser.add_argument("--config", required=True, help="Loom/HF Llama config.json")
    parser.add_argument("--eager-new-tokens", type=int, default=128)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 64, 16])
    parser.add_argument("--ttft-lens", type=int, nargs="+", default=[1024, 128])
    parser.add_argument("--budget-s", type=float, default=1e9,
                        help="skip stages that would start after this many seconds")
    return parser.parse_args()


class Report:
    """Results by stage, rewritten to --json after each stage."""

    def __init__(self, path, started):
        self.path, self.started, self.data = path, started, {"stages": {}}

    def set(self, key, value):
        self.data[key] = value
        self.flush()

    def stage(self, name, value):
        self.data["stages"][name] = value
        self.flush()

    def flush(self):
        self.data["elapsed_s"] = round(time.perf_counter() - self.started, 2)
        if self.path:
            with open(self.path, "w") as out:
                json.dump(self.data, out, indent=2, sort_keys=True)


def build_model(config_path):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    with open(config_path) as source:
        fields = json.load(source)
    fields.pop("torch_dtype", None)
    fields["dtype"] = "bfloat16"
    config = LlamaConfig.from_dict(fields)
    config._attn_implementation = "sdpa"
    with torch.device("cuda"):
        model = LlamaForCausalLM(config)
    model = model.to(torch.bfloat16).eval()
    model.generation_config.eos_token_id = None  # random weights: never stop early
    model.generation_config.pad_token_id = 0
    return config, model


def distinct_weight_bytes(model):
    seen, total = set(), 0
    for parameter in model.parameters():
        if parameter.data_ptr() not in seen:
            seen.add(parameter.data_ptr())
            total += parameter.numel() * parameter.element_size()
    return total


def make_static_cache(config, batch, max_len):
    """StaticCache across transformers versions: pass only the arguments this version takes."""
    import torch
    from transformers import StaticCache

    offered = {"config": config, "max_cache_len": max_len, "max_batch_size": batch,
               "batch_size": batch, "device": "cuda", "dtype": torch.bfloat16}
    accepted = inspect.signature(StaticCache.__init__).parameters
    return StaticCache(**{k: v for k, v in offered.items() if k in accepted})


def copy_bandwidth():
    import torch

    elements = (1 << 30) // 2
    source = torch.empty(elements, dtype=torch.bfloat16, device="cuda").normal_()
    target = torch.empty_like(source)
    for _ in range(3):
        target.copy_(source)
    torch.cuda.synchronize()
    times = []
    for _ in range(10):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        target.copy_(source)
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) / 1e3)
    seconds = statistics.median(times)
    del source, target
    torch.cuda.empty_cache()
    return {"bytes_copied": 1 << 30, "median_s": seconds,
            "read_plus_write_GBps": 2 * (1 << 30) / seconds / 1e9}


def eager_generate(model, vocab, prompt_len, new_tokens):
    import torch

    ids = torch.randint(0, vocab, (1, prompt_len), device="cuda")
    mask = torch.ones_like(ids)
    common = dict(attention_mask=mask, do_sample=False, pad_token_id=0)
    model.generate(ids, max_new_tokens=8, min_new_tokens=8, **common)  # warm-up
    torch.cuda.synchronize()
    started = time.perf_counter()
    out = model.generate(ids, max_new_tokens=new_tokens, min_new_tokens=new_tokens, **common)
    torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    generated = out.shape[1] - prompt_len
    return {"batch": 1, "prompt_len": prompt_len, "new_tokens": generated, "seconds": seconds,
            "tok_s": generated / seconds, "note": "wall time of generate(), prefill included"}


def forward_step(model):
    """One greedy step: logits of the last position only, argmax to the next token ids [B, 1]."""

    def step(ids, cache):  # positions come from the cache's own length (transformers >= 5)
        logits = model(input_ids=ids, past_key_values=cache, use_cache=True,
                       logits_to_keep=1).logits
        return logits[:, -1].argmax(-1, keepdim=True)

    return step


def call_compiled(fn, *args):
    import torch

    torch.compiler.cudagraph_mark_step_begin()
    return fn(*args).clone()  # reduce-overhead outputs are overwritten by the next replay


def compiled_decode(model, config, compiled_step, batch, prompt_len, new_tokens):
    import torch

    warmup_steps = 4  # compile, record the CUDA graph, replay
    cache = make_static_cache(config, batch, prompt_len + warmup_steps + new_tokens + 8)
    ids = torch.randint(0, config.vocab_size, (batch, prompt_len), device="cuda")
    with torch.no_grad():
        token = forward_step(model)(ids, cache)  # eager prefill: allocates the lazy cache
        compile_started = time.perf_counter()
        for _ in range(warmup_steps):
            token = call_compiled(compiled_step, token, cache)
        torch.cuda.synchronize()
        warmup_s = time.perf_counter() - compile_started
        started = time.perf_counter()
        for _ in range(new_tokens):
            token = call_compiled(compiled_step, token, cache)
        torch.cuda.synchronize()
        seconds = time.perf_counter() - started
    del cache
    return {"batch": batch, "context_start": prompt_len + warmup_steps, "steps": new_tokens,
            "static_cache_len": prompt_len + warmup_steps + new_tokens + 8,
            "seconds": seconds, "ms_per_step": seconds * 1e3 / new_tokens,
            "tok_s": batch * new_tokens / seconds, "compile_and_warmup_s": warmup_s}


def compiled_ttft(model, config, compiled_prefill, prompt_len, repeats=10):
    import torch

    cache = make_static_cache(config, 1, prompt_len + 8)
    ids = torch.randint(0, config.vocab_size, (1, prompt_len), device="cuda")
    with torch.no_grad():
        forward_step(model)(ids, cache)  # eager: allocates the lazy cache
        compile_started = time.perf_counter()
        for _ in range(3):
            cache.reset()
            call_compiled(compiled_prefill, ids, cache)
        torch.cuda.synchronize()
        warmup_s = time.perf_counter() - compile_started
        times = []
        for _ in range(repeats):
            cache.reset()  # outside the timed span: an empty cache, as for a new request
            torch.cuda.synchronize()
            started = time.perf_counter()
            token = call_compiled(compiled_prefill, ids, cache)
            token.cpu()  # the first token is on the host
            times.append(time.perf_counter() - started)
    del cache
    return {"prompt_len": prompt_len, "ttft_ms_median": statistics.median(times) * 1e3,
            "ttft_ms_min": min(times) * 1e3, "repeats": repeats, "compile_and_warmup_s": warmup_s}


def run_stage(report, name, started, budget_s, needs_s, fn):
    elapsed = time.perf_counter() - started
    if elapsed + needs_s > budget_s:
        log(f"{name}: skipped ({elapsed:.0f} s used of the {budget_s:.0f} s budget)")
        report.stage(name, {"skipped": f"time budget: {elapsed:.0f} s of {budget_s:.0f} s used"})
        return None
    log(f"{name}: running")
    try:
        value = fn()
    except Exception as error:  # report and continue: a failing compile must not end the run
        log(f"{name}: FAILED: {type(error).__name__}: {error}")
        report.stage(name, {"error": f"{type(error).__name__}: {error}",
                            "traceback": traceback.format_exc(limit=8)})
        return None
    log(f"{name}: {json.dumps(value)}")
    report.stage(name, value)
    return value


def print_table(data):
    stages = data["stages"]
    rows = [("what", "value")]

    def value_of(name, key, unit, fmt="{:.1f}"):
        stage = stages.get(name, {})
        if key in stage:
            return fmt.format(stage[key]) + " " + unit
        return stage.get("error", stage.get("skipped", "not run"))[:60]

    rows.append(("copy bandwidth (read+write)", value_of("copy", "read_plus_write_GBps", "GB/s")))
    rows.append(("weight bytes", f"{data.get('weight_bytes', 0) / 1e9:.3f} GB"))
    rows.append(("batch-1 weight roofline", value_of("copy", "roofline_tok_s", "tok/s")))
    rows.append(("HF eager generate b1", value_of("eager_generate", "tok_s", "tok/s")))
    for name in sorted((k for k in stages if k.startswith("compiled_decode_b")),
                       key=lambda k: int(k[17:])):
        rows.append((f"torch.compile decode {name[16:]}", value_of(name, "tok_s", "tok/s")))
        rows.append((f"  ms/step {name[16:]}", value_of(name, "ms_per_step", "ms", "{:.3f}")))
    ttft_stages = [k for k in stages if k.startswith("compiled_ttft_")]
    for name in sorted(ttft_stages, key=lambda k: int(k[14:])):
        rows.append((f"TTFT {name[14:]} tokens", value_of(name, "ttft_ms_median", "ms", "{:.2f}")))
    width = max(len(row[0]) for row in rows)
    for left, right in rows:
        print(f"{left:<{width}}  {right}", flush=True)


def main():
    args = parse_args()
    started = time.perf_counter()
    report = Report(args.json, started)
    try:
        import torch
        import transformers
    except ImportError as error:
        log(f"error: {error}")
        return 2
    if not torch.cuda.is_available():
        log("error: no CUDA device visible to torch")
        return 2
    torch.manual_seed(args.seed)
    report.set("versions", {"torch": torch.__version__, "transformers": transformers.__version__,
                            "device": torch.cuda.get_device_name()})
    log(f"torch {torch.__version__}, transformers {transformers.__version__}, "
        f"{torch.cuda.get_device_name()}")

    config, model = build_model(args.config)
    weight_bytes = distinct_weight_bytes(model)
    report.set("weight_bytes", weight_bytes)
    log(f"model built: {weight_bytes / 1e9:.3f} GB of distinct bf16 weights")

    def copy_stage():
        result = copy_bandwidth()
        result["roofline_tok_s"] = result["read_plus_write_GBps"] * 1e9 / weight_bytes
        return result

    run_stage(report, "copy", started, args.budget_s, 0, copy_stage)
    compiled_step = torch.compile(forward_step(model), mode="reduce-overhead", dynamic=False)
    compiled_prefill = torch.compile(forward_step(model), mode="reduce-overhead", dynamic=False)

    def decode_stage(batch):
        return (f"compiled_decode_b{batch}", STAGES_NEEDING_COMPILE_S,
                lambda: compiled_decode(model, config, compiled_step, batch, args.prompt_len,
                                        args.new_tokens))

    def ttft_stage(length):
        return (f"compiled_ttft_{length}", STAGES_NEEDING_COMPILE_S,
                lambda: compiled_ttft(model, config, compiled_prefill, length))

    eager = ("eager_generate", 15, lambda: eager_generate(model, config.vocab_size,
                                                          args.prompt_len, args.eager_new_tokens))
    stages = ([decode_stage(b) for b in args.batches[:1]] + [ttft_stage(n) for n in args.ttft_lens[:1]]
              + [decode_stage(b) for b in args.batches[1:]]
              + [ttft_stage(n) for n in args.ttft_lens[1:]] + [eager])
    with torch.no_grad():
        for name, needs_s, fn in stages:
            run_stage(report, name, started, args.budget_s, needs_s, fn)
    print_table(report.data)
    report.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
