"""ID numbers encrypted at rest (core.crypto): the column holds ciphertext, `id_index` the blind
index (unique), `id_last` the last digits; the children's search copy keeps the index and the
last digits instead of the number. Existing rows are encrypted in batches."""

from django.db import migrations, models
from django.db.models import Q

import huhang.core.fields
from huhang.core import crypto

BATCH = 2000
LAST = 6


def encrypt_rows(apps, schema_editor):
    Person = apps.get_model("registry", "Person")
    Child = apps.get_model("registry", "Child")
    todo = Person.objects.exclude(id_number=None).exclude(id_number="").order_by("pk")
    last_pk = 0
    while True:
        batch = list(todo.filter(pk__gt=last_pk)[:BATCH])
        if not batch:
            break
        for p in batch:
            clear = p.id_number
            if crypto.is_ciphertext(clear):
                clear = crypto.decrypt_id(clear)
            p.id_index = crypto.blind_index(clear)
            p.id_last = clear[-LAST:]
            p.id_number = crypto.encrypt_id(clear)
        Person.objects.bulk_update(batch, ["id_number", "id_index", "id_last"])
        by_person = {p.pk: p for p in batch}
        children = list(Child.objects.filter(person_id__in=by_person))
        for c in children:
            p = by_person[c.person_id]
            c.search_id, c.search_last = p.id_index, p.id_last
        Child.objects.bulk_update(children, ["search_id", "search_last"])
        last_pk = batch[-1].pk
    # Children whose person has no number: no index.
    Child.objects.filter(person__id_number=None).update(search_id="", search_last="")


def decrypt_rows(apps, schema_editor):
    Person = apps.get_model("registry", "Person")
    Child = apps.get_model("registry", "Child")
    todo = Person.objects.exclude(id_number=None).exclude(id_number="").order_by("pk")
    last_pk = 0
    while True:
        batch = list(todo.filter(pk__gt=last_pk)[:BATCH])
        if not batch:
            break
        for p in batch:
            if crypto.is_ciphertext(p.id_number):
                p.id_number = crypto.decrypt_id(p.id_number)
        Person.objects.bulk_update(batch, ["id_number"])
        by_person = {p.pk: p for p in batch}
        children = list(Child.objects.filter(person_id__in=by_person))
        for c in children:
            c.search_id = by_person[c.person_id].id_number
        Child.objects.bulk_update(children, ["search_id"])
        last_pk = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_key_canary"),
        ("registry", "0002_child_search_fields"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="person", name="person_id_number_format"),
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=models.CharField(
                blank=True, max_length=100, null=True, verbose_name="公民身份号码"
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="id_index",
            field=models.CharField(editable=False, max_length=40, null=True),
        ),
        migrations.AddField(
            model_name="person",
            name="id_last",
            field=models.CharField(blank=True, default="", editable=False, max_length=6),
        ),
        migrations.AlterField(
            model_name="child",
            name="search_id",
            field=models.CharField(default="", editable=False, max_length=40),
        ),
        migrations.AddField(
            model_name="child",
            name="search_last",
            field=models.CharField(default="", editable=False, max_length=6),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
        migrations.AlterField(
            model_name="person",
            name="id_number",
            field=huhang.core.fields.EncryptedIdField(
                blank=True,
                index_field="id_index",
                max_length=100,
                null=True,
                verbose_name="公民身份号码",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="id_index",
            field=huhang.core.fields.BlindIndexField(
                editable=False, max_length=40, null=True, source="id_number", unique=True
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="id_last",
            field=huhang.core.fields.LastDigitsField(
                blank=True, default="", digits=6, editable=False, max_length=6, source="id_number"
            ),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.CheckConstraint(
                condition=Q(id_index__isnull=True, id_number__isnull=True)
                | Q(id_index__isnull=False, id_number__isnull=False),
                name="person_id_number_indexed",
            ),
        ),
    ]
