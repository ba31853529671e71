"""reference_cli.py: what the test/reference scripts share — a timestamped progress log and the
argument parser they start from (the script's one-line summary, --json, --prompt-len,
--new-tokens, --seed)."""
import argparse
import time


def make_log(tag):
    """A print function whose lines start with "[tag HH:MM:SS]", flushed at once (device logs)."""
    def log(message):
        print(f"[{tag} {time.strftime('%H:%M:%S')}] {message}", flush=True)
    return log


def reference_parser(doc, prompt_len, new_tokens):
    """An ArgumentParser described by the first paragraph of `doc`, with the shared options."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--prompt-len", type=int, default=prompt_len)
    parser.add_argument("--new-tokens", type=int, default=new_tokens)
    parser.add_argument("--seed", type=int, default=0)
    return parser
