"""The page's floor (Chromium 80, Safari 13.4): every file in web/js is ECMAScript 2020 and uses nothing newer."""

import os
import subprocess
from pathlib import Path

from conftest import ROOT

CHECKER = ROOT / "tests" / "page" / "floor.cjs"


def floor(*files):
    return subprocess.run(["node", str(CHECKER), *map(str, files)], capture_output=True, text=True,
                          env=dict(os.environ, NODE_PATH="/usr/share/nodejs"), timeout=60)


def test_every_script_of_the_page_runs_on_the_floor():
    scripts = sorted((ROOT / "web" / "js").glob("*.js"))
    assert scripts
    out = floor(*scripts)
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_check_catches_what_older_phones_cannot_run(tmp_path):
    newer = tmp_path / "newer.js"
    newer.write_text("export const last = (list) => list.at(-1);\n"
                     "export const all = (s) => s.replaceAll('a', 'b');\n"
                     "export const copy = (o) => structuredClone(o);\n"
                     "export const when = (event) => event.at;\n")  # a field named `at` is fine
    syntax = tmp_path / "syntax.js"
    syntax.write_text("let a = null;\na ??= 1;\n")
    lookbehind = tmp_path / "lookbehind.js"
    lookbehind.write_text("export const price = /(?<=¥)\\d+/;\n")
    out = floor(newer, syntax, lookbehind)
    assert out.returncode == 1
    lines = out.stdout.splitlines()
    assert [line.split(": ")[0] for line in lines] == [
        f"{newer}:1", f"{newer}:2", f"{newer}:3", f"{syntax}:2", f"{lookbehind}:1"], out.stdout
