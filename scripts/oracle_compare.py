#!/usr/bin/env python3
"""Compares the restore oracle's runs with snapshot-verify's predictions (scripts/oracle-check.sh).

usage: oracle_compare.py DIR EXPECTATIONS.toml [PASS,PASS...]

DIR holds, per pass P (7.0.4, 7.0.0, 6.4.2, 5.1.0, 7.0.4-k8s), `oracle-P.jsonl` (one JSON object
per fixture, from restore_oracle.py) and `ours-P.json` (the array `snapshot-verify check --format
json --target-version ...` prints). For every fixture and pass:

* the oracle's outcome: `refused`, `aborts` (new path, exception), `restores-nothing` (new path,
  nothing handed to any restore call), `partial` (new path: tenants not restored, files dropped,
  archives missing, or, for an archive that is not N1, files skipped as unexpected) or `passes`
  (it restores; on the legacy path: passes validation, since the oracle stops at the database
  stage).
* ours: `snapshot.compatibility.target` (`restore_path`, `outcome`, `restorable`).

Rules (each failure is one line; exit 1 if any):
  LAXER     the oracle does not restore, we say restorable: never allowed.
  PATH      the oracle took another restore path than we predict (fixtures listed in
            [path_differs] are allowed as a whole: everything after the route follows from it).
  OUTCOME   both say not restorable, we modelled a failure (outcome is not `restores`) of another
            kind than the oracle's (`refused` and `aborts` are one class on the legacy path).
  STRICTER  the oracle restores (or passes validation), we say not restorable, and one of our
            error codes is not in [stricter] of the expectations file (codes whose consequence the
            oracle cannot see, or that the verifier fails by design), each with its reason.
  ORACLE    the oracle crashed on a fixture not listed in [oracle_errors].
"""

import json
import os
import sys
import tomllib

PASSES = ["7.0.4", "7.0.0", "6.4.2", "5.1.0", "7.0.4-k8s"]


def oracle_outcome(o, era):
    if o.get("oracle_error"):
        return "oracle-error"
    if o.get("path") == "new" and o.get("exception"):
        return "aborts"
    if o.get("refused"):
        return "refused"
    if o.get("path") == "new":
        if not o.get("restored") and not o.get("ui_restores"):
            return "restores-nothing"
        # A deployment's working-directory archive is optional: Cloudify's dump leaves it out when
        # the directory is empty and restore then creates an empty one (snapshot_restore.py
        # _get_associated_archive), so its absence loses nothing the archive could hold. We report
        # it as `deployment-archive-missing` (info, D8a); every other missing archive is a loss.
        missing = [a for a in o.get("archives_missing") or [] if "/deployments/" not in a]
        lost = o.get("tenants_not_restored") or o.get("dropped_silently") or missing
        if lost or (o.get("ignored_files") and era != "N1"):
            return "partial"
        return "passes"
    if o.get("exception"):
        return "refused"
    return "passes"


def load(d, p):
    oracle = {}
    with open(os.path.join(d, f"oracle-{p}.jsonl")) as f:
        for line in f:
            if line.strip():
                o = json.loads(line)
                oracle[os.path.basename(o["file"])] = o
    with open(os.path.join(d, f"ours-{p}.json")) as f:
        reports = json.load(f)
    if isinstance(reports, dict):
        reports = [reports]
    ours = {os.path.basename(r["file"]["name"]): r for r in reports}
    return oracle, ours


def compare(name, o, r, exp):
    """Returns (kind, detail): kind is AGREE, ALLOWED or a failure kind."""
    snap = r.get("snapshot") or {}
    era = (snap.get("era") or {}).get("id")
    got = oracle_outcome(o, era)
    if got == "oracle-error":
        if name in exp.get("oracle_errors", {}):
            return "ALLOWED", "oracle crashed (listed)"
        return "ORACLE", f"oracle crashed: {o.get('exception')}"
    t = (snap.get("compatibility") or {}).get("target")
    errors = sorted({f["code"] for f in r.get("findings", []) if f["severity"] == "error"})
    restorable = bool(t and t["restorable"])
    ours_outcome = t.get("outcome") if t else None
    path = o.get("path")
    if name in exp.get("path_differs", {}):
        # Our route is known to be wrong here (listed with the reason); what follows from it is too.
        return "ALLOWED", "restore path differs (listed)"
    if t and path and t["restore_path"] != path:
        return "PATH", f"oracle path {path}, ours {t['restore_path']}"
    if got != "passes":
        if restorable:
            return "LAXER", f"oracle {got}, ours restorable ({ours_outcome})"
        if ours_outcome and ours_outcome != "restores" and ours_outcome != got:
            same_class = {ours_outcome, got} <= {"refused", "aborts"} and path == "legacy"
            if not same_class and name not in exp.get("outcome_differs", {}):
                return "OUTCOME", f"oracle {got}, ours {ours_outcome}"
        return "AGREE", f"not restorable ({got})"
    if restorable:
        return "AGREE", "restores"
    allowed = exp.get("stricter", {})
    unexplained = [c for c in errors if c not in allowed]
    if not unexplained:
        return "ALLOWED", f"stricter: {', '.join(errors)}"
    return "STRICTER", f"oracle restores, ours not restorable ({ours_outcome}); errors {errors}"


def main():
    d, exp_path = sys.argv[1], sys.argv[2]
    passes = sys.argv[3].split(",") if len(sys.argv) > 3 else PASSES
    with open(exp_path, "rb") as f:
        exp = tomllib.load(f)
    failures = []
    for p in passes:
        oracle, ours = load(d, p)
        missing = sorted(set(oracle) ^ set(ours))
        if missing:
            failures.append(f"{p}: fixtures without both results: {missing}")
        counts = {}
        era_agree = era_total = 0
        for name in sorted(set(oracle) & set(ours)):
            kind, detail = compare(name, oracle[name], ours[name], exp)
            counts[kind] = counts.get(kind, 0) + 1
            if name.startswith("era-"):
                era_total += 1
                era_agree += kind == "AGREE"
            if kind not in ("AGREE", "ALLOWED"):
                failures.append(f"{p:10} {kind:9} {name}: {detail}")
        total = sum(counts.values())
        print(
            f"{p:10} {counts.get('AGREE', 0)}/{total} agree, {counts.get('ALLOWED', 0)} allowed differences, "
            f"{total - counts.get('AGREE', 0) - counts.get('ALLOWED', 0)} failures; era fixtures {era_agree}/{era_total} agree"
        )
    if failures:
        print("\n".join(failures))
        print(f"restore oracle: {len(failures)} unexplained disagreements (see {exp_path})")
        return 1
    print("restore oracle: every prediction agrees or is an allowed difference")
    return 0


if __name__ == "__main__":
    sys.exit(main())
