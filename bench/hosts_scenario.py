#!/usr/bin/env python3
"""Writes the loading workload's scenario file (docs/performance.md): N hosts, each running a UDP
timestamp server, on a default 1 ms network, with one expectation. bench/run times
`simsock-bench load` on it.

    bench/hosts_scenario.py N FILE
"""
import argparse
import sys


def address(i):
    """A distinct IPv4 address for host i: 10.B.C.D with D in 1..250 (up to 16,384,000 hosts)."""
    return f"10.{i // 64000}.{i // 250 % 256}.{i % 250 + 1}"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("hosts", type=int, help="number of hosts (1..16384000)")
    p.add_argument("file", help="where to write the scenario")
    a = p.parse_args()
    if not 1 <= a.hosts <= 250 * 64000:
        p.error(f"hosts: {a.hosts} is out of range (1..16384000)")
    lines = [f"name: load-{a.hosts}-hosts",
             "description: |",
             f"  The loading workload (docs/performance.md): {a.hosts} hosts, each running a UDP",
             "  timestamp server. Written by bench/hosts_scenario.py.",
             "seed: 1",
             "duration: 1s",
             "network:",
             "  default: {latency: 1ms}",
             "hosts:"]
    lines += [f"  - {{name: h{i}, address: {address(i)}}}" for i in range(a.hosts)]
    lines.append("processes:")
    lines += [f"  - {{name: srv{i}, host: h{i}, app: udp-ts-server}}" for i in range(a.hosts)]
    lines += ["expect:", "  - {process: srv0, state: running}", ""]
    try:
        with open(a.file, "w") as f:
            f.write("\n".join(lines))
    except OSError as e:
        print(f"bench/hosts_scenario.py: cannot write {a.file}: {e.strerror}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
