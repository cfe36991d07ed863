"""Field encryption for bank accounts (Fernet: AES-128-CBC with HMAC).

The key comes from HUHANG_FIELD_KEY (or HUHANG_FIELD_KEY_FILE); otherwise one is generated once
and kept in the data directory next to the secret key. Losing it loses the accounts: back up the
data directory whole.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

from huhang.core.env import env_str


@lru_cache(maxsize=1)
def _fernet() -> Fernet:
    key = env_str("HUHANG_FIELD_KEY", "")
    if not key:
        path = settings.DATA_DIR / "field_key"
        if not path.exists():
            # Written like the secret key: once, 0600, never overwritten.
            from huhang.core.env import persistent_secret

            persistent_secret(path, value=Fernet.generate_key().decode())
        key = path.read_text(encoding="utf-8").strip()
    return Fernet(key.encode())


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong HUHANG_FIELD_KEY for this data") from exc


def key_problems() -> list[str]:
    """What is wrong with the field key, one line each (empty when it is usable), without ever
    generating one: for `huhang check` and /healthz."""
    if env_str("HUHANG_FIELD_KEY", ""):
        return []
    if (settings.DATA_DIR / "field_key").exists():
        return []
    return ["no field key: set HUHANG_FIELD_KEY or HUHANG_FIELD_KEY_FILE"]
