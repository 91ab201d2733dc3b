#!/usr/bin/env python3
"""Measures what common ZIP testers say about every generated hostile case and writes
docs/hazard-comparison.md. Called by scripts/compare-tools.sh, which builds the binaries and
generates the corpus; see that script for usage.

For each archive it runs, each in its own process with a time and memory limit:
  unzip -t FILE            exit code and the first line that says something
  7zz t FILE               exit code and the first error or warning line
  zipfile.ZipFile(FILE).testzip()   None, the bad member's name, or the exception type
  snapshot-verify check --level full --format json FILE   exit code and finding codes
Stdin is /dev/null, so a tester that would ask for a password gets end-of-file instead.
"""

import argparse
import concurrent.futures
import datetime
import json
import os
import platform
import re
import resource
import subprocess
import sys
from pathlib import Path

TIMEOUT = 120  # seconds per tool and file
MEMORY = 4 << 30  # address-space limit per tool process
CELL = 90  # longest tool message kept in a cell

TESTZIP = r"""
import json, sys, zipfile
try:
    with zipfile.ZipFile(sys.argv[1]) as z:
        bad = z.testzip()
    print(json.dumps({"bad": bad}))
except BaseException as e:
    print(json.dumps({"exc": type(e).__name__, "msg": str(e)}))
"""


def limit():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run(argv):
    """(exit code or 'timeout', stdout+stderr as text)."""
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=TIMEOUT, preexec_fn=limit)
    except subprocess.TimeoutExpired as e:
        return "timeout", (e.stdout or b"").decode("utf-8", "backslashreplace")
    return p.returncode, p.stdout.decode("utf-8", "backslashreplace")


def clean(text, path=None):
    """One line, safe in a Markdown table cell: control characters escaped, the archive's own
    path dropped, pipes escaped, shortened."""
    if path:
        text = text.replace(str(path), "FILE").replace(Path(path).name, "FILE")
    text = "".join(c if c.isprintable() else "\\x%02x" % ord(c) if ord(c) < 256 else c for c in text)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > CELL:
        text = text[: CELL - 1].rstrip() + "…"
    return text.replace("|", "\\|").replace("`", "'").replace("*", "\\*").replace("_", "\\_")


UNZIP_NOISE = re.compile(r"^(Archive:|\(attempting to process anyway\)$)")
UNZIP_OK = re.compile(r"^testing: .*\s+OK$")
UNZIP_TESTING = re.compile(r"^testing: (.*?)\s*$")


def unzip_t(path):
    rc, out = run(["unzip", "-t", str(path)])
    lines = [l.strip() for l in out.splitlines()]
    first, current = None, None
    for i, line in enumerate(lines):
        if not line or UNZIP_NOISE.match(line) or UNZIP_OK.match(line):
            continue
        m = UNZIP_TESTING.match(line)
        if m and "  " not in m.group(1).strip():
            current = m.group(1)  # "testing: NAME" with its verdict on the next line
            continue
        if m:
            line = re.sub(r"\s{2,}", ": ", m.group(1), count=1)
        elif current:
            line = f"{current}: {line}"
        if line.endswith(":") and i + 1 < len(lines):
            line = f"{line} {lines[i + 1]}"  # "file #17 (name):" and the reason below it
        first = line
        break
    else:
        if current:
            first = f"{current}: stopped without a message"
    if rc == 0:
        first = None
    line = first or (lines[-1] if rc != 0 and lines else None)
    return {"rc": rc, "flag": rc != 0, "warn": False, "line": clean(line, path) if line else None}


SEVENZ_HEAD = re.compile(r"^(Open )?(ERROR|ERRORS|WARNING|WARNINGS|Warning|Error)\b:?\s*(.*)$")


def sevenz_t(path):
    rc, out = run(["7zz", "t", "-bd", str(path)])
    lines = [l.strip() for l in out.splitlines()]
    names = (str(path), path.name)
    msg = None
    for i, line in enumerate(lines):
        if line.startswith("Enter password"):
            msg = "asks for a password (stdin closed)"
            break
        m = SEVENZ_HEAD.match(line)
        if not m:
            continue
        kind = ("Open " if m.group(1) else "") + m.group(2).upper().rstrip("S")
        rest = m.group(3).strip()
        if rest and rest not in names:
            msg = f"{kind}: {rest}"
            break
        # "ERRORS:" or "ERROR: <archive>" name the problem on a later line
        for nxt in lines[i + 1:]:
            if nxt and nxt not in names:
                msg = nxt if SEVENZ_HEAD.match(nxt) else f"{kind}: {nxt}"
                break
        if msg:
            break
    warned = rc == 0 and msg is not None
    return {"rc": rc, "flag": rc != 0, "warn": warned, "line": clean(msg, path) if msg else None}


def testzip(path):
    rc, out = run([sys.executable, "-c", TESTZIP, str(path)])
    try:
        res = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"flag": True, "warn": False, "text": f"crashed (rc {rc})", "kind": "crash"}
    if "exc" in res:
        return {"flag": True, "warn": False, "text": clean(f"{res['exc']}: {res['msg']}", path), "kind": "exception"}
    if res["bad"] is not None:
        return {"flag": True, "warn": False, "text": clean(f"bad member {res['bad']!r}"), "kind": "bad"}
    return {"flag": False, "warn": False, "text": "None", "kind": "none"}


def snapshot_verify(exe, path):
    rc, out = run([str(exe), "check", "--level", "full", "--format", "json", str(path)])
    try:
        report = json.loads(out)
    except ValueError:
        return {"rc": rc, "flag": rc != 0, "warn": False, "codes": [], "error": clean(out)}
    codes = [(f["code"], f["severity"]) for f in report.get("findings", [])]
    s = report.get("summary", {})
    return {"rc": rc, "flag": rc != 0, "warn": rc == 0 and s.get("warnings", 0) > 0, "codes": codes,
            "errors": s.get("errors", 0), "warnings": s.get("warnings", 0), "infos": s.get("infos", 0)}


def measure(exe, path):
    return {"unzip": unzip_t(path), "7zz": sevenz_t(path), "testzip": testzip(path), "sv": snapshot_verify(exe, path)}


# ---------------------------------------------------------------------------------------------


def parse_index(corpus):
    """file name -> (expected codes, about) from gen-fixtures' INDEX.md."""
    cases = {}
    for line in (corpus / "INDEX.md").read_text().splitlines():
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        if len(cells) == 4 and cells[0].startswith("`hostile-"):
            expect = [c.strip() for c in cells[1].split(",") if c.strip()]
            cases[cells[0].strip("`")] = (expect, cells[3].replace("\\|", "|"))
    return cases


def hazard_titles(doc):
    """'H7' -> 'Hidden / orphan local entries' from zip-hazards.md §3, when the document exists."""
    titles = {}
    if doc and doc.is_file():
        in3 = False
        for line in doc.read_text().splitlines():
            if line.startswith("## "):
                in3 = line.startswith("## 3.")
            m = re.match(r"^\| (\d+) \| \*\*(.+?)\*\*", line) if in3 else None
            if m:
                titles["H" + m.group(1)] = m.group(2)
    return titles


def class_key(cls):
    m = re.match(r"^([A-Z]?)(\d+)(?:\.(\d+))?(.*)$", cls)
    if not m:
        return ("~", 0, 0, cls)
    return (m.group(1) or "~", int(m.group(2)), int(m.group(3) or 0), m.group(4))


def case_class(name):
    m = re.match(r"^hostile-([^-]+)-(.*)\.zip$", name)
    return (m.group(1), m.group(2)) if m else ("?", name)


def tool_cell_unzip(r):
    msg = f": {r['line']}" if r["line"] else ""
    return f"{r['rc']}{msg}"


def tool_cell_7zz(r):
    msg = f": {r['line']}" if r["line"] else ""
    return f"{r['rc']}{msg}"


def tool_cell_testzip(r):
    return r["text"]


SEV = {"error": "E", "warning": "W", "info": "I"}


def tool_cell_sv(r, expect, baseline):
    if "error" in r:
        return f"{r['rc']}: no report ({r['error']})"
    got = {}
    for code, sev in r["codes"]:
        got.setdefault(code, sev)
    parts = []
    for code in expect:
        parts.append(f"**{code}** ✓" if code in got else f"~~{code}~~ ✗ missing")
    order = {"error": 0, "warning": 1, "info": 2}
    others = sorted((c for c in got if c not in expect and c not in baseline), key=lambda c: (order.get(got[c], 3), c))
    if others:
        parts.append(("also " if expect else "") + ", ".join(f"{c} ({SEV.get(got[c], '?')})" for c in others))
    return f"{r['rc']}: " + "; ".join(parts) if parts else f"{r['rc']}"


PY27_DIR = re.compile(r"/: error: invalid compressed data to inflate$")


def py27_note(results):
    """unzip's false alarm on the Python 2.7 writer's directory entries (DEFLATE, 0 bytes)."""
    n = sum(1 for r in results if r["unzip"]["flag"] and PY27_DIR.search(r["unzip"]["line"] or ""))
    if not n:
        return []
    return ["", f"`unzip -t` flags {n} of these only for \"invalid compressed data to inflate\" on a directory "
            "entry: the Python 2.7 writer stores directories as DEFLATE with 0 compressed bytes, which "
            "Python, 7-Zip and restore read as empty (a false alarm, as on `snap-5.1.0-dev-legacy.zip`)."]


def summary_rows(results):
    """Per tool: flagged (non-success), warned with a success exit, silently passed."""
    n = len(results)
    rows = []
    for tool, label in (("unzip", "`unzip -t`"), ("7zz", "`7zz t`"), ("testzip", "`testzip()`"),
                        ("sv", "`snapshot-verify check --level full`")):
        flagged = sum(1 for r in results if r[tool]["flag"])
        warned = sum(1 for r in results if not r[tool]["flag"] and r[tool]["warn"])
        silent = n - flagged - warned
        rows.append(f"| {label} | {flagged} | {warned} | {silent} | {n} |")
    return rows + py27_note(results)


SUMMARY_HEAD = [
    "| tool | flagged (non-success exit, bad member or exception) | success exit, but reported | passed silently | cases |",
    "|---|---:|---:|---:|---:|",
]
TABLE_HEAD = [
    "| class | case | what it is | `unzip -t` | `7zz t` | `testzip()` | snapshot-verify |",
    "|---|---|---|---|---|---|---|",
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--real", type=Path)
    ap.add_argument("--verifier", type=Path, required=True)
    ap.add_argument("--hazards", type=Path)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--commit", default="unknown")
    args = ap.parse_args()

    index = parse_index(args.corpus)
    titles = hazard_titles(args.hazards)
    hostile = sorted(index, key=lambda f: (class_key(case_class(f)[0]), case_class(f)[1]))
    valid = sorted(p.name for p in args.corpus.glob("era-*.zip")) + sorted(p.name for p in args.corpus.glob("genuine-*.zip"))
    real = sorted(p.name for p in args.real.glob("*.zip")) if args.real and args.real.is_dir() else []
    paths = [args.corpus / f for f in hostile + valid] + [args.real / f for f in real]

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        measured = dict(zip(paths, pool.map(lambda p: measure(args.verifier, p), paths)))

    # Codes the unmodified bases of the hostile cases report (their security inventory): shown
    # in a row only where the case expects them. snapshot-verify "reports" a case with a success
    # exit when it names an expected code or any code beyond these.
    baseline = set()
    for base in ("era-L5-5.1.0.zip", "era-N1-7.0.4.zip"):
        r = measured.get(args.corpus / base)
        if r:
            baseline.update(c for c, _ in r["sv"]["codes"])
    for path, r in measured.items():
        expect = set(index.get(path.name, ([], ""))[0]) if path.parent == args.corpus else set()
        sv = r["sv"]
        sv["warn"] = sv["rc"] == 0 and any(c in expect or c not in baseline for c, _ in sv["codes"])

    def version(argv, pick):
        try:
            out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 timeout=30).stdout.decode("utf-8", "replace")
        except OSError:
            return "not found"
        lines = [l.strip() for l in out.splitlines() if l.strip()]
        return next((l for l in lines if pick in l), lines[0] if lines else "?")

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# Hazard comparison: what common ZIP testers say about hostile archives",
        "",
        "<!-- Generated by scripts/compare-tools.sh; do not edit by hand, run the script again. -->",
        "",
        f"Generated by `scripts/compare-tools.sh` on {now} (commit `{args.commit}`), on {platform.system()} "
        f"{platform.machine()}, from the corpus `gen-fixtures` writes ({len(hostile)} hostile cases and "
        f"{len(valid)} valid era samples and genuine writer layouts), plus the real snapshots in `shared/fixtures/real`"
        f"{'' if real else ' (not present on this machine, so not measured)'}.",
        "",
        "Tools measured:",
        "",
        f"- `unzip -t FILE`: {version(['unzip', '-v'], 'UnZip')}",
        f"- `7zz t FILE`: {version(['7zz'], '7-Zip')}",
        f"- `zipfile.ZipFile(FILE).testzip()`: Python {platform.python_version()} (the overlap check of 3.12.2+ is "
        f"{'present' if sys.version_info >= (3, 12, 2) else 'absent in this version'})",
        f"- `snapshot-verify check --level full --format json FILE`: "
        f"{version([str(args.verifier), '--version'], 'snapshot-verify')}",
        "",
        "Each tool runs once per file in its own process with stdin closed (a tester that would prompt for",
        f"a password gets end-of-file), a {TIMEOUT} s time limit and a {MEMORY >> 30} GiB address-space limit.",
        "Cells give the exit code and the first line that says what is wrong (file names replaced by",
        "FILE, long lines shortened). `testzip()` gives `None` (passes), the first bad member, or the",
        "exception raised by `ZipFile()` or `testzip()`. The snapshot-verify cell gives its exit code",
        "(0 ok, 1 errors, 2 could not run), then each code the case expects (**bold ✓** when reported,",
        "~~struck ✗~~ when missing), then any other code with its severity (E, W, I). Codes the",
        "unmodified base snapshots already report (their security inventory: "
        + (", ".join(f"`{c}`" for c in sorted(baseline)) or "none") + ") are left out unless expected.",
        "",
        "\"Flagged\" means a non-success exit code (for `unzip` also its warning exit 1), a bad member or an",
        "exception. \"Success exit, but reported\" means exit 0 with something said about the file: 7-Zip's",
        "`WARNING:` lines, or for snapshot-verify a finding of any severity that the case expects or that",
        "the unmodified base snapshots do not have. \"Passed silently\" is everything else.",
        "",
        "snapshot-verify's severities follow what readers extract (spec §11.7): an **error** when two readers",
        "of the archive (Python's `zipfile` in Cloudify's restore, Info-ZIP, 7-Zip, libarchive, Go, Java,",
        "Node) would extract different bytes for one name or see different sets of entries (different-content",
        "duplicates, a Unicode Path field some readers apply, a name Info-ZIP rewrites, a data descriptor",
        "that disagrees); a **warning** when they all agree and only some platform or tool still differs",
        "(same-content duplicates, Windows-only names, malformed metadata-only extra fields, trailing bytes",
        "no reader extracts). In the ZIP hazard rows, snapshot-verify's \"success exit, but reported\" means the readers agree.",
        "",
    ]

    groups = [
        ("ZIP hazard classes (zip-hazards.md §3) and container rules", lambda c: c.startswith(("H", "A"))),
        ("Cloudify snapshot checklist (spec §9: B metadata, C legacy payload, D new format, S security, "
         "1.2 era)", lambda c: not c.startswith(("H", "A"))),
    ]
    all_results = [measured[args.corpus / f] for f in hostile]
    out += ["## Summary", "", f"### All {len(hostile)} hostile cases", ""] + SUMMARY_HEAD + summary_rows(all_results) + [""]
    for title, pick in groups:
        res = [measured[args.corpus / f] for f in hostile if pick(case_class(f)[0])]
        out += [f"### {title}: {len(res)} cases", ""] + SUMMARY_HEAD + summary_rows(res) + [""]
    sv_missing = [f for f in hostile
                  if any(c not in {x for x, _ in measured[args.corpus / f]["sv"]["codes"]} for c in index[f][0])]
    out += [f"Cases where snapshot-verify misses an expected code: {len(sv_missing)}"
            + (" (" + ", ".join(f"`{f}`" for f in sv_missing) + ")." if sv_missing else "."), ""]
    valid_res = [measured[args.corpus / f] for f in valid]
    out += [f"### Valid era samples and genuine writer layouts (controls, should pass): {len(valid)} files", ""] + SUMMARY_HEAD + summary_rows(valid_res) + [""]
    if real:
        out += [f"### Real snapshots (`shared/fixtures/real`): {len(real)} files", ""] + SUMMARY_HEAD
        out += summary_rows([measured[args.real / f] for f in real]) + [""]

    for title, pick in groups:
        out += [f"## {title}", ""]
        last = None
        rows = []
        for f in hostile:
            cls, name = case_class(f)
            if not pick(cls):
                continue
            r = measured[args.corpus / f]
            expect, about = index[f]
            label = f"{cls}" + (f" {titles[cls]}" if cls in titles and cls != last else "")
            last = cls
            rows.append("| " + " | ".join([
                label, f"`{name}`", about.replace("|", "\\|"),
                tool_cell_unzip(r["unzip"]), tool_cell_7zz(r["7zz"]), tool_cell_testzip(r["testzip"]),
                tool_cell_sv(r["sv"], expect, baseline)]) + " |")
        out += TABLE_HEAD + rows + [""]

    out += ["## Valid era samples (controls)", "",
            "| file | `unzip -t` | `7zz t` | `testzip()` | snapshot-verify |", "|---|---|---|---|---|"]
    for f in valid:
        r = measured[args.corpus / f]
        out.append(f"| `{f}` | {tool_cell_unzip(r['unzip'])} | {tool_cell_7zz(r['7zz'])} | "
                   f"{tool_cell_testzip(r['testzip'])} | {tool_cell_sv(r['sv'], [], baseline)} |")
    out.append("")
    if real:
        out += ["## Real snapshots", "",
                "Codes are listed in full here (no baseline is left out).", "",
                "| file | `unzip -t` | `7zz t` | `testzip()` | snapshot-verify |", "|---|---|---|---|---|"]
        for f in real:
            r = measured[args.real / f]
            out.append(f"| `{f}` | {tool_cell_unzip(r['unzip'])} | {tool_cell_7zz(r['7zz'])} | "
                       f"{tool_cell_testzip(r['testzip'])} | {tool_cell_sv(r['sv'], [], set())} |")
        out.append("")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(out))
    print(f"wrote {args.out}: {len(hostile)} hostile cases, {len(valid)} valid samples, {len(real)} real snapshots")
    for line in ["hostile cases:"] + summary_rows(all_results)[:4]:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
