"""A `jsonnet` command on go-jsonnet (PyPI gojsonnet), for perf/compare.sh.

Debian's `jsonnet` (the C++ implementation, 0.18) runs its std library in
the interpreter: std.manifestYamlDoc of one 1.5 KB object takes seconds, so
a user with many services would run go-jsonnet, whose CLI is the `jsonnet`
most installs ship. No go-jsonnet binary is reachable here, so this is the
CLI's job done over the same evaluator (gojsonnet 0.22.0): the subset of
`jsonnet -S [-m DIR -c] --tla-code-file K=F --tla-str K=V FILE` that the
peer uses. -m writes each field to DIR/<name>, creating directories
(go-jsonnet's -c); otherwise the string goes to stdout.
"""
import json
import os
import sys

import _gojsonnet


def main(argv):
    multi = None
    tla_codes = {}
    tla_vars = {}
    args = iter(argv)
    path = None
    for a in args:
        if a == "-m":
            multi = next(args)
        elif a == "--tla-code-file":
            k, f = next(args).split("=", 1)
            with open(f, encoding="utf-8") as fh:
                tla_codes[k] = fh.read()
        elif a == "--tla-str":
            k, v = next(args).split("=", 1)
            tla_vars[k] = v
        elif a in ("-S", "-c"):
            pass  # always string output; directories always created
        else:
            path = a
    # The binding returns the JSON manifestation; -S (string output) is the
    # CLI's part: decode it, like the CLI does.
    result = json.loads(
        _gojsonnet.evaluate_file(path, tla_codes=tla_codes, tla_vars=tla_vars)
    )
    if multi is None:
        sys.stdout.write(result)
        return
    # -m: every field of the object of strings is one file.
    files = result
    made = set()
    for name, text in files.items():
        p = os.path.join(multi, name)
        d = os.path.dirname(p)
        if d not in made:
            os.makedirs(d, exist_ok=True)
            made.add(d)
        with open(p, "w", encoding="utf-8") as fh:
            fh.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
