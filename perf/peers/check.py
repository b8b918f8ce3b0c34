"""Like-with-like check for perf/compare.sh.

    python check.py deployc=STREAM.yaml tool=STREAM.yaml ...

Parses every multi-document YAML stream (PyYAML) and compares each tool's
set of (kind, metadata.name, metadata.namespace) to the first one's
(deployc's). Prints one line per tool with its object count and the number
of leaf values that differ from deployc's objects (labels' managed-by
ignored: it names the tool), and exits 1 when any set differs.
"""
import sys
from collections import Counter

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(path):
    with open(path, encoding="utf-8") as fh:
        docs = [d for d in yaml.load_all(fh, Loader=Loader) if d is not None]
    objs = {}
    for d in docs:
        md = d.get("metadata", {})
        objs[(d.get("kind"), md.get("name"), md.get("namespace"))] = d
    return docs, objs


def leaves(v, path=()):
    if isinstance(v, dict):
        for k, x in v.items():
            if k == "app.kubernetes.io/managed-by":
                continue
            yield from leaves(x, path + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            yield from leaves(x, path + (i,))
    else:
        yield path, v


def main(argv):
    pairs = [a.split("=", 1) for a in argv]
    (ref_name, ref_path), rest = pairs[0], pairs[1:]
    ref_docs, ref = load(ref_path)
    kinds = Counter(k for k, _, _ in ref)
    print(
        "  %-12s %5d objects (%s)"
        % (ref_name, len(ref_docs), ", ".join("%s %d" % kv for kv in sorted(kinds.items())))
    )
    ok = len(ref) == len(ref_docs)
    for name, path in rest:
        docs, objs = load(path)
        same = set(objs) == set(ref) and len(docs) == len(ref_docs)
        ok &= same
        diff = Counter()
        for key in set(objs) & set(ref):
            a, b = dict(leaves(ref[key])), dict(leaves(objs[key]))
            for p in set(a) | set(b):
                if a.get(p, "<absent>") != b.get(p, "<absent>"):
                    diff[(key[0], ".".join(map(str, p[:1] + p[-1:])))] += 1
        where = ", ".join(
            "%s %s" % (k, f) for (k, f), _ in sorted(diff.items())[:6]
        )
        print(
            "  %-12s %5d objects, same (kind, name) set: %s; leaf values differing from deployc: %d%s"
            % (
                name,
                len(docs),
                "yes" if same else "NO",
                sum(diff.values()),
                " (" + where + (", ..." if len(diff) > 6 else "") + ")" if diff else "",
            )
        )
        if not same:
            missing = sorted(map(str, set(ref) - set(objs)))[:5]
            extra = sorted(map(str, set(objs) - set(ref)))[:5]
            print("    missing:", missing, "extra:", extra)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
