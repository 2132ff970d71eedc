#!/usr/bin/env python3
"""Aggregates bench/run's raw runs (one JSON object per line) into the performance table.

Each row compares simsock's figure with its baseline's: median over the repetitions, with min and
max, the ratio, the issue's target and whether it is met. The ratio is the median of the
per-repetition ratios (each simsock run against the baseline run of the same repetition, which ran
next to it): the machine's speed drifts between repetitions, and pairing cancels the drift that a
ratio of two medians keeps. The ratio of the medians is kept in the JSON too. Prints the table and
writes the same figures as JSON.
"""
import argparse
import json
import statistics
import sys

GB = 1e9


def fmt(value, unit):
    if value is None:
        return "-"
    if unit == "bytes/s":
        return f"{value / GB:.3f} GB/s"
    if unit == "KiB":
        return f"{value / 1024:.1f} MiB"
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "x":
        return f"{value:,.0f}x"
    if value >= 1e6:
        return f"{value / 1e6:.3f} M/s"
    return f"{value:,.0f}/s"


# Rows: (row id, label, simsock (run id, field), baseline (run id, field) or None, unit,
#        absolute target (op, value) on simsock's median or None, ratio target (op, value) or None)
# The table of the performance issue, in its order: every row it names, with its targets.
# "{amount}" in a label is the size of simsock's run (its median amount: hosts, seeds).
ROWS = [
    ("W1b", "W1b UDP many in flight, simsock run end to end, delivered datagrams/s (base: ns-3; "
     "both whole processes)", ("w1b", "rate"), ("ns3-w1b", "rate"), "/s", (">=", 3e6),
     (">=", 20)),
    ("W1", "W1 UDP ping-pong, delivered datagrams/s (base: ns-3)", ("w1", "rate"),
     ("ns3-w1", "rate"), "/s", (">=", 3.5e6), (">=", 20)),
    ("W5", "W5 events/s on W1 (base: bare heap loop)", ("w1", "events_per_s"), ("loop", "rate"),
     "/s", None, (">=", 0.30)),
    ("W2-0", "W2 TCP bulk 0% loss, payload bytes/s (base: ns-3)", ("w2-0", "rate"),
     ("ns3-w2-0", "rate"), "bytes/s", (">=", 2e9), (">=", 20)),
    ("W2-1", "W2 TCP bulk 1% loss, payload bytes/s (base: ns-3)", ("w2-1", "rate"),
     ("ns3-w2-1", "rate"), "bytes/s", (">=", 2e9), (">=", 20)),
    ("W3-rss", "W3 concurrent connections, peak RSS", ("w3", "peak_rss_kib"), None, "KiB",
     ("<=", 1024 * 1024), None),
    ("W3-wall", "W3 concurrent connections, wall time", ("w3", "wall_s"), None, "s", ("<", 5),
     None),
    ("sweep", "sweep tcp-fragmented, {amount} seeds, --jobs 2 seeds/s (base: --jobs 1)",
     ("sweep-2", "rate"), ("sweep-1", "rate"), "/s", None, (">=", 1.9)),
    ("tracing", "tracing: W1b with --trace, wall time (base: W1b without)",
     ("w1b-trace", "wall_s"), ("w1b", "wall_s"), "s", None, ("<=", 2)),
    ("loading", "loading a scenario file of {amount} hosts, wall time", ("load", "wall_s"), None,
     "s", ("<", 1), None),
    # W6: net/ and raw Asio measured in the same process, in alternating pieces (one run, two
    # figures): the baseline is the same run's asio_rate.
    ("W6-tcp-echo", "W6 TCP echo round trips/s, net/ (base: raw Asio, same process)",
     ("w6-tcp-echo", "rate"), ("w6-tcp-echo", "asio_rate"), "/s", None, (">=", 0.95)),
    ("W6-udp-echo", "W6 UDP echo round trips/s, net/ (base: raw Asio, same process)",
     ("w6-udp-echo", "rate"), ("w6-udp-echo", "asio_rate"), "/s", None, (">=", 0.95)),
    ("W6-tcp-bulk", "W6 TCP bulk bytes/s, net/ (base: raw Asio, same process)",
     ("w6-tcp-bulk", "rate"), ("w6-tcp-bulk", "asio_rate"), "bytes/s", None, (">=", 0.95)),
]


def check(op, value, target):
    return {">=": value >= target, "<=": value <= target, "<": value < target}[op]


def add_cpu_figures(runs):
    """Per run, the same figures per CPU second of the process (set-up included), which the
    machine's other load does not inflate the way it inflates wall time."""
    for r in runs:
        res = r["result"]
        cpu = res.get("process_cpu_s")
        # A run of two backends (W6) spent its CPU time on both: no per-CPU figure for either.
        if not cpu or "asio_rate" in res:
            continue
        res["cpu_rate"] = res["amount"] / cpu
        if "events" in res:
            res["cpu_events_per_s"] = res["events"] / cpu
        res["cpu_s"] = cpu


CPU_FIELD = {"rate": "cpu_rate", "events_per_s": "cpu_events_per_s", "wall_s": "cpu_s"}


def stats(runs, run_id, field):
    values = [r["result"][field] for r in runs if r["id"] == run_id and field in r["result"]]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "n": len(values), "values": values}


def paired_ratio(runs, sim, base):
    """Median over repetitions of simsock's figure / the baseline's in the same repetition."""
    def by_rep(run_id, field):
        return {r["rep"]: r["result"][field] for r in runs
                if r["id"] == run_id and field in r["result"]}
    s, b = by_rep(*sim), by_rep(*base)
    ratios = [s[k] / b[k] for k in s if k in b and b[k]]
    return statistics.median(ratios) if ratios else None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("raw")
    p.add_argument("out")
    p.add_argument("--machine", default="")
    p.add_argument("--reps", type=int, default=1)
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--every-row", action="store_true",
                   help="fail (exit 1) unless every row has simsock's runs (baselines may miss)")
    a = p.parse_args()
    with open(a.raw) as f:
        runs = [json.loads(line) for line in f if line.strip()]
    add_cpu_figures(runs)

    rows, missing = [], []
    for row_id, label, sim, base, unit, abs_target, ratio_target in ROWS:
        s = stats(runs, *sim)
        if s is None:
            missing.append(row_id)
            continue
        b = stats(runs, *base) if base else None
        ratio_of_medians = s["median"] / b["median"] if b and b["median"] else None
        ratio = paired_ratio(runs, sim, base) if b else None
        targets, met = [], True
        if abs_target:
            targets.append(f"{abs_target[0]} {fmt(abs_target[1], unit)}")
            met = met and check(abs_target[0], s["median"], abs_target[1])
        if ratio_target:
            targets.append(f"ratio {ratio_target[0]} {ratio_target[1]}")
            if ratio is None:
                met = None if met else False
            else:
                met = (met is not False) and check(ratio_target[0], ratio, ratio_target[1]) and met
        cpu = None
        if sim[1] in CPU_FIELD and (base is None or base[1] in CPU_FIELD):
            cs = stats(runs, sim[0], CPU_FIELD[sim[1]])
            cb = stats(runs, base[0], CPU_FIELD[base[1]]) if base else None
            if cs:
                cpu = {"simsock": cs, "baseline": cb,
                       "ratio": paired_ratio(runs, (sim[0], CPU_FIELD[sim[1]]),
                                             (base[0], CPU_FIELD[base[1]])) if cb else None}
        amounts = [r["result"]["amount"] for r in runs if r["id"] == sim[0]]
        label = label.replace("{amount}", f"{statistics.median(amounts):,.0f}")
        rows.append({"id": row_id, "workload": label, "unit": unit, "simsock": s, "baseline": b,
                     "ratio": ratio, "ratio_of_medians": ratio_of_medians,
                     "target": ", ".join(targets), "met": met,
                     "has_ratio_target": ratio_target is not None,
                     "per_cpu_second": cpu})

    def cell(st):
        if st is None:
            return "-"
        if st["n"] == 1:
            return fmt(st["median"], unit)
        return f"{fmt(st['median'], unit)} [{fmt(st['min'], unit)} .. {fmt(st['max'], unit)}]"

    header = ("workload", "simsock median [min .. max]", "baseline median [min .. max]", "ratio",
              "target", "met?", "per CPU s: simsock", "baseline", "ratio")
    lines = []
    for r in rows:
        unit = r["unit"]
        met = {True: "yes", False: "NO", None: "n/a (no baseline)"}[r["met"]]
        if r["met"] is False and r["baseline"] is None and r["has_ratio_target"]:
            met = "NO (and no baseline)"
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.3g}"
        c = r["per_cpu_second"] or {}
        cpu_ratio = "-" if c.get("ratio") is None else f"{c['ratio']:.3g}"
        lines.append((r["workload"], cell(r["simsock"]), cell(r["baseline"]), ratio, r["target"],
                      met, cell(c.get("simsock")), cell(c.get("baseline")), cpu_ratio))
    widths = [max(len(x[i]) for x in [header] + lines) for i in range(len(header))]
    title = f"simsock benchmarks ({'smoke run, sizes tiny: figures meaningless' if a.smoke else 'full run'}; {a.reps} repetition(s); {a.machine})"
    print(title)
    print("(figures per wall second unless marked 'per CPU s'; targets are judged on wall time)")
    for line in [header] + lines:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip())

    doc = {"machine": a.machine, "repetitions": a.reps, "smoke": a.smoke, "rows": rows,
           "runs": runs}
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"figures written to {a.out}", file=sys.stderr)
    if a.every_row and missing:
        print(f"summarize.py: no simsock runs for the rows {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
