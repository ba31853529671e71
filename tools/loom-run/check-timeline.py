#!/usr/bin/env python3
"""check-timeline.py: checks a `loom-run bench --timeline FILE` trace of one decode step.

Every launch of the step's program was recorded, with every CTA of its grid once; each CTA's
entry <= after-wait <= exit; launches are in stream order: each one gets past its
grid-dependency wait (or, where no CTA waited, starts) only after the launch before it ended.
Prints "timeline ok: N launches, M CTAs" or the first violation, exit status 1.
"""
import json
import sys


def check(trace):
    if not trace.get("matches_program"):
        return f"the launches do not match the program ({len(trace['launches'])} recorded, " \
               f"{trace['program_launches']} in the program, {trace['dropped']} CTAs dropped)"
    previous_end = None
    ctas = 0
    for index, launch in enumerate(trace["launches"]):
        name = f"launch {index} ({launch['kernel']})"
        blocks = sorted(cta[0] for cta in launch["ctas"])
        if blocks != list(range(launch["grid"])):
            return f"{name}: CTAs {len(blocks)} of a grid of {launch['grid']}, not each block once"
        for block, sm, entry, wait, exit_ in launch["ctas"]:
            if not (entry <= exit_ and (wait == 0 or entry <= wait <= exit_)):
                return f"{name}: block {block} entry {entry} wait {wait} exit {exit_} out of order"
        ready = launch["first_wait"] if launch["first_wait"] else launch["start"]
        if previous_end is not None and ready < previous_end:
            return f"{name}: past its wait at {ready} us, before the launch before it ended ({previous_end} us)"
        previous_end = max(previous_end or 0, launch["end"])
        ctas += len(blocks)
    return f"timeline ok: {len(trace['launches'])} launches, {ctas} CTAs"


if __name__ == "__main__":
    result = check(json.load(open(sys.argv[1])))
    print(result)
    sys.exit(0 if result.startswith("timeline ok") else 1)
