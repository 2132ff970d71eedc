#!/usr/bin/env python3
"""Runs one command as a whole process and prints simsock-bench's JSON line for it
(bench/report.hpp): wall time around the process (start to exit, loading and reporting
included), the process's own CPU seconds and peak RSS (from wait4), and an amount of work, given
or read from the JSON the command prints. bench/run and bench/growth use it for the workloads that
are whole commands (simsock run, simsock sweep, ns-3's programs).

    bench/measure_process.py --workload ID --unit UNIT (--amount N | --amount-from KEY) -- CMD...

--amount-from KEY reads KEY (dots for nested keys, e.g. stats.udp.delivered) from the command's
standard output: the whole output as one JSON object, or else its last line. A command that
exits non-zero, or whose output has no such number, fails the measurement (exit status 1, with
the command's stderr): no figure is printed for work that did not happen.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


class MeasureError(Exception):
    pass


def parse_output(text):
    """The JSON object the command printed (whole output or last line), or None."""
    for candidate in (text, (text.strip().splitlines() or [""])[-1]):
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def find_key(obj, key):
    """KEY in obj, where KEY's dots separate nested objects or belong to a key's own name
    (stats.udp.delivered is obj["stats"]["udp.delivered"])."""
    if not isinstance(obj, dict):
        return None
    if key in obj:
        return obj[key]
    head, dot, rest = key.partition(".")
    while dot:
        if head in obj:
            found = find_key(obj[head], rest)
            if found is not None:
                return found
        more, dot, rest = rest.partition(".")
        head = head + "." + more
    return None


def measure(cmd, workload, unit, amount=None, amount_from=None):
    """Runs cmd (a list of words) as one process and returns its result line as a dict; raises
    MeasureError if it could not run, failed, or printed no amount."""
    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        t0 = time.perf_counter()
        try:
            proc = subprocess.Popen(cmd, stdout=out_file, stderr=err_file)
        except OSError as e:
            raise MeasureError(f"cannot run {cmd[0]}: {e.strerror}")
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    if proc.returncode != 0:
        raise MeasureError(f"{' '.join(cmd)} exited with status {proc.returncode}\n"
                           f"{err.strip()[-4000:]}")
    output = parse_output(out)
    if amount is None:
        value = find_key(output, amount_from) if output is not None else None
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 0:
            raise MeasureError(f"{' '.join(cmd)}: no positive number '{amount_from}' in its "
                               f"output:\n{out.strip()[-2000:]}")
        amount = value
    result = {"workload": workload, "wall_s": wall, "amount": amount, "unit": unit,
              "rate": amount / wall if wall > 0 else 0.0,
              "peak_rss_kib": usage.ru_maxrss,
              "process_cpu_s": usage.ru_utime + usage.ru_stime,
              "whole_process": True}
    if output is not None:
        result["process_output"] = output
    return result


def main():
    p = argparse.ArgumentParser(usage="%(prog)s --workload ID --unit UNIT "
                                "(--amount N | --amount-from KEY) -- CMD...")
    p.add_argument("--workload", required=True)
    p.add_argument("--unit", required=True)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--amount", type=float)
    g.add_argument("--amount-from")
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    if not cmd:
        p.error("no command given after --")
    try:
        result = measure(cmd, a.workload, a.unit, a.amount, a.amount_from)
    except MeasureError as e:
        print(f"bench/measure_process.py: {e}", file=sys.stderr)
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
