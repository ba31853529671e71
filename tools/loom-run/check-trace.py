#!/usr/bin/env python3
"""Checks a loom-run --trace file: valid Trace Event Format JSON, one "step" event per engine
step, "forward" events whose sampled tokens add up to --tokens, one request track per request
whose output tokens add up to --tokens; with --gpu, kernel events with positive GPU times that
lie inside their step's forward event (within --slack-us), and each decode bucket's first graph
event labelled its capture, the later ones replays. Prints "trace ok: ..." or exits 1."""
import argparse
import json
import sys


def fail(message):
    print(f"trace check failed: {message}")
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("trace")
    parser.add_argument("--requests", type=int, required=True)
    parser.add_argument("--tokens", type=int, required=True)
    parser.add_argument("--steps", type=int)
    parser.add_argument("--gpu", action="store_true")
    parser.add_argument("--slack-us", type=float, default=100.0)
    args = parser.parse_args()

    with open(args.trace) as f:
        trace = json.load(f)
    events = trace["traceEvents"]
    for event in events:
        for key in ("ph", "name", "pid", "tid"):
            if key not in event:
                fail(f"event without '{key}': {event}")
        if event["ph"] == "X" and (event["dur"] < 0 or "ts" not in event):
            fail(f"complete event without a time: {event}")
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
             if e["ph"] == "M" and e["name"] == "thread_name"}
    complete = [e for e in events if e["ph"] == "X"]
    steps = [e for e in complete if e["cat"] == "step"]
    forwards = [e for e in complete if e["cat"] == "forward"]
    requests = [e for e in complete if e["cat"] == "request"]
    if args.steps is not None and len(steps) != args.steps:
        fail(f"{len(steps)} step events, expected {args.steps}")
    if len(forwards) > len(steps) or not forwards:
        fail(f"{len(forwards)} forward events for {len(steps)} steps")
    sampled = sum(e["args"]["sampled"] for e in forwards)
    if sampled != args.tokens:
        fail(f"forward events sampled {sampled} tokens, expected {args.tokens}")
    if len(requests) != args.requests:
        fail(f"{len(requests)} request events, expected {args.requests}")
    output = sum(e["args"]["output_tokens"] for e in requests)
    if output != args.tokens:
        fail(f"requests made {output} tokens, expected {args.tokens}")
    for request in requests:
        if names.get((request["pid"], request["tid"])) != request["name"]:
            fail(f"{request['name']} has no track of its name")
    summary = f"trace ok: {len(requests)} requests, {sampled} tokens, {len(steps)} steps"

    if args.gpu:
        kernels = [e for e in complete if e["cat"] == "kernel"]
        graphs = [e for e in complete if e["cat"] == "graph"]
        if not kernels:
            fail("no kernel events")
        gpu_tracks = {(e["pid"], e["tid"]) for e in kernels + graphs}
        if any("GPU" not in names.get(track, "") for track in gpu_tracks):
            fail(f"kernel events off the GPU track: {gpu_tracks}")
        bad = [e for e in kernels + graphs if not e["dur"] > 0]
        if bad:
            fail(f"{len(bad)} GPU events without a positive duration, e.g. {bad[0]}")
        # A bucket's first graph step runs eagerly and captures the graph; the later ones replay.
        first_step = {}
        for event in sorted(graphs, key=lambda e: e["args"]["step"]):
            bucket = event["args"]["bucket"]
            captured = event["name"] == f"eager run + graph capture (bucket {bucket})"
            replayed = event["name"] == f"graph replay (bucket {bucket})"
            if captured == replayed or event["args"]["captured"] != captured:
                fail(f"graph event of bucket {bucket} mislabelled: {event}")
            step = event["args"]["step"]
            if captured and bucket in first_step:
                fail(f"bucket {bucket}: step {step} is labelled a capture, but step "
                     f"{first_step[bucket]} captured the graph")
            if replayed and bucket not in first_step:
                fail(f"bucket {bucket}: step {step}, its first graph step, is labelled a replay")
            first_step.setdefault(bucket, step)
        window = {e["args"]["step"]: (e["ts"], e["ts"] + e["dur"]) for e in forwards}
        worst = 0.0
        for event in kernels + graphs:
            start, end = window[event["args"]["step"]]
            outside = max(start - event["ts"], event["ts"] + event["dur"] - end, 0.0)
            worst = max(worst, outside)
        if worst > args.slack_us:
            fail(f"a GPU event lies {worst:.1f} us outside its step's forward event")
        summary += (f", {len(kernels)} kernel events, {len(first_step)} graph captures, "
                    f"{len(graphs) - len(first_step)} graph replays, "
                    f"{sum(e['dur'] for e in kernels):.1f} us in kernels, "
                    f"{sum(e['dur'] for e in graphs):.1f} us in graphs, "
                    f"worst offset {worst:.1f} us")
    print(summary)


if __name__ == "__main__":
    main()
