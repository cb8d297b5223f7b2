"""The request limits against a real ``serve`` process: ``fieldrep sync`` splits a push that is
over the server's body limit (FIELDREP_MAX_BODY_BYTES) and gets everything through; a single
change over the limit is one clear line, in English and in Chinese, and the work stays pending.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from server.process import ServerProcess
from tests.sync._harness import ROOT, Laptop, Org, make_customers

pytestmark = pytest.mark.timeout(240)
NOTES = "客户关心交货期和售后服务" * 400  # ~14 KB as UTF-8


def test_fieldrep_sync_splits_pushes_under_a_real_servers_body_limit(tmp_path):
    org = Org.create(tmp_path / "org")
    org.add_territory("East", ["Zhejiang"])
    rep = org.add_rep("Ana", ["East"])
    rows = make_customers(2, "Zhejiang")
    for row in rows:
        row["owner"] = "Ana"
    org.import_customers(rows)
    org.server = ServerProcess.start(org.database_url, env={"FIELDREP_MAX_BODY_BYTES": "60000"})
    try:
        laptop = Laptop(tmp_path / "laptop", rep, org.url).login()
        laptop.cli("sync")
        with laptop.open() as store:
            for n in range(20):  # ~290 KB: one push of all 20 is refused
                store.log_visit(rows[0]["id"], outcome=f"met {n}", notes=NOTES)
        report = json.loads(laptop.cli("sync", "--json"))
        assert report["ok"] and report["applied"] == 20 and report["pending"] == 0, report
        assert " 413 " in org.server.log()  # it was told, then sent smaller pushes
        visits = [v for v in org.export("visits") if v.get("outcome", "").startswith("met ")]
        assert len(visits) == 20

        org.server.env["FIELDREP_MAX_BODY_BYTES"] = "20000"
        org.server.restart()
        with laptop.open() as store:
            store.log_visit(rows[1]["id"], outcome="too long", notes=NOTES * 2)  # ~29 KB
        for lang, words in (("en", "one change is larger than the server accepts (20000 "
                                   "bytes)"),
                            ("zh", "有一条更改超过了服务器接受的大小（20000 字节）")):
            done = subprocess.run([sys.executable, "-m", "tui.cli", "sync", "--lang", lang],
                                  cwd=ROOT, env=laptop.env(), capture_output=True, text=True,
                                  timeout=120)
            assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
            lines = done.stderr.strip().splitlines()
            assert len(lines) == 1 and words in lines[0], done.stderr
        with laptop.open() as store:
            assert store.pending_count() == 1
    finally:
        org.stop()
