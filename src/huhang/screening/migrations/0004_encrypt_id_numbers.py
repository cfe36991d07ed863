"""ID numbers of leads and link reviews encrypted at rest (core.crypto): ciphertext in the
column, a blind index beside it; a lead's person key keeps the number's blind index
("id:<index>") instead of the number."""

from django.db import migrations, models

import huhang.core.fields
from huhang.core import crypto

BATCH = 2000


def _batches(qs):
    last_pk = 0
    while True:
        batch = list(qs.filter(pk__gt=last_pk).order_by("pk")[:BATCH])
        if not batch:
            return
        yield batch
        last_pk = batch[-1].pk


def encrypt_rows(apps, schema_editor):
    Lead = apps.get_model("screening", "Lead")
    LinkReview = apps.get_model("screening", "LinkReview")
    for batch in _batches(Lead.objects.exclude(id_number="")):
        for lead in batch:
            clear = lead.id_number
            if crypto.is_ciphertext(clear):
                continue
            if lead.person_key == clear:
                lead.person_key = f"id:{crypto.blind_index(clear)}"
            lead.id_index = crypto.blind_index(clear)
            lead.id_number = crypto.encrypt_id(clear)
        Lead.objects.bulk_update(batch, ["id_number", "id_index", "person_key"])
    for batch in _batches(LinkReview.objects.all()):
        for review in batch:
            clear = review.candidate_id_number
            if crypto.is_ciphertext(clear):
                continue
            review.candidate_id_index = crypto.blind_index(clear) or ""
            review.candidate_id_number = crypto.encrypt_id(clear)
        LinkReview.objects.bulk_update(batch, ["candidate_id_number", "candidate_id_index"])


def decrypt_rows(apps, schema_editor):
    Lead = apps.get_model("screening", "Lead")
    LinkReview = apps.get_model("screening", "LinkReview")
    for batch in _batches(Lead.objects.exclude(id_number="")):
        for lead in batch:
            if crypto.is_ciphertext(lead.id_number):
                lead.id_number = crypto.decrypt_id(lead.id_number)
            if lead.person_key.startswith("id:"):
                lead.person_key = lead.id_number
        Lead.objects.bulk_update(batch, ["id_number", "person_key"])
    for batch in _batches(LinkReview.objects.all()):
        for review in batch:
            if crypto.is_ciphertext(review.candidate_id_number):
                review.candidate_id_number = crypto.decrypt_id(review.candidate_id_number)
        LinkReview.objects.bulk_update(batch, ["candidate_id_number"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_key_canary"),
        ("screening", "0003_feed_error_counts"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="linkreview", name="linkreview_row_candidate_unique"),
        migrations.AlterField(
            model_name="lead",
            name="id_number",
            field=models.CharField(blank=True, max_length=100, verbose_name="公民身份号码"),
        ),
        migrations.AlterField(
            model_name="lead", name="person_key", field=models.CharField(max_length=48)
        ),
        migrations.AddField(
            model_name="lead",
            name="id_index",
            field=models.CharField(db_index=True, editable=False, max_length=40, null=True),
        ),
        migrations.AlterField(
            model_name="linkreview",
            name="candidate_id_number",
            field=models.CharField(max_length=100, verbose_name="候选人身份号码"),
        ),
        migrations.AddField(
            model_name="linkreview",
            name="candidate_id_index",
            field=models.CharField(default="", editable=False, max_length=40),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
        migrations.AlterField(
            model_name="lead",
            name="id_number",
            field=huhang.core.fields.EncryptedIdField(
                blank=True, index_field="id_index", max_length=100, verbose_name="公民身份号码"
            ),
        ),
        migrations.AlterField(
            model_name="lead",
            name="id_index",
            field=huhang.core.fields.BlindIndexField(
                db_index=True, editable=False, max_length=40, null=True, source="id_number"
            ),
        ),
        migrations.AlterField(
            model_name="linkreview",
            name="candidate_id_number",
            field=huhang.core.fields.EncryptedIdField(
                index_field="candidate_id_index", max_length=100, verbose_name="候选人身份号码"
            ),
        ),
        migrations.AlterField(
            model_name="linkreview",
            name="candidate_id_index",
            field=huhang.core.fields.BlindIndexField(
                default="",
                editable=False,
                max_length=40,
                null=False,
                source="candidate_id_number",
            ),
        ),
        migrations.AddConstraint(
            model_name="linkreview",
            constraint=models.UniqueConstraint(
                fields=("batch", "row", "candidate_id_index"),
                name="linkreview_row_candidate_unique",
            ),
        ),
    ]
