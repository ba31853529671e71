#!/usr/bin/env python3
"""Checks the loom.buffer_plan of every function in loom-opt output (read from stdin).

Two buffers whose live ranges [first, last] overlap must not overlap in the arena; offsets are
aligned; every buffer fits in loom.arena_bytes. Functions named with --smaller-than-sum must
also have an arena smaller than the sum of their buffers (reuse happened). Prints one line per
function and exits 1 on any violation.
"""
import argparse
import re
import sys

ENTRY = re.compile(r'\{bytes = (\d+) : i64, first = (\d+) : i64, id = "(\w+)", '
                   r'last = (\d+) : i64, offset = (\d+) : i64, shape = \[[^\]]*\]\}')


def attribute(text, name):
    match = re.search(name + r' = (\d+) : i64', text)
    return int(match.group(1)) if match else None


def check_function(name, header, smaller_than_sum):
    plan_start = header.find('loom.buffer_plan = [')
    if plan_start < 0:
        return [f'{name}: no loom.buffer_plan']
    buffers = [tuple(int(g) if g.isdigit() else g for g in m.groups())
               for m in ENTRY.finditer(header, plan_start)]
    arena = attribute(header, 'loom.arena_bytes')
    alignment = attribute(header, 'loom.arena_alignment')
    errors = []
    for size, first, ident, last, offset in buffers:
        if offset % alignment:
            errors.append(f'{name}: {ident} offset {offset} is not aligned to {alignment}')
        if offset + size > arena:
            errors.append(f'{name}: {ident} ends at {offset + size}, past the arena ({arena})')
    for i, (size_a, first_a, id_a, last_a, off_a) in enumerate(buffers):
        for size_b, first_b, id_b, last_b, off_b in buffers[i + 1:]:
            live_together = first_a <= last_b and first_b <= last_a
            overlap = off_a < off_b + size_b and off_b < off_a + size_a
            if live_together and overlap:
                errors.append(f'{name}: {id_a} and {id_b} are live together and overlap')
    total = sum(b[0] for b in buffers)
    line = f'{name}: {len(buffers)} buffers, no overlap' if not errors else f'{name}: FAILED'
    if name in smaller_than_sum:
        if arena >= total:
            errors.append(f'{name}: arena {arena} is not smaller than the sum {total}')
        line += f', arena {arena} < sum {total}'
    print(line)
    return errors


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--smaller-than-sum', nargs='*', default=[])
    args = parser.parse_args()
    errors = []
    for line in sys.stdin:
        match = re.match(r'\s*func\.func @(\w+)\(', line)
        if match:
            errors += check_function(match.group(1), line, args.smaller_than_sum)
    for error in errors:
        print(error, file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == '__main__':
    main()
