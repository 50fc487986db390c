#!/usr/bin/env python3
"""Mines the request parameters of KIS's official Python samples (koreainvestment/open-trading-api,
`examples_llm/<category>/<name>/`) into `sample_requests.jsonl`: one line per call a `chk_*.py`
makes, with the endpoint path, the TR ID it selects and every parameter it sends (blanks
included). Facts only (parameter names and values); no sample code is kept.

    python3 kis-client/tests/data/mine_samples.py <checkout-or-git-dir> > kis-client/tests/data/sample_requests.jsonl

Account fields that come from the user's configuration are written as `{"from_config": ...}`
placeholders the test fills with a well-formed account.
"""
import ast
import json
import subprocess
import sys


def git_files(repo):
    out = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "--name-only", "HEAD"],
                         capture_output=True, text=True, check=True).stdout
    return [l for l in out.splitlines() if l.startswith("examples_llm/") and l.endswith(".py")]


def show(repo, path):
    return subprocess.run(["git", "-C", repo, "show", f"HEAD:{path}"],
                          capture_output=True, text=True, check=True).stdout


def lit(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float)):
        return str(node.value)
    return None


def from_config(node):
    """`trenv.my_acct` and friends: the configured account / HTS id."""
    if isinstance(node, ast.Attribute):
        return {"from_config": node.attr}
    return None


def analyse_function(src, name):
    tree = ast.parse(src)
    api_url = None
    for n in tree.body:
        if isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "API_URL" for t in n.targets):
            api_url = lit(n.value)
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef) and fn.name == name:
            defaults = {}
            args = fn.args.args
            for a, d in zip(args[len(args) - len(fn.args.defaults):], fn.args.defaults):
                defaults[a.arg] = lit(d)
            params = None
            trs = []
            for n in ast.walk(fn):
                if isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "params" for t in n.targets) \
                        and isinstance(n.value, ast.Dict):
                    params = []
                    for k, v in zip(n.value.keys, n.value.values):
                        key = lit(k)
                        if key is None:
                            continue
                        if lit(v) is not None:
                            params.append((key, ("lit", lit(v))))
                        elif isinstance(v, ast.Name):
                            params.append((key, ("arg", v.id)))
                        else:
                            params.append((key, ("other", None)))
                if isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "tr_id" for t in n.targets):
                    if lit(n.value):
                        trs.append(lit(n.value))
            return api_url, params, defaults, trs
    return api_url, None, {}, []


def calls(src, name):
    for n in ast.walk(ast.parse(src)):
        if isinstance(n, ast.Call) and getattr(n.func, "id", "") == name:
            kw = {}
            for k in n.keywords:
                if k.arg is None:
                    continue
                v = lit(k.value)
                kw[k.arg] = v if v is not None else from_config(k.value)
            yield kw


def main(repo):
    files = set(git_files(repo))
    for path in sorted(files):
        parts = path.split("/")
        if len(parts) != 4 or not parts[3].startswith("chk_"):
            continue
        name = parts[3][4:-3]
        impl = "/".join(parts[:3] + [name + ".py"])
        if impl not in files:
            continue
        api_url, params, defaults, trs = analyse_function(show(repo, impl), name)
        if not api_url or params is None:
            continue
        for kw in calls(show(repo, path), name):
            env = kw.get("env_dv") or "real"
            out = {}
            ok = True
            for key, (how, v) in params:
                if how == "lit":
                    out[key] = v
                elif how == "arg":
                    val = kw.get(v, defaults.get(v))
                    if val is None:
                        ok = False
                        break
                    out[key] = val
                else:
                    ok = False
                    break
            if not ok:
                continue
            print(json.dumps({"source": "/".join(parts[:3]), "path": api_url, "env": env,
                              "tr_ids": trs, "params": out}, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
