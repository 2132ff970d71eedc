#!/usr/bin/env python3
"""Runs a docs page as a user would: starting from an empty directory, writes every file block and
runs every command block, in page order, and checks each command's exit status and output.

    walkthrough.py PAGE.md WORKDIR [--simsock DIR] [--set TEXT=REPLACEMENT]...
    walkthrough.py --snippets PAGE.md OUT    writes the page's snippet blocks, in order, to OUT

Annotations (HTML comments, invisible on the rendered page) on the line before a fenced block:
    <!-- file: PATH -->              the block is the content of PATH (relative to WORKDIR)
    <!-- run -->                     the block's lines are shell commands; each must exit 0
    <!-- run: exit N -->             ... the last command must exit N
    <!-- run: prints TEXT -->        ... and the block's output must contain TEXT
    <!-- run: in simsock -->         ... in simsock's source tree (--simsock), not in WORKDIR
    (these combine: "<!-- run: exit 1; prints kvsim run kv.yaml --seed 4 -->")
    <!-- snippet -->                 a C++ example for --snippets (a walkthrough skips it): a test
                                     compiles OUT after a prelude of includes, so the page's code
                                     is what runs; #line directives point errors at the page
Commands run with bash in WORKDIR (a `cd` lasts for the rest of the page, as in a terminal).
--set replaces TEXT in every command before it runs (an install prefix the page names, say).
"""
import os
import re
import subprocess
import sys


def blocks(text):
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"\s*<!--\s*(file|run|snippet)\s*:?\s*(.*?)\s*-->\s*$", lines[i])
        if m:
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            k = j + 1
            while k < len(lines) and not lines[k].startswith("```"):
                k += 1
            if j >= len(lines) or k >= len(lines):
                sys.exit(f"line {i + 1}: annotation without a fenced block after it")
            yield j + 2, m.group(1), m.group(2), "\n".join(lines[j + 1:k]) + "\n"
            i = k
        i += 1


def snippets(page, out):
    name = "/".join(os.path.abspath(page).split(os.sep)[-2:])  # docs/PAGE.md
    text = ""
    for line, kind, _, body in blocks(open(page).read()):
        if kind == "snippet":
            text += f'#line {line} "{name}"\n{body}'
    if not text:
        sys.exit(f"{page}: no snippet blocks")
    # Written only when changed, so that the build recompiles only when the page's code changed.
    if not os.path.exists(out) or open(out).read() != text:
        with open(out, "w") as f:
            f.write(text)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--snippets":
        snippets(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    page, work = sys.argv[1], os.path.abspath(sys.argv[2])
    subs = []
    simsock_dir = None
    args = sys.argv[3:]
    while args:
        if args[0] == "--simsock" and len(args) >= 2:
            simsock_dir = args[1]
        elif args[0] == "--set" and len(args) >= 2 and "=" in args[1]:
            subs.append(tuple(args[1].split("=", 1)))
        else:
            sys.exit("usage: walkthrough.py PAGE.md WORKDIR [--simsock DIR] [--set TEXT=NEW]...")
        args = args[2:]
    os.makedirs(work, exist_ok=True)
    if os.listdir(work):
        sys.exit(f"{work} is not empty")
    cwd = work
    ran = 0
    for line, kind, arg, body in blocks(open(page).read()):
        if kind == "snippet":
            continue
        if kind == "file":
            path = os.path.join(cwd, arg)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(body)
            print(f"{page}:{line}: wrote {arg}")
            continue
        want_exit, want_text, here = 0, None, cwd
        for part in filter(None, (p.strip() for p in arg.split(";"))):
            if part.startswith("exit "):
                want_exit = int(part[5:])
            elif part.startswith("prints "):
                want_text = part[7:]
            elif part == "in simsock":
                if simsock_dir is None:
                    sys.exit(f"{page}:{line}: the page runs a command in simsock's tree: --simsock")
                here = simsock_dir
            else:
                sys.exit(f"{page}:{line}: unknown run annotation '{part}'")
        script = body
        for old, new in subs:
            script = script.replace(old, new)
        # Each block runs in one shell; `pwd` at its end is where the next block starts.
        marker = "__walkthrough_cwd__"
        full = f"set -o pipefail\n{script}\nstatus=$?\necho {marker}\"$PWD\"\nexit $status\n"
        # Every command but the last must succeed: run them with -e except the last line.
        cmds = [c for c in script.split("\n") if c.strip() and not c.strip().startswith("#")]
        if len(cmds) > 1:
            head = "\n".join(cmds[:-1])
            full = (f"set -e -o pipefail\n{head}\nset +e\n{cmds[-1]}\nstatus=$?\n"
                    f"echo {marker}\"$PWD\"\nexit $status\n")
        p = subprocess.run(["bash", "-c", full], cwd=here, capture_output=True, text=True)
        out = p.stdout + p.stderr
        if marker in p.stdout:
            where = p.stdout.rsplit(marker, 1)[1].strip()
            out = out.replace(marker + where, "")
            if here == cwd:
                cwd = where
        print(f"{page}:{line}: $ {script.strip()}\n{out.strip()}")
        if p.returncode != want_exit:
            sys.exit(f"{page}:{line}: exit status {p.returncode}, the page says {want_exit}")
        if want_text is not None and want_text not in out:
            sys.exit(f"{page}:{line}: the output does not contain '{want_text}'")
        ran += 1
    if ran == 0:
        sys.exit(f"{page}: no command to run")
    print(f"{page}: {ran} command blocks ran as the page says")


if __name__ == "__main__":
    main()
