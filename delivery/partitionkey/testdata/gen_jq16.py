#!/usr/bin/env python3
"""Regenerates jq16_golden.json from jq16_cases.json by running real jq 1.6.

Run from this directory: python3 gen_jq16.py. Each case's expected result
is what Firehose's JQ-1.6 metadata extraction makes of jq's output: an
object whose values are strings (as is), numbers and booleans (as jq
prints them); anything else (no output, several outputs, a non-object,
null/object/array values, a jq error) is an error.
"""
import json, subprocess, sys

ver = subprocess.run(["jq", "--version"], capture_output=True, text=True).stdout.strip()
if ver != "jq-1.6":
    sys.exit("need jq 1.6, found " + ver)

cases = json.load(open("jq16_cases.json"))
out = []
for c in cases:
    prog = "[(%s) | if type == \"object\" then [to_entries[] | [.key, (.value|type), (.value|tojson), .value]] else type end]" % c["query"]
    p = subprocess.run(["jq", "-c", prog], input=c["record"].encode(), capture_output=True)
    res = {"query": c["query"], "record": c["record"]}
    if p.returncode != 0:
        res["error"] = "jq: " + p.stderr.decode(errors="replace").strip()
    else:
        lines = p.stdout.decode().splitlines()
        results = json.loads(lines[0]) if len(lines) == 1 else None
        if results is None:
            res["error"] = "record holds %d JSON values" % len(lines)
        elif len(results) != 1:
            res["error"] = "%d results" % len(results)
        elif not isinstance(results[0], list):
            res["error"] = "result is " + results[0]
        else:
            keys = {}
            for k, typ, text, val in results[0]:
                if typ == "string":
                    keys[k] = val
                elif typ in ("number", "boolean"):
                    keys[k] = text
                else:
                    res["error"] = "key %s is %s" % (k, typ)
            if "error" not in res:
                res["keys"] = keys
    out.append(res)
json.dump(out, open("jq16_golden.json", "w"), indent=1, ensure_ascii=False)
open("jq16_golden.json", "a").write("\n")
