"""The programmes and the month calendar come back after anything empties them (a test flush)."""

from __future__ import annotations

from datetime import date

from django.core.management.sql import emit_post_migrate_signal

from huhang.benefits.models import Calendar, Programme


def test_post_migrate_restores_reference_data(db):
    Programme.objects.all().delete()
    Calendar.objects.all().delete()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert set(Programme.objects.values_list("code", flat=True)) == {
        "orphan-home",
        "orphan-institution",
        "dfuc",
        "scholarship",
        "autumn-aid",
    }
    assert Calendar.objects.count() == 1200
    assert Calendar.objects.get(month=date(2026, 9, 1)).school_year_start is True
    assert Calendar.objects.get(month=date(2026, 10, 1)).school_year_start is False
