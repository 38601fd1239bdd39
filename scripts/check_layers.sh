#!/usr/bin/env bash
# The crate layering of DESIGN.md ("Crate layout"), checked from `cargo metadata`:
#  1. nedra-core and nedra-models do not depend, even transitively, on gdal, gdal-sys,
#     nedra-io or nedra-engine;
#  2. only nedra-cli depends directly on clap or indicatif;
#  3. no library crate (every member but the front ends nedra-cli, nedra-server and
#     nedra-scale) depends, even transitively, on a front end;
#  4. every declared nedra-* dependency is used: `nedra_<name>` appears (outside plain `//`
#     comments) in the crate's src/, tests/, benches/ or examples/ — for a dev-dependency
#     that is its tests, benches, examples or unit tests.
# "Depends" follows normal and build edges (what the library is built with), not dev edges.
# Prints each rule with what it covered; exits 1 listing every violation.
# To see it fail, add a forbidden dependency (e.g. `gdal.workspace = true` under
# crates/core/Cargo.toml's [dependencies]), run `cargo update -w --offline`, then this script;
# `git checkout Cargo.lock crates/core/Cargo.toml` undoes it.
set -euo pipefail
cd "$(dirname "$0")/.."
python=/usr/bin/python3
[ -x "$python" ] || python=python3
exec "$python" - <<'PY'
import json, os, re, subprocess, sys

command = ["cargo", "metadata", "--format-version", "1", "--locked", "--quiet"]
run = subprocess.run(command, stdout=subprocess.PIPE, text=True)
if run.returncode != 0:
    sys.exit(f"layering: `{' '.join(command)}` failed (its error is above): "
             "fix the manifests or Cargo.lock first")
meta = json.loads(run.stdout)
packages = {p["id"]: p for p in meta["packages"]}
members = {packages[i]["name"]: packages[i] for i in meta["workspace_members"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
FRONT_ENDS = {"nedra-cli", "nedra-server", "nedra-scale"}
LOWEST = ["nedra-core", "nedra-models"]
NOT_BELOW_LOWEST = ["gdal", "gdal-sys", "nedra-io", "nedra-engine"]
TERMINAL = ["clap", "indicatif"]
libraries = sorted(m for m in members if m not in FRONT_ENDS)
failures = 0


def report(rule, covered, problems):
    global failures
    status = "ok" if not problems else f"FAILED ({len(problems)})"
    print(f"{status:12} {rule} — {covered}")
    for p in problems:
        print(f"             ✗ {p}")
    failures += len(problems)


def build_graph(member):
    """Every package `member` is built with (normal and build edges, not dev), each with one
    path of package names from the member to it."""
    root = members[member]["id"]
    paths = {root: [member]}
    todo = [root]
    while todo:
        here = todo.pop()
        for dep in nodes[here]["deps"]:
            if all(k["kind"] == "dev" for k in dep["dep_kinds"]):
                continue
            if dep["pkg"] not in paths:
                paths[dep["pkg"]] = paths[here] + [packages[dep["pkg"]]["name"]]
                todo.append(dep["pkg"])
    return {packages[p]["name"]: path for p, path in paths.items()}


# 1. The lowest crates stay free of GDAL and of the crates above them.
problems, sizes = [], []
for lib in LOWEST:
    if lib not in members:
        problems.append(f"{lib} is not a workspace member")
        continue
    graph = build_graph(lib)
    sizes.append(f"{lib}: {len(graph) - 1} crates")
    problems += [f"{lib} depends on {f}: {' -> '.join(graph[f])}"
                 for f in NOT_BELOW_LOWEST if f in graph]
report(f"{' and '.join(LOWEST)} never reach {', '.join(NOT_BELOW_LOWEST)}",
       "build graphs " + ", ".join(sizes), problems)

# 2. Terminal crates belong to the CLI.
problems = [f"{m} depends directly on {d['name']} ({d['kind'] or 'normal'})"
            for m, pkg in sorted(members.items()) if m != "nedra-cli"
            for d in pkg["dependencies"] if d["name"] in TERMINAL]
report(f"only nedra-cli declares {', '.join(TERMINAL)}",
       f"{len(members)} members' declared dependencies", problems)

# 3. Libraries never depend on a front end.
problems = []
for lib in libraries:
    graph = build_graph(lib)
    problems += [f"library {lib} depends on front end {f}: {' -> '.join(graph[f])}"
                 for f in sorted(FRONT_ENDS) if f in graph]
    problems += [f"library {lib} declares front end {d['name']} as a dev-dependency"
                 for d in members[lib]["dependencies"]
                 if d["name"] in FRONT_ENDS and d["kind"] == "dev"]
report(f"no library reaches a front end ({', '.join(sorted(FRONT_ENDS))})",
       f"libraries {', '.join(libraries)}", problems)

# 4. Declared nedra-* dependencies are used.
PLAIN_COMMENT = re.compile(r"(?<!/)//(?![/!]).*")  # not doc comments: they link crates


def rust_files(root, places):
    for place in places:
        path = os.path.join(root, place)
        if os.path.isfile(path):
            yield path
        for dirpath, _, files in os.walk(path):
            yield from (os.path.join(dirpath, f) for f in sorted(files) if f.endswith(".rs"))


def mentioned(root, places, ident):
    word = re.compile(r"\b" + re.escape(ident) + r"\b")
    for path in rust_files(root, places):
        with open(path, encoding="utf-8") as source:
            if any(word.search(PLAIN_COMMENT.sub("", line)) for line in source):
                return True
    return False


problems, checked = [], 0
for member, pkg in sorted(members.items()):
    root = os.path.dirname(pkg["manifest_path"])
    for dep in pkg["dependencies"]:
        if not dep["name"].startswith("nedra-"):
            continue
        checked += 1
        target = members.get(dep["name"])
        lib = next((t["name"] for t in target["targets"] if "lib" in t["kind"]), None) if target else None
        ident = (dep.get("rename") or lib or dep["name"]).replace("-", "_")
        kind = dep["kind"] or "normal"
        places = {"build": ["build.rs"],
                  "dev": ["tests", "benches", "examples", "src"]}.get(
                      kind, ["src", "tests", "benches", "examples", "build.rs"])
        if not mentioned(root, places, ident):
            problems.append(f"{member} declares {dep['name']} ({kind}) but never uses "
                            f"`{ident}` in {', '.join(places)}")
report("every declared nedra-* dependency is used",
       f"{checked} declarations in {len(members)} members", problems)

sys.stdout.flush()
if failures:
    print(f"\nlayering: {failures} violation(s) of DESIGN.md \"Crate layout\"", file=sys.stderr)
    sys.exit(1)
print("layering: ok")
PY
