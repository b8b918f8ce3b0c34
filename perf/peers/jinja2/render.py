"""The Jinja2 peer of perf/compare.sh.

    python render.py --stream VALUES.json...      > stream.yaml
    python render.py -o OUT  VALUES.json...

Renders, for every service's values file (deployc-corpus --peer), the
objects deployc renders for it, from the templates beside this file (one
object per template, like the Helm chart), in one process for all services.
--stream prints every Kubernetes object as one multi-document YAML stream
(the Grafana dashboard is not one, so it is only written in folder mode);
-o writes OUT/<service>/<template path>.
"""
import json
import os
import sys

import jinja2
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))


def camel(s):
    return "".join(w[:1].upper() + w[1:] for w in s.split("_"))


def pct(x):
    # 0.06 -> "6": ratio to percent without float noise.
    return "%g" % round(x * 100, 2)


def to_yaml(v):
    return yaml.safe_dump(v, default_flow_style=False, sort_keys=True).rstrip("\n")


def main(argv):
    stream = argv[:1] == ["--stream"]
    if stream:
        files, out = argv[1:], None
    elif argv[:1] == ["-o"]:
        out, files = argv[1], argv[2:]
    else:
        sys.exit("usage: render.py (--stream | -o OUT) VALUES.json...")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(os.path.join(HERE, "templates")),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(
        camel=camel,
        pct=pct,
        dns=lambda s: s.replace("_", "-"),
        q=lambda s: json.dumps(s, ensure_ascii=False),
        yaml=to_yaml,
    )
    names = sorted(n for n in env.list_templates() if not n.startswith("_"))
    templates = [(n, env.get_template(n)) for n in names]
    w = sys.stdout.write
    for f in files:
        with open(f, encoding="utf-8") as fh:
            v = json.load(fh)
        for name, t in templates:
            is_yaml = name.endswith(".yaml")
            if stream and not is_yaml:
                continue
            text = t.render(v=v).strip("\n") + "\n"
            if stream:
                w("---\n")
                w(text)
                continue
            p = os.path.join(out, v["name"], name)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w", encoding="utf-8") as fh:
                fh.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
