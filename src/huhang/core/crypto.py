"""Field encryption: bank accounts (Fernet) and ID numbers (AES-256-GCM, or SM4-GCM with 国密).

One master key, HUHANG_FIELD_KEY (or HUHANG_FIELD_KEY_FILE): a Fernet key (32 random bytes,
urlsafe base64). Bank accounts are Fernet tokens under it. ID numbers use keys derived from it
(HKDF) per suite:

- ``aes`` (default): AES-256-GCM for the number, HMAC-SHA256 for its blind index;
- ``sm`` (HUHANG_CRYPTO=sm, 国密): SM4-GCM for the number, HMAC-SM3 for its blind index.

A ciphertext reads ``<suite>1.<key id>.<base64 nonce+ciphertext+tag>``: the key id names the
(master key, suite) pair that wrote it, so a value written before a rotation still decrypts
while HUHANG_FIELD_KEYS_OLD holds the previous key, and `huhang keys rotate` knows what is left
to re-encrypt. The blind index (a keyed hash) answers exact lookups and uniqueness without
decrypting; the last digits are kept apart for the "last digits" search.

Keys are never generated when encrypted data exists. The database keeps a canary (core.KeyCanary:
a known text encrypted with the key in use); `key_problems()` says, without generating anything,
whether the configured key is missing or is not the one the data was written with, and
`encrypt_id()` refuses to write with any other key. In production the key must come from the
environment or a file outside the data directory; in development, with no encrypted data yet, one
is generated once in the data directory.
"""

from __future__ import annotations

import base64
import hashlib
import hmac as py_hmac
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as c_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from huhang.core.env import env_str

SUITES = ("aes", "sm")
KEY_FILE_NAME = "field_key"
CANARY_TEXT = "huhang-field-key-canary"
_TAG = 16
_NONCE = 12
_AAD = b"huhang id_number v1"


class KeyMismatch(Exception):
    """The field key is missing, or is not the key the data was encrypted with."""


@dataclass(frozen=True)
class SuiteKey:
    """The keys one (master key, suite) pair derives."""

    suite: str
    kid: str  # 8 hex characters, written in front of every ciphertext
    enc: bytes  # 32 bytes for AES-256-GCM, 16 for SM4
    mac: bytes  # 32 bytes: HMAC-SHA256 or HMAC-SM3


def _derive(master: bytes, suite: str) -> SuiteKey:
    def hkdf(info: str, length: int) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info.encode()).derive(
            master
        )

    kid = hkdf(f"huhang/{suite}/key-id", 4).hex()
    enc = hkdf(f"huhang/{suite}/id-enc", 32 if suite == "aes" else 16)
    return SuiteKey(suite=suite, kid=kid, enc=enc, mac=hkdf(f"huhang/{suite}/id-index", 32))


def _master_bytes(key: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(key.encode())
    except (ValueError, TypeError) as exc:
        raise KeyMismatch("HUHANG_FIELD_KEY is not a Fernet key (urlsafe base64)") from exc
    if len(raw) != 32:
        raise KeyMismatch("HUHANG_FIELD_KEY must be 32 bytes in urlsafe base64 (a Fernet key)")
    return raw


# -------------------------------------------------------------------------------------------------
# Where the keys come from
# -------------------------------------------------------------------------------------------------


def _key_file() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE_NAME


def _configured_key() -> str:
    """The current master key as configured, "" when none is (never generates)."""
    key = env_str("HUHANG_FIELD_KEY", "").strip()
    if key:
        return key
    path = _key_file()
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    return ""


def _old_keys() -> list[str]:
    raw = env_str("HUHANG_FIELD_KEYS_OLD", "")
    return [k.strip() for k in raw.replace("\n", ",").split(",") if k.strip()]


def suite() -> str:
    return "sm" if getattr(settings, "HUHANG_CRYPTO", "aes") == "sm" else "aes"


@dataclass(frozen=True)
class Keyring:
    current: SuiteKey
    by_kid: dict[str, SuiteKey]
    fernet: MultiFernet
    current_fernet: Fernet

    def lookup_keys(self) -> list[SuiteKey]:
        """Every key whose blind index a lookup must try: the current one first."""
        return [self.current, *(k for k in self.by_kid.values() if k.kid != self.current.kid)]


_lock = threading.Lock()
_keyring: Keyring | None = None
_verified: set[str] = set()  # key ids whose canary this process has checked


def reset() -> None:
    """Forget the loaded keys and canary checks (after the environment changed; tests)."""
    global _keyring
    with _lock:
        _keyring = None
        _verified.clear()
    _legacy_fernet.cache_clear()


def _build_keyring(current_key: str) -> Keyring:
    masters = [current_key, *(k for k in _old_keys() if k != current_key)]
    by_kid: dict[str, SuiteKey] = {}
    for master in masters:
        raw = _master_bytes(master)
        for name in SUITES:
            derived = _derive(raw, name)
            by_kid.setdefault(derived.kid, derived)
    current = _derive(_master_bytes(current_key), suite())
    fernets = [Fernet(m.encode()) for m in masters]
    return Keyring(
        current=current, by_kid=by_kid, fernet=MultiFernet(fernets), current_fernet=fernets[0]
    )


def keyring() -> Keyring:
    """The loaded keys. Without a configured key, one is generated only in development and only
    while the database holds no encrypted data; otherwise this raises KeyMismatch."""
    global _keyring
    if _keyring is not None:
        return _keyring
    with _lock:
        if _keyring is None:
            key = _configured_key()
            if not key:
                key = _generate_first_key()
            _keyring = _build_keyring(key)
        return _keyring


def _generate_first_key() -> str:
    if getattr(settings, "PRODUCTION", False):
        raise KeyMismatch(
            "no field key: set HUHANG_FIELD_KEY or HUHANG_FIELD_KEY_FILE (outside the data "
            "directory) in production"
        )
    if _encrypted_data_exists():
        raise KeyMismatch(
            "no field key, but the database holds encrypted data: restore HUHANG_FIELD_KEY "
            "(or the data directory's field_key) from the backup; a new key would not read it"
        )
    from huhang.core.env import persistent_secret

    return persistent_secret(_key_file(), value=Fernet.generate_key().decode())


# -------------------------------------------------------------------------------------------------
# Bank accounts (Fernet)
# -------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _legacy_fernet() -> MultiFernet:
    return keyring().fernet


def encrypt(text: str) -> str:
    """A bank account (or other short text) as a Fernet token under the current key."""
    verify_current_key()
    return _legacy_fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _legacy_fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong HUHANG_FIELD_KEY for this data") from exc


def rotate_token(token: str) -> str:
    """A Fernet token re-encrypted under the current key (MultiFernet.rotate)."""
    return _legacy_fernet().rotate(token.encode()).decode()


# -------------------------------------------------------------------------------------------------
# ID numbers: AES-256-GCM / SM4-GCM, blind index
# -------------------------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _aesgcm(enc: bytes) -> AESGCM:
    return AESGCM(enc)


def _seal(key: SuiteKey, plain: bytes) -> str:
    nonce = os.urandom(_NONCE)
    if key.suite == "aes":
        body = _aesgcm(key.enc).encrypt(nonce, plain, _AAD)
    else:
        enc = Cipher(algorithms.SM4(key.enc), modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(_AAD)
        body = enc.update(plain) + enc.finalize() + enc.tag
    return f"{key.suite[0]}1.{key.kid}.{base64.urlsafe_b64encode(nonce + body).decode()}"


def _open(key: SuiteKey, blob: bytes) -> bytes:
    nonce, body = blob[:_NONCE], blob[_NONCE:]
    if key.suite == "aes":
        return _aesgcm(key.enc).decrypt(nonce, body, _AAD)
    dec = Cipher(algorithms.SM4(key.enc), modes.GCM(nonce, body[-_TAG:])).decryptor()
    dec.authenticate_additional_data(_AAD)
    return dec.update(body[:-_TAG]) + dec.finalize()


def is_ciphertext(value: str | None) -> bool:
    return value is not None and len(value) > 12 and value[1:3] == "1." and value[11:12] == "."


def key_id_of(token: str) -> str:
    return token[3:11]


def encrypt_id(value: str) -> str:
    """An ID number (or any short text) encrypted under the current key; refuses when the
    database's data was encrypted with another key (see key_problems)."""
    verify_current_key()
    return _seal(keyring().current, value.encode())


def decrypt_id(token: str) -> str:
    if not is_ciphertext(token):
        raise ValueError("not an encrypted value")
    ring = keyring()
    key = ring.by_kid.get(key_id_of(token))
    if key is None:
        raise KeyMismatch(
            f"cannot decrypt: the value was encrypted with key id {key_id_of(token)}, which is "
            "neither HUHANG_FIELD_KEY nor in HUHANG_FIELD_KEYS_OLD"
        )
    try:
        return _open(key, base64.urlsafe_b64decode(token[12:].encode())).decode()
    except (InvalidTag, ValueError) as exc:
        raise KeyMismatch("cannot decrypt: the value does not authenticate") from exc


def _mac(key: SuiteKey, value: str) -> str:
    if key.suite == "aes":
        return py_hmac.new(key.mac, value.encode(), hashlib.sha256).hexdigest()[:40]
    h = c_hmac.HMAC(key.mac, hashes.SM3())
    h.update(value.encode())
    return h.finalize().hex()[:40]


def blind_index(value: str | None) -> str | None:
    """The keyed hash that stands for `value` in exact lookups and unique constraints."""
    if not value:
        return None
    return _mac(keyring().current, value)


def blind_indexes(value: str) -> list[str]:
    """The blind index of `value` under every known key (current first): what a lookup matches
    while a rotation is under way."""
    return [_mac(k, value) for k in keyring().lookup_keys()]


def reencrypt_id(token: str) -> str:
    """The same value under the current key (unchanged when it already is)."""
    if key_id_of(token) == keyring().current.kid:
        return token
    return encrypt_id(decrypt_id(token))


# -------------------------------------------------------------------------------------------------
# The canary, key problems
# -------------------------------------------------------------------------------------------------


def _canary():
    from huhang.core.models import KeyCanary

    return KeyCanary.objects.filter(pk=1).first()


def encrypted_fields() -> Iterable[tuple[Any, str]]:
    """(model, field name) of every encrypted ID column (core.fields.EncryptedIdField)."""
    from django.apps import apps

    from huhang.core.fields import EncryptedIdField

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedIdField):
                yield model, field.name


def _migrated() -> bool:
    from django.db import connection

    from huhang.core.health import missing_database
    from huhang.core.models import KeyCanary

    if missing_database() is not None:  # connecting would create an empty database file
        return False
    return KeyCanary._meta.db_table in connection.introspection.table_names()


def _encrypted_data_exists() -> bool:
    if not _migrated():
        return False
    if _canary() is not None:
        return True
    # Ciphertext, not clear numbers (a database from before the encryption has those).
    from django.db import connection

    qn = connection.ops.quote_name
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for model, name in encrypted_fields():
            if model._meta.db_table not in tables:
                continue
            column = qn(model._meta.get_field(name).column)
            cursor.execute(
                f"SELECT 1 FROM {qn(model._meta.db_table)} WHERE {column} LIKE %s LIMIT 1",
                ["_1.%"],
            )
            if cursor.fetchone():
                return True
    return False


def verify_current_key() -> None:
    """Refuse to encrypt with a key other than the one the data was written with. The first
    encryption in an empty database writes the canary."""
    ring = keyring()
    kid = ring.current.kid
    if kid in _verified:
        return
    from huhang.core.models import KeyCanary

    canary = _canary()
    if canary is None:
        KeyCanary.objects.get_or_create(
            pk=1, defaults={"key_id": kid, "token": _seal(ring.current, CANARY_TEXT.encode())}
        )
        canary = _canary()
    problem = _canary_problem(canary, ring) if canary is not None else None
    if problem:
        raise KeyMismatch(problem)
    _verified.add(kid)


def _canary_problem(canary, ring: Keyring) -> str | None:
    kid = ring.current.kid
    if canary.key_id == kid:
        try:
            if _open(ring.current, base64.urlsafe_b64decode(canary.token[12:])) == (
                CANARY_TEXT.encode()
            ):
                return None
        except (InvalidTag, ValueError):
            pass
        return f"wrong field key: key id {kid} does not decrypt the database's canary"
    if canary.key_id in ring.by_kid:
        return (
            f"the data is encrypted with key id {canary.key_id}, not the current key "
            f"{kid}: run `huhang keys rotate` (keeping the previous key in HUHANG_FIELD_KEYS_OLD)"
        )
    return (
        f"wrong or missing field key: the data was encrypted with key id {canary.key_id}; the "
        f"configured key is {kid}. Restore HUHANG_FIELD_KEY from the backup"
    )


def set_canary(ring: Keyring | None = None) -> None:
    """Make the canary say that the data is (being) encrypted with the current key."""
    from huhang.core.models import KeyCanary

    ring = ring or keyring()
    token = _seal(ring.current, CANARY_TEXT.encode())
    KeyCanary.objects.update_or_create(pk=1, defaults={"key_id": ring.current.kid, "token": token})
    _verified.discard(ring.current.kid)


def _inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
    except ValueError:
        return False
    return True


def key_problems() -> list[str]:
    """What is wrong with the field key, one line each (empty when it is usable), without ever
    generating one: for `huhang check` and /healthz."""
    problems: list[str] = []
    production = getattr(settings, "PRODUCTION", False)
    data_dir = Path(settings.DATA_DIR)
    key = env_str("HUHANG_FIELD_KEY", "").strip()
    file_name = os.environ.get("HUHANG_FIELD_KEY_FILE", "")
    if production and file_name and _inside(Path(file_name), data_dir):
        problems.append(
            "HUHANG_FIELD_KEY_FILE is inside the data directory: keep the key apart from the "
            "data (and from its backups)"
        )
    if not key:
        if production:
            problems.append("no field key: set HUHANG_FIELD_KEY or HUHANG_FIELD_KEY_FILE")
            return problems
        if _key_file().exists():
            key = _key_file().read_text(encoding="utf-8").strip()
    canary = _canary() if _migrated() else None  # not migrated yet: nothing is encrypted
    if not key:
        if canary is not None:
            problems.append(
                f"no field key, but the data is encrypted with key id {canary.key_id}: set "
                "HUHANG_FIELD_KEY or HUHANG_FIELD_KEY_FILE"
            )
        elif not production and not _encrypted_data_exists():
            pass  # a fresh development installation: the first key is made on first use
        else:
            problems.append("no field key: set HUHANG_FIELD_KEY or HUHANG_FIELD_KEY_FILE")
        return problems
    try:
        ring = _build_keyring(key)
    except KeyMismatch as exc:
        return [*problems, str(exc)]
    if canary is not None:
        problem = _canary_problem(canary, ring)
        if problem:
            problems.append(problem)
    return problems


# -------------------------------------------------------------------------------------------------
# Rotation (`huhang keys rotate`)
# -------------------------------------------------------------------------------------------------

# Fernet columns (bank accounts), registered by the apps that hold them: "app.Model" -> fields.
_TOKEN_COLUMNS: dict[str, list[str]] = {}
# Called with the primary keys of each re-encrypted batch of a model (e.g. the registry refreshes
# the children's copy of the blind index).
_ROTATION_HOOKS: dict[str, list[Callable[[list[int]], None]]] = {}


def register_token_column(model_label: str, field: str) -> None:
    fields = _TOKEN_COLUMNS.setdefault(model_label, [])
    if field not in fields:
        fields.append(field)


def on_rotated(model_label: str, hook: Callable[[list[int]], None]) -> None:
    hooks = _ROTATION_HOOKS.setdefault(model_label, [])
    if hook not in hooks:
        hooks.append(hook)


@dataclass
class RotationStep:
    label: str  # "registry.Person.id_number"
    done: int
    remaining: int


def rotation_pending() -> dict[str, int]:
    """How many encrypted ID values are not under the current key, per column."""
    from django.db import connection

    current = keyring().current
    pending: dict[str, int] = {}
    qn = connection.ops.quote_name
    for model, name in encrypted_fields():
        column = qn(model._meta.get_field(name).column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {qn(model._meta.db_table)} WHERE {column} IS NOT NULL "
                f"AND {column} <> '' AND {column} NOT LIKE %s",
                [_prefix(current) + "%"],
            )
            pending[f"{model._meta.label}.{name}"] = cursor.fetchone()[0]
    return pending


def _prefix(key: SuiteKey) -> str:
    return f"{key.suite[0]}1.{key.kid}."


def start_rotation() -> Keyring:
    """Check that the data's key is known (current or in HUHANG_FIELD_KEYS_OLD) and move the
    canary to the current key: from here on the application encrypts with the new key."""
    from django.db import transaction

    ring = keyring()
    with transaction.atomic():
        canary = _canary()
        if canary is not None and canary.key_id != ring.current.kid:
            old = ring.by_kid.get(canary.key_id)
            if old is None:
                raise KeyMismatch(_canary_problem(canary, ring) or "unknown key")
            try:
                ok = _open(old, base64.urlsafe_b64decode(canary.token[12:])) == CANARY_TEXT.encode()
            except (InvalidTag, ValueError):
                ok = False
            if not ok:
                raise KeyMismatch(f"key id {canary.key_id} does not decrypt the canary")
            set_canary(ring)
        elif canary is None:
            set_canary(ring)
        elif _canary_problem(canary, ring):
            raise KeyMismatch(_canary_problem(canary, ring) or "")
    _verified.discard(ring.current.kid)
    return ring


def rotate(
    *,
    batch_size: int = 1000,
    max_batches: int | None = None,
    progress: Callable[[RotationStep], None] | None = None,
) -> dict[str, int]:
    """Re-encrypt every ID value (and bank account token) not yet under the current key, in
    batches of `batch_size`, each batch in its own transaction. Resumable: what is done is what
    carries the current key id, so an interrupted run simply continues. `max_batches` stops
    early (tests; a maintenance window). Returns the number of values re-encrypted per column."""
    from django.apps import apps
    from django.db import connection, transaction

    ring = start_rotation()
    prefix = _prefix(ring.current)
    qn = connection.ops.quote_name
    counts: dict[str, int] = {}
    batches = 0

    def budget_left() -> bool:
        return max_batches is None or batches < max_batches

    for model, name in list(encrypted_fields()):
        field = model._meta.get_field(name)
        index = model._meta.get_field(field.index_field)
        table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
        column, index_column = qn(field.column), qn(index.column)
        label = f"{model._meta.label}.{name}"
        counts[label] = 0
        remaining = rotation_pending().get(label, 0)
        while budget_left():
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {pk}, {column} FROM {table} WHERE {column} IS NOT NULL "
                        f"AND {column} <> '' AND {column} NOT LIKE %s ORDER BY {pk} LIMIT %s",
                        [prefix + "%", batch_size],
                    )
                    rows = cursor.fetchall()
                    if not rows:
                        break
                    updates = []
                    for row_pk, token in rows:
                        clear = decrypt_id(token)
                        updates.append(
                            (_seal(ring.current, clear.encode()), _mac(ring.current, clear), row_pk)
                        )
                    cursor.executemany(
                        f"UPDATE {table} SET {column} = %s, {index_column} = %s WHERE {pk} = %s",
                        updates,
                    )
                for hook in _ROTATION_HOOKS.get(model._meta.label, []):
                    hook([r[0] for r in rows])
            batches += 1
            counts[label] += len(rows)
            remaining -= len(rows)
            if progress:
                progress(RotationStep(label, counts[label], max(remaining, 0)))
    current = ring.current_fernet
    for model_label, fields in _TOKEN_COLUMNS.items():
        model = apps.get_model(model_label)
        for name in fields:
            label = f"{model_label}.{name}"
            counts[label] = 0
            last_pk = 0
            while budget_left():
                rows = list(
                    model._default_manager.filter(pk__gt=last_pk)
                    .order_by("pk")
                    .values_list("pk", name)[:batch_size]
                )
                if not rows:
                    break
                changed = []
                for row_pk, token in rows:
                    if not token or _fernet_ok(current, token):
                        continue
                    changed.append((row_pk, rotate_token(token)))
                with transaction.atomic():
                    for row_pk, token in changed:
                        model._default_manager.filter(pk=row_pk).update(**{name: token})
                last_pk = rows[-1][0]
                batches += 1
                counts[label] += len(changed)
                if progress:
                    progress(RotationStep(label, counts[label], 0))
    return counts


def _fernet_ok(fernet: Fernet, token: str) -> bool:
    try:
        fernet.decrypt(token.encode())
    except InvalidToken:
        return False
    return True
