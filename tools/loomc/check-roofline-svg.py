#!/usr/bin/env python3
"""Checks loomc --report-svg against the --report table printed in the same run: the SVG parses
as XML, has one kernel circle per report row with bytes and FLOPs, at that row's arithmetic
intensity and at FLOP/s from its predicted time; the other rows are listed as not plotted.
Prints "roofline svg ok: N points, M not plotted" or exits 1."""
import re
import sys
import xml.etree.ElementTree as ElementTree

SVG = "{http://www.w3.org/2000/svg}"


def fail(message):
    print(f"roofline svg check failed: {message}")
    sys.exit(1)


def report_rows(path):
    rows, inside = {}, False
    for line in open(path):
        if line.startswith("kernel "):
            inside = True
            continue
        if line.startswith("roofline total"):
            break
        if inside and line.strip():
            fields = line.split()
            name, bytes_, flops = fields[0], float(fields[-4]), float(fields[-3])
            predicted_us = float(fields[-1].removesuffix("us"))
            rows[name] = (bytes_, flops, predicted_us)
    if not rows:
        fail(f"no kernel rows in {path}")
    return rows


def main():
    svg_path, report_path = sys.argv[1], sys.argv[2]
    root = ElementTree.parse(svg_path).getroot()
    circles = {c.get("data-kernel"): c for c in root.iter(SVG + "circle")
               if c.get("class") == "kernel"}
    rows = report_rows(report_path)
    plottable = {n: r for n, r in rows.items() if r[0] > 0 and r[1] > 0 and r[2] > 0}
    if set(circles) != set(plottable):
        fail(f"circles {sorted(set(circles) ^ set(plottable))} differ from the report's rows")
    for name, (bytes_, flops, predicted_us) in plottable.items():
        circle = circles[name]
        intensity = float(circle.get("data-intensity"))
        if abs(intensity / (flops / bytes_) - 1) > 2e-3:
            fail(f"{name}: intensity {intensity} but the report gives {flops / bytes_}")
        svg_us = flops / float(circle.get("data-flops-per-second")) * 1e6
        if abs(svg_us - predicted_us) > 0.0051 + 1e-3 * predicted_us:
            fail(f"{name}: {svg_us} us in the SVG, {predicted_us} us in the report")
    notes = [t.text for t in root.iter(SVG + "text") if t.get("class") == "unplotted"]
    unplotted = [n for n in rows if n not in plottable]
    listed = notes[0].split(": ", 1)[1].split(", ") if notes else []
    if sorted(listed) != sorted(unplotted):
        fail(f"not-plotted list {listed} but the report's unplottable rows are {unplotted}")
    print(f"roofline svg ok: {len(circles)} points, {len(unplotted)} not plotted")


if __name__ == "__main__":
    main()
