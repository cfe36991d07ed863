"""Run in a process of its own against one data directory (HUHANG_DATA_DIR, DATABASE_URL), with
the real settings, for the backup round trip (test_backup.py):

    python tests/core/backup_probe.py seed FEEDS_DIR   # a document and a feed snapshot
    python tests/core/backup_probe.py observe          # pages, bank file, document: one JSON
    python tests/core/backup_probe.py keys             # key_problems() alone, before any page

`observe` logs in as `bureau` (force_login: the password hasher is not what is tested) and
prints what the installation shows: each page's status and body (the CSRF tokens blanked), the
collected stylesheet's status, the bank file of the last exported orphan-home run and the
attached document (base64), and `key_problems()`.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huhang.settings")

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from huhang.accounts.models import User  # noqa: E402
from huhang.benefits.models import Payee, PayrollRun  # noqa: E402
from huhang.benefits.payroll import bankfile  # noqa: E402
from huhang.benefits.payroll import services as payroll  # noqa: E402
from huhang.core.crypto import key_problems  # noqa: E402
from huhang.registry import services as registry  # noqa: E402
from huhang.registry.models import Document  # noqa: E402
from huhang.screening.feeds.services import feed_import  # noqa: E402

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
_TOKEN = re.compile(r"[A-Za-z0-9]{64}")
_STYLESHEET = re.compile(r'href="(/static/[^"]+\.css)"')


def _payee_child():
    return Payee.objects.order_by("child_id").values_list("child_id", flat=True).first()


def seed(feeds: str) -> None:
    bureau = User.objects.get(username="bureau")
    child = Payee.objects.order_by("child_id").first().child
    registry.document_upload(
        by=bureau,
        child=child,
        kind=Document._meta.get_field("kind").choices[0][0],
        title="户口簿扫描件",
        upload=SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
    )
    call_command("demo_data", feeds=feeds, verbosity=0)
    feed_import(by=bureau, source="assistance", path=os.path.join(feeds, "assistance.csv"))
    # This month's orphan-home run (a draft in the demo), computed and approved: its bank file
    # is what both copies export.
    run = PayrollRun.objects.get(programme_id="orphan-home", status="draft")
    run = payroll.run_compute(by=bureau, run=run)
    payroll.run_approve(by=User.objects.get(username="bureau2"), run=run)


def observe() -> None:
    bureau = User.objects.get(username="bureau")
    client = Client(SERVER_NAME="localhost", raise_request_exception=False)
    client.force_login(bureau)
    child = _payee_child()
    run = (
        PayrollRun.objects.filter(programme_id="orphan-home", status__in=["approved", "exported"])
        .order_by("-month", "-pk")
        .first()
    )
    name = (
        Payee.objects.filter(child_id=child).values_list("child__person__name", flat=True).first()
    )
    urls = [
        "/",
        "/children/",
        f"/children/?q={name}",
        f"/children/{child}/",
        "/inbox/",
        "/reports/",
        f"/benefits/runs/{run.pk}/",
        "/screening/feeds/",
    ]
    pages = {}
    for url in urls:
        response = client.get(url)
        body = response.content.decode() if response.status_code == 200 else ""
        pages[url] = {"status": response.status_code, "body": _TOKEN.sub("TOKEN", body)}
    stylesheet = _STYLESHEET.search(pages["/"]["body"])
    static = client.get(stylesheet.group(1)).status_code if stylesheet else None
    try:
        out = io.BytesIO()
        bankfile.export_run(by=bureau, run=run, fmt="csv", out=out)
        bank = base64.b64encode(out.getvalue()).decode()
    except Exception as exc:  # what the copy does without its key is what is observed
        bank = f"error: {type(exc).__name__}: {exc}"
    document = Document.objects.order_by("pk").last()
    with document.file.open("rb") as fh:
        scan = base64.b64encode(fh.read()).decode()
    json.dump(
        {
            "pages": pages,
            "static": static,
            "bank": bank,
            "document": scan,
            "key_problems": key_problems(),
        },
        sys.stdout,
        ensure_ascii=False,
    )


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed(sys.argv[2])
    elif sys.argv[1] == "keys":
        json.dump({"key_problems": key_problems()}, sys.stdout)
    else:
        observe()
