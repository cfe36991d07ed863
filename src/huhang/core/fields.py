"""Model field helpers shared by the apps."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FieldError
from django.db import models
from django.db.models import lookups
from django.db.models.expressions import Col

from huhang.core import crypto


def user_fk(label=None, **kwargs) -> models.ForeignKey:
    """Who did something: a user kept by PROTECT (users are deactivated, never deleted)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        on_delete=models.PROTECT,
        related_name="+",
        **kwargs,
    )


def actor_fk(label=None, *, blank: bool = True) -> models.ForeignKey:
    """Who did something, where the record outlives the user's row: emptied (SET_NULL) if the
    user is ever deleted; the audit trail keeps the name."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        null=True,
        blank=blank,
        on_delete=models.SET_NULL,
        related_name="+",
    )


def optional_fk(
    to: Any, label=None, *, related_name: str | None = None, on_delete: Any = models.PROTECT
) -> models.ForeignKey:
    """A link that may be empty (null in the database, optional in forms); what it points to is
    kept by PROTECT unless `on_delete` says otherwise."""
    return models.ForeignKey(
        to,
        verbose_name=label,
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name=related_name,
    )


def division_fk(label, *, related_name: str | None = None) -> models.ForeignKey:
    """Where a record stands in the division tree, which decides who sees it (core.scope); a
    division with records is kept (PROTECT)."""
    return models.ForeignKey(
        "regions.Division", verbose_name=label, on_delete=models.PROTECT, related_name=related_name
    )


# -------------------------------------------------------------------------------------------------
# Encrypted ID numbers (core.crypto)
# -------------------------------------------------------------------------------------------------


class EncryptedIdField(models.CharField):
    """An ID number stored encrypted (AES-256-GCM or SM4-GCM, core.crypto); Python code reads
    and writes the clear number through the attribute as before.

    The column holds ciphertext, so it cannot be compared: `exact` and `in` lookups
    (`filter(id_number=...)`, `person__id_number__in=[...]`) are rewritten to the blind index
    column named by `index_field` (a BlindIndexField of the same model), under every known key
    while a rotation is under way. Other text lookups are refused. Raw SQL sees ciphertext;
    decrypt with core.crypto.decrypt_id where a full number is shown or exported."""

    def __init__(self, *args: Any, index_field: str = "id_index", **kwargs: Any) -> None:
        self.index_field = index_field
        kwargs.setdefault("max_length", 100)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["index_field"] = self.index_field
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return crypto.decrypt_id(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value or crypto.is_ciphertext(value):
            return value
        return crypto.encrypt_id(value)

    def formfield(self, **kwargs):
        kwargs.setdefault("max_length", 18)
        return super().formfield(**kwargs)

    def get_lookup(self, lookup_name):
        if lookup_name in ("exact", "in", "isnull"):
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"an encrypted ID number cannot be searched with `{lookup_name}`: use the blind index "
            "(exact) or the stored last digits"
        )


class BlindIndexField(models.CharField):
    """The keyed hash of another field's clear value (core.crypto.blind_index), set on every
    save from `source`: what exact lookups and unique constraints use."""

    def __init__(self, *args: Any, source: str = "id_number", **kwargs: Any) -> None:
        self.source = source
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("null", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["null"] = self.null  # explicit: the default here is not Field's
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = crypto.blind_index(getattr(model_instance, self.source) or None)
        if value is None and not self.null:
            value = ""
        setattr(model_instance, self.attname, value)
        return value


class LastDigitsField(models.CharField):
    """The last `digits` characters of another field's clear value, kept apart for the
    "last digits" search (they are shown by the mask anyway)."""

    def __init__(self, *args: Any, source: str = "id_number", digits: int = 4, **kwargs: Any):
        self.source, self.digits = source, digits
        kwargs.setdefault("max_length", digits)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"], kwargs["digits"] = self.source, self.digits
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = (getattr(model_instance, self.source) or "")[-self.digits :]
        setattr(model_instance, self.attname, value)
        return value


def _index_col(lhs):
    field = lhs.output_field
    target = field.model._meta.get_field(field.index_field)
    return Col(lhs.alias, target, target)


@EncryptedIdField.register_lookup
class BlindExact(lookups.Exact):
    """`id_number=value` → `id_index IN (index under each known key)`."""

    lookup_name = "exact"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        value = self.rhs
        if not isinstance(value, str):
            raise FieldError("an encrypted ID number can only be compared with a string")
        if value == "":
            return compiler.compile(lookups.Exact(self.lhs, ""))
        col = _index_col(self.lhs)
        return compiler.compile(lookups.In(col, crypto.blind_indexes(value)))


@EncryptedIdField.register_lookup
class BlindIn(lookups.In):
    """`id_number__in=[...]` → `id_index IN (each value's index under each known key)`."""

    lookup_name = "in"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        values = [v for v in self.rhs if v]
        if not all(isinstance(v, str) for v in values):
            raise FieldError("an encrypted ID number can only be compared with strings")
        col = _index_col(self.lhs)
        indexes = [i for v in values for i in crypto.blind_indexes(v)]
        if not indexes:
            raise EmptyResultSet
        return compiler.compile(lookups.In(col, indexes))
