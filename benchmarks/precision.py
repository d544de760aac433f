#!/usr/bin/env python3
"""Measure unbounded-lint's precision and recall on a labelled corpus of real packages.

    python benchmarks/precision.py                 # download (once), lint, join, report
    python benchmarks/precision.py --json          # machine-readable report on stdout
    python benchmarks/precision.py --min-confidence medium
    python benchmarks/precision.py --packages rq,huey --show-missed

The corpus is pinned in ``benchmarks/precision_corpus.txt`` (``name==version`` per line).
Each package is downloaded with ``pip download --no-deps --only-binary=:all:
--python-version 3.11`` (the sdist when there is no wheel) into
``benchmarks/.corpus/precision/`` (git-ignored) and unpacked there. The tool is run on
each unpacked tree with the tool's default rules (``--select`` to measure others, such as the
opt-in UBL007 and UBL008), and its findings are joined with the labels
in ``benchmarks/labels/*.jsonl`` on (package, version, path, line, code), where ``path``
is relative to the unpacked package root with ``/`` separators.

Labels (see ``benchmarks/labels/README.md``) are ``leak``, ``bounded`` or ``transient``.

* precision (per rule and overall) = leak / (leak + bounded + transient) over the
  *labelled findings*; unlabelled findings are listed and left out of the ratio.
* recall = labelled leak sites the tool reports / all labelled leak sites (those from
  findings plus the extra recall sites that were labelled without a finding).

Exit status: 0 on success (whatever the numbers), 1 when ``--fail-on-unlabelled`` is
given and some finding has no label, 2 on a usage, download or tool error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Dict, Iterable, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import calibration  # noqa: E402  (sibling module: halves, sample weights, tiers, ablation)

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
DEFAULT_CORPUS_FILE = HERE / "precision_corpus.txt"
DEFAULT_CORPUS_DIR = HERE / ".corpus" / "precision"
DEFAULT_LABELS_DIR = HERE / "labels"
DEFAULT_SPLIT_FILE = HERE / "split.txt"
ALL_CODES = ["UBL001", "UBL002", "UBL003", "UBL004", "UBL005", "UBL006", "UBL007", "UBL008"]
# The rules the tool runs when nothing is configured: the issue's targets are "at the default
# settings", so that is what is measured unless --select says otherwise.
DEFAULT_CODES = ["UBL001", "UBL002", "UBL003", "UBL004", "UBL005", "UBL006"]
LABELS = ("leak", "bounded", "transient")
LABEL_FIELDS = ("package", "version", "path", "line", "code", "label", "reason")

Key = Tuple[str, str, str, int, str]


def norm_name(name: str) -> str:
    """PEP 503 normalisation: 'Python_SocketIO' -> 'python-socketio'."""
    return re.sub(r"[-_.]+", "-", name).lower()


def norm_path(path: str) -> str:
    """Relative POSIX path with no leading './'."""
    p = PurePosixPath(path.replace("\\", "/"))
    parts = [x for x in p.parts if x not in ("", ".")]
    return "/".join(parts)


# --------------------------------------------------------------------------- corpus


@dataclass(frozen=True)
class Pin:
    name: str  # normalised
    version: str

    @property
    def slug(self) -> str:
        return f"{self.name}-{self.version}"


def read_corpus(path: Path) -> List[Pin]:
    pins: List[Pin] = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([A-Za-z0-9][A-Za-z0-9.+!_-]*)", line)
        if not m:
            raise SystemExit(f"{path.name}:{lineno}: expected 'name==version', got {raw!r}")
        pins.append(Pin(norm_name(m.group(1)), m.group(2)))
    return pins


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _pip_download(pin: Pin, dest: Path, binary: bool) -> Optional[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
           "-d", str(dest)]
    if binary:
        cmd += ["--only-binary=:all:", "--python-version", "3.11"]
    else:
        cmd += ["--no-binary=:all:"]
    cmd.append(f"{pin.name}=={pin.version}")
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        log(f"  pip download ({'wheel' if binary else 'sdist'}) failed for {pin.slug}:\n"
            + "\n".join("    " + l for l in proc.stdout.strip().splitlines()[-5:]))
        return None
    for f in sorted(dest.iterdir()):
        fname = norm_name(f.name)
        if fname.startswith(pin.name + "-") and (f.suffix == ".whl" or f.name.endswith((".tar.gz", ".zip", ".tgz"))):
            return f
    return None


def _safe_members_tar(tf: tarfile.TarFile, root: Path) -> List[tarfile.TarInfo]:
    out = []
    for m in tf.getmembers():
        target = (root / m.name).resolve()
        if not str(target).startswith(str(root.resolve())) or m.issym() or m.islnk():
            continue
        out.append(m)
    return out


def _unpack(archive: Path, tree: Path) -> None:
    tmp = tree.with_name(tree.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as zf:
            for member in zf.namelist():
                target = (tmp / member).resolve()
                if not str(target).startswith(str(tmp.resolve())):
                    continue
                zf.extract(member, tmp)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(tmp, members=_safe_members_tar(tf, tmp))
    # An sdist has one top-level directory 'name-version/': make that the package root.
    entries = list(tmp.iterdir())
    if archive.suffix not in (".whl",) and len(entries) == 1 and entries[0].is_dir():
        inner = entries[0]
        final = tree
        if final.exists():
            shutil.rmtree(final)
        inner.rename(final)
        shutil.rmtree(tmp)
    else:
        if tree.exists():
            shutil.rmtree(tree)
        tmp.rename(tree)


def ensure_tree(pin: Pin, corpus_dir: Path, offline: bool) -> Optional[Path]:
    """Return the unpacked package root for ``pin``, downloading it if needed."""
    tree = corpus_dir / pin.slug
    marker = tree / ".unpacked"
    if marker.exists():
        return tree
    if offline:
        log(f"  {pin.slug}: not downloaded and --offline given; skipped")
        return None
    dl = corpus_dir / "_downloads" / pin.slug
    archive = None
    if dl.exists():
        for f in dl.iterdir():
            if norm_name(f.name).startswith(pin.name + "-"):
                archive = f
                break
    if archive is None:
        log(f"  downloading {pin.name}=={pin.version} ...")
        archive = _pip_download(pin, dl, binary=True) or _pip_download(pin, dl, binary=False)
    if archive is None:
        return None
    _unpack(archive, tree)
    marker.write_text(archive.name + "\n", encoding="utf-8")
    return tree


# --------------------------------------------------------------------------- tool


@dataclass
class Finding:
    package: str
    version: str
    path: str
    line: int
    column: int
    code: str
    message: str
    confidence: Optional[str] = None
    heuristics: Tuple[str, ...] = ()

    @property
    def key(self) -> Key:
        return (self.package, self.version, self.path, self.line, self.code)


def run_tool(pin: Pin, tree: Path, codes: List[str], min_confidence: Optional[str],
             extra_args: List[str]) -> List[Finding]:
    # --isolated: the corpus lives inside this repository, whose pyproject.toml must not apply;
    # --no-respect-gitignore: benchmarks/.corpus/ is git-ignored here, the packages are not;
    # --no-cache: a measurement always runs the current engine.
    cmd = [sys.executable, "-m", "unbounded_lint", "--format", "json", "--exit-zero",
           "--isolated", "--no-respect-gitignore", "--no-cache",
           "--select", ",".join(codes)]
    if min_confidence:
        cmd += ["--min-confidence", min_confidence]
    cmd += extra_args
    cmd.append(".")
    env = dict(os.environ)
    src = REPO_ROOT / "src"
    if src.is_dir():  # use the work tree's engine even when it is not installed
        env["PYTHONPATH"] = str(src) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    proc = subprocess.run(cmd, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, env=env)
    if proc.returncode not in (0, 1):
        # 2 may still mean "some file could not be parsed": keep the findings if the JSON is whole.
        log(f"  unbounded-lint exited {proc.returncode} on {pin.slug}: "
            + (proc.stderr.strip().splitlines() or ["(no stderr)"])[-1][:300])
    try:
        data = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError as exc:
        raise RuntimeError(f"unbounded-lint printed no JSON for {pin.slug}: {exc}\n"
                           f"stderr: {proc.stderr[-2000:]}") from None
    if isinstance(data, dict):  # tolerate {"findings": [...]} should the format grow a wrapper
        data = data.get("findings", [])
    out = []
    for item in data:
        p = item["path"]
        if os.path.isabs(p):
            p = os.path.relpath(p, tree)
        out.append(Finding(pin.name, pin.version, norm_path(p), int(item["line"]),
                           int(item.get("column", 0) or 0), item["code"],
                           item.get("message", ""), item.get("confidence"),
                           tuple(item.get("heuristics") or ())))
    return out


# --------------------------------------------------------------------------- labels


@dataclass
class Label:
    package: str
    version: str
    path: str
    line: int
    code: str
    label: str
    reason: str
    source: str  # file:line, for error messages

    @property
    def key(self) -> Key:
        return (self.package, self.version, self.path, self.line, self.code)


def load_labels(labels_dir: Path) -> Tuple[Dict[Key, Label], List[str]]:
    labels: Dict[Key, Label] = {}
    errors: List[str] = []
    for f in sorted(labels_dir.glob("*.jsonl")):
        for lineno, raw in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not raw.strip():
                continue
            where = f"{f.name}:{lineno}"
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                errors.append(f"{where}: invalid JSON: {exc}")
                continue
            missing = [k for k in LABEL_FIELDS if k not in obj]
            if missing:
                errors.append(f"{where}: missing field(s) {', '.join(missing)}")
                continue
            if obj["label"] not in LABELS:
                errors.append(f"{where}: label must be one of {LABELS}, got {obj['label']!r}")
                continue
            if obj["code"] not in ALL_CODES:
                errors.append(f"{where}: unknown code {obj['code']!r}")
                continue
            lab = Label(norm_name(obj["package"]), str(obj["version"]), norm_path(obj["path"]),
                        int(obj["line"]), obj["code"], obj["label"], obj["reason"], where)
            if lab.key in labels:
                errors.append(f"{where}: duplicate of {labels[lab.key].source}")
                continue
            labels[lab.key] = lab
    return labels, errors


# --------------------------------------------------------------------------- report


def ratio(num: int, den: int) -> Optional[float]:
    return num / den if den else None


def fmt(x: Optional[float]) -> str:
    return "   -  " if x is None else f"{x:6.1%}"


@dataclass
class Row:
    findings: int = 0
    labelled: int = 0
    leak: int = 0
    bounded: int = 0
    transient: int = 0
    unlabelled: int = 0
    leaks_total: int = 0  # labelled leak sites (findings + recall sites)
    leaks_found: int = 0

    @property
    def precision(self) -> Optional[float]:
        return ratio(self.leak, self.leak + self.bounded + self.transient)

    @property
    def recall(self) -> Optional[float]:
        return ratio(self.leaks_found, self.leaks_total)

    def as_dict(self) -> Dict[str, Any]:
        d = dict(self.__dict__)
        d["precision"] = self.precision
        d["recall"] = self.recall
        return d


def build_report(pins: List[Pin], findings: List[Finding], labels: Dict[Key, Label],
                 codes: List[str], all_pins: Optional[List[Pin]] = None) -> Dict[str, Any]:
    """Join ``findings`` on the measured ``pins`` with ``labels``.

    ``all_pins`` is the whole corpus: labels of a package in it but not measured this run
    (``--packages``) are skipped quietly; labels of a version not in it are reported stale.
    """
    active = {(p.name, p.version) for p in pins}
    pinned = {(p.name, p.version) for p in (all_pins if all_pins is not None else pins)}
    by_code: Dict[str, Row] = defaultdict(Row)
    by_pkg: Dict[str, Row] = defaultdict(Row)
    by_conf: Dict[str, Row] = defaultdict(Row)
    overall = Row()
    joined: List[Dict[str, Any]] = []
    finding_keys = {f.key for f in findings}
    # Findings on a labelled line under another code: worth knowing when a rule is renumbered.
    labelled_lines = defaultdict(set)
    for lab in labels.values():
        labelled_lines[(lab.package, lab.version, lab.path, lab.line)].add(lab.code)

    unlabelled: List[Dict[str, Any]] = []
    fp: List[Dict[str, Any]] = []
    for f in sorted(findings, key=lambda f: f.key):
        rows = (by_code[f.code], by_pkg[f.package], by_conf[f.confidence or "-"], overall)
        for r in rows:
            r.findings += 1
        lab = labels.get(f.key)
        joined.append({"package": f.package, "version": f.version, "path": f.path,
                       "line": f.line, "column": f.column, "code": f.code,
                       "confidence": f.confidence, "message": f.message,
                       "label": lab.label if lab else None,
                       "reason": lab.reason if lab else None})
        if lab is None:
            for r in rows:
                r.unlabelled += 1
            other = sorted(labelled_lines.get((f.package, f.version, f.path, f.line), ()))
            unlabelled.append({"package": f.package, "version": f.version, "path": f.path,
                               "line": f.line, "column": f.column, "code": f.code,
                               "message": f.message, "confidence": f.confidence,
                               "labelled_as_other_code": other})
            continue
        for r in rows:
            r.labelled += 1
            setattr(r, lab.label, getattr(r, lab.label) + 1)
        if lab.label != "leak":
            fp.append({"package": f.package, "version": f.version, "path": f.path,
                       "line": f.line, "code": f.code, "label": lab.label,
                       "reason": lab.reason, "confidence": f.confidence})

    missed: List[Dict[str, Any]] = []
    stale: List[Dict[str, Any]] = []
    for lab in sorted(labels.values(), key=lambda l: l.key):
        if (lab.package, lab.version) not in active:
            if (lab.package, lab.version) in pinned:
                continue
            stale.append({"package": lab.package, "version": lab.version, "source": lab.source})
            continue
        if lab.code not in codes or lab.label != "leak":
            continue
        rows = (by_code[lab.code], by_pkg[lab.package], overall)
        found = lab.key in finding_keys
        for r in rows:
            r.leaks_total += 1
            r.leaks_found += int(found)
        if not found:
            missed.append({"package": lab.package, "version": lab.version, "path": lab.path,
                           "line": lab.line, "code": lab.code, "reason": lab.reason})

    label_counts = Counter()
    for lab in labels.values():
        if (lab.package, lab.version) in active:
            label_counts[(lab.code, lab.label)] += 1
    stale_sources = sorted({(s["package"], s["version"]) for s in stale})
    return {
        "codes": codes,
        "corpus": [{"package": p.name, "version": p.version} for p in pins],
        "overall": overall.as_dict(),
        "by_code": {c: by_code[c].as_dict() for c in codes if c in by_code},
        "by_package": {p: by_pkg[p].as_dict() for p in sorted(by_pkg)},
        # Recall columns stay 0 here: a missed leak has no confidence.
        "by_confidence": {c: by_conf[c].as_dict() for c in ("high", "medium", "low", "-") if c in by_conf},
        "findings": joined,
        "labels": {f"{c}:{l}": n for (c, l), n in sorted(label_counts.items())},
        "unlabelled": unlabelled,
        "false_positives": fp,
        "missed_leaks": missed,
        "stale_label_versions": [{"package": p, "version": v} for p, v in stale_sources],
    }


def print_table(title: str, rows: Iterable[Tuple[str, Dict[str, Any]]], out) -> None:
    hdr = (f"{title:<18} {'finds':>5} {'lab':>4} {'leak':>4} {'bnd':>4} {'trans':>5} "
           f"{'unlab':>5} {'precision':>9} {'leaks':>5} {'found':>5} {'recall':>7}")
    print(hdr, file=out)
    print("-" * len(hdr), file=out)
    for name, r in rows:
        print(f"{name:<18} {r['findings']:>5} {r['labelled']:>4} {r['leak']:>4} {r['bounded']:>4} "
              f"{r['transient']:>5} {r['unlabelled']:>5} {fmt(r['precision']):>9} "
              f"{r['leaks_total']:>5} {r['leaks_found']:>5} {fmt(r['recall']):>7}", file=out)


def print_report(rep: Dict[str, Any], show_missed: bool, show_fp: bool, out=sys.stdout) -> None:
    print("", file=out)
    rows = [(c, r) for c, r in rep["by_code"].items()] + [("overall", rep["overall"])]
    print_table("rule", rows, out)
    print("", file=out)
    print_table("package", list(rep["by_package"].items()), out)
    print("", file=out)
    if set(rep["by_confidence"]) - {"-"}:
        print_table("confidence", list(rep["by_confidence"].items()), out)
        print("(recall columns are per rule/package only: a missed leak has no confidence)", file=out)
        print("", file=out)
    print("precision = leak / (leak+bounded+transient) over labelled findings; "
          "recall = labelled leaks found / all labelled leaks", file=out)
    if rep["stale_label_versions"]:
        print("labels for versions not in the corpus (ignored): "
              + ", ".join(f"{s['package']}=={s['version']}" for s in rep["stale_label_versions"]),
              file=out)
    if show_fp and rep["false_positives"]:
        print(f"\nfalse positives ({len(rep['false_positives'])}):", file=out)
        for f in rep["false_positives"]:
            print(f"  {f['package']}  {f['path']}:{f['line']}  {f['code']}  [{f['label']}] {f['reason']}",
                  file=out)
    if show_missed and rep["missed_leaks"]:
        print(f"\nlabelled leaks not reported ({len(rep['missed_leaks'])}):", file=out)
        for m in rep["missed_leaks"]:
            print(f"  {m['package']}  {m['path']}:{m['line']}  {m['code']}  {m['reason']}", file=out)
    un = rep["unlabelled"]
    print(f"\nunlabelled findings: {len(un)}", file=out)
    for u in un:
        extra = f"  (labelled as {','.join(u['labelled_as_other_code'])})" if u["labelled_as_other_code"] else ""
        conf = f" [{u['confidence']}]" if u.get("confidence") else ""
        print(f"  {u['package']}=={u['version']}  {u['path']}:{u['line']}  {u['code']}{conf}  "
              f"{u['message']}{extra}", file=out)


# --------------------------------------------------------------------------- main


def lint_all(trees: List[Tuple[Pin, Path]], codes: List[str],
             tool_args: List[str]) -> Optional[List[Finding]]:
    """Every finding at every confidence on every tree, or None after a tool error."""
    out: List[Finding] = []
    for pin, tree in trees:
        log(f"  linting {pin.slug} ...")
        try:
            out += [f for f in run_tool(pin, tree, codes, "low", tool_args) if f.code in codes]
        except RuntimeError as exc:
            log(str(exc))
            return None
    return out


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS_FILE,
                    help="pinned corpus file (default: benchmarks/precision_corpus.txt)")
    ap.add_argument("--corpus-dir", type=Path, default=DEFAULT_CORPUS_DIR,
                    help="where packages are downloaded and unpacked (default: benchmarks/.corpus/precision)")
    ap.add_argument("--labels-dir", type=Path, default=DEFAULT_LABELS_DIR,
                    help="directory of *.jsonl label files (default: benchmarks/labels)")
    ap.add_argument("--packages", default="",
                    help="comma-separated subset of corpus packages to measure")
    ap.add_argument("--select", default=",".join(DEFAULT_CODES),
                    help="codes to run and measure (default: the tool's default rules, "
                         "UBL001-UBL006; opt-in UBL007/UBL008 only when named)")
    ap.add_argument("--min-confidence", choices=("low", "medium", "high"),
                    help="passed through to unbounded-lint")
    ap.add_argument("--tool-arg", action="append", default=[], metavar="ARG",
                    help="extra argument passed to unbounded-lint (repeatable)")
    ap.add_argument("--offline", action="store_true", help="never download; skip missing packages")
    ap.add_argument("--download-only", action="store_true", help="download and unpack, then stop")
    ap.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    ap.add_argument("--show-missed", action="store_true", help="list labelled leaks the tool misses")
    ap.add_argument("--show-fp", action="store_true", help="list findings labelled bounded/transient")
    ap.add_argument("--split", type=Path, default=DEFAULT_SPLIT_FILE,
                    help="tuning/validation split by package (default: benchmarks/split.txt)")
    ap.add_argument("--ablation", action="store_true",
                    help="also run once per heuristic with it turned off and print what each hides")
    ap.add_argument("--fail-on-unlabelled", action="store_true",
                    help="exit 1 when some finding has no label")
    args = ap.parse_args(argv)

    pins = read_corpus(args.corpus)
    if args.packages:
        wanted = {norm_name(p) for p in args.packages.split(",") if p.strip()}
        unknown = wanted - {p.name for p in pins}
        if unknown:
            ap.error(f"not in the corpus: {', '.join(sorted(unknown))}")
        pins = [p for p in pins if p.name in wanted]
    codes = [c.strip().upper() for c in args.select.split(",") if c.strip()]
    bad = [c for c in codes if c not in ALL_CODES]
    if bad:
        ap.error(f"unknown code(s): {', '.join(bad)}")

    corpus_dir = args.corpus_dir.resolve()
    corpus_dir.mkdir(parents=True, exist_ok=True)
    trees: List[Tuple[Pin, Path]] = []
    failed = []
    for pin in pins:
        tree = ensure_tree(pin, corpus_dir, args.offline)
        if tree is None:
            failed.append(pin.slug)
        else:
            trees.append((pin, tree))
    if failed:
        log(f"could not get: {', '.join(failed)}")
    if args.download_only:
        for pin, tree in trees:
            print(f"{pin.slug}\t{tree}")
        return 2 if failed else 0

    labels, errors = load_labels(args.labels_dir)
    for e in errors:
        log(f"label error: {e}")
    if errors:
        return 2

    # One run at the lowest level: a finding's tier says whether a level reports it, so the
    # main tables, the halves and the tiers all come from the same findings.
    level = args.min_confidence or "medium"
    all_findings = lint_all(trees, codes, args.tool_arg)
    if all_findings is None:
        return 2
    findings = [f for f in all_findings if calibration.RANK.get(f.confidence or "medium", 2)
                >= calibration.RANK[level]]

    measured = [p for p, _ in trees]
    rep = build_report(measured, findings, labels, codes, all_pins=read_corpus(args.corpus))
    rep["min_confidence"] = args.min_confidence
    rep["missing_packages"] = failed
    split = calibration.read_split(args.split)
    weights = calibration.read_weights(args.labels_dir / "samples")
    names = [p.name for p in measured]
    halves = calibration.evaluate(all_findings, labels, weights, split, codes, level, names)
    rep["halves"] = halves
    if args.ablation:
        rep["ablation"] = []
        for name in calibration.heuristic_names(all_findings):
            log(f"  ablation: --disable-heuristics {name} ...")
            off = lint_all(trees, codes, args.tool_arg + [f"--disable-heuristics={name}"])
            if off is None:
                return 2
            off_eval = calibration.evaluate(off, labels, weights, split, codes, level, names)
            rep["ablation"].append(calibration.ablation_row(
                name, all_findings, off, labels, split, level, halves, off_eval))
    if args.json:
        json.dump(rep, sys.stdout, indent=2)
        print()
    else:
        print_report(rep, args.show_missed, args.show_fp)
        calibration.print_halves(halves, level, sys.stdout)
        if args.ablation:
            calibration.print_ablation(rep["ablation"], level, sys.stdout)
    if args.fail_on_unlabelled and rep["unlabelled"]:
        return 1
    return 2 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
