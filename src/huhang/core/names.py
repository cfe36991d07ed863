"""Personal names for matching and search.

Records keep the name exactly as entered; duplicate detection and search use
:func:`normalize` and :func:`search_key`, which tolerate the usual variation in
how the same name gets typed (full-width characters, spaces, traditional
characters, pinyin annotations, the many look-alike middle dots in transliterated
names).
"""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc
from pypinyin import Style, lazy_pinyin

__all__ = ["initials", "name_problem", "normalize", "pinyin", "search_key", "search_term"]

MIDDLE_DOT = "\u00b7"

# Ideographs, including extension A and the supplementary planes.
_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Look-alikes of the middle dot in names such as 买买提·艾力 (after NFKC, which already
# folds U+FF0E to '.' and U+FF65 to U+30FB).
_DOTS = "\u00b7\u2022\u2027\u2219\u22c5\u2e31\u30fb"
# A plain '.' counts as a middle dot only between ideographs; elsewhere it may be an
# abbreviation in a Latin name.
_DOT_RE = re.compile(f"(?<=[{_HAN}])[.{_DOTS}]+(?=[{_HAN}])|[{_DOTS}]+")
# Innermost bracket pair at a time, so that nested annotations are removed as well.
_BRACKETED_RE = re.compile(r"\([^()\[\]【】]*\)|\[[^()\[\]【】]*\]|【[^()\[\]【】]*】")
_HAN_RE = re.compile(f"[{_HAN}]")

# Surnames whose reading differs from the character's everyday reading; only used for
# the first characters of names without a middle dot (transliterated names have no
# surname in front: 查尔斯 is "cha").
_SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "单于": ("chan", "yu"),
    "曾": ("zeng",),
    "单": ("shan",),
    "解": ("xie",),
    "仇": ("qiu",),
    "朴": ("piao",),
    "查": ("zha",),
    "区": ("ou",),
    "覃": ("qin",),
    "缪": ("miao",),
    "翟": ("zhai",),
    "种": ("chong",),
    "薄": ("bo",),
    # Listed so that the given-name reading below does not apply to the surname (长孙).
    "长": ("zhang",),
}
# pypinyin reads a lone 长 as "zhang", but in given names (长江, 长青) it is nearly always
# "chang".
_GIVEN_NAME_READINGS = {"长": ("chang", True)}


@functools.cache
def _converter() -> opencc.OpenCC:
    # Built on first use so that importing this module (e.g. by migrations) stays cheap.
    return opencc.OpenCC("t2s")


def _to_simplified(text: str) -> str:
    # t2s is not idempotent for a few characters (薴 -> 苧 -> 苎), so convert until stable.
    for _ in range(3):
        converted = _converter().convert(text)
        if converted == text:
            break
        text = converted
    return text


def _strip_brackets(text: str) -> str:
    while True:
        stripped = _BRACKETED_RE.sub("", text)
        if stripped == text:
            return text
        text = stripped


def _is_dropped(ch: str) -> bool:
    # Whitespace, control and format characters (zero-width spaces from copy and paste),
    # and lone surrogates, which JSON input can carry and OpenCC cannot encode.
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Cs")


def normalize(name: str) -> str:
    text = unicodedata.normalize("NFKC", name)
    # isprintable() is False for every character _is_dropped() removes except the ASCII
    # space, so most names skip the slow per-character filter.
    if not text.isprintable() or " " in text:
        text = "".join(ch for ch in text if not _is_dropped(ch))
    text = _strip_brackets(text)
    text = _to_simplified(text)
    text = _DOT_RE.sub(MIDDLE_DOT, text)
    text = text.lower()
    # Lower-casing and OpenCC can (rarely) produce text that NFKC would change again;
    # normalising once more keeps the function idempotent.
    return unicodedata.normalize("NFKC", text)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(c for c in folded.lower() if c.isalnum())


@functools.lru_cache(maxsize=65536)
def _reading(ch: str) -> tuple[str, bool]:
    """Toneless pinyin of an ideograph, or the ASCII letters and digits of anything else
    (diacritics removed), and whether ``ch`` is an ideograph; "" if it has neither."""
    if _HAN_RE.fullmatch(ch):
        return _ascii("".join(lazy_pinyin(ch, style=Style.NORMAL, errors="ignore"))), True
    return _ascii(ch), False


def _syllables(normalized: str) -> list[str]:
    """Pinyin per ideograph and one item per run of Latin letters and digits.

    Readings come character by character rather than from pypinyin's phrase
    dictionary: that is much faster, and for names the phrase readings are more often
    wrong than right (柏林 as a name is Bai Lin, not Bo Lin)."""
    result: list[str] = []
    start = 0
    if MIDDLE_DOT not in normalized:
        # Surnames have one or two characters; try the compound ones first.
        for length in (2, 1):
            readings = _SURNAME_READINGS.get(normalized[:length])
            if readings is not None:
                result.extend(readings)
                start = length
                break
    latin = ""
    for ch in normalized[start:]:
        reading, is_han = _GIVEN_NAME_READINGS.get(ch) or _reading(ch)
        if reading and not is_han:
            latin += reading
            continue
        if latin:
            result.append(latin)
            latin = ""
        if reading:
            result.append(reading)
    if latin:
        result.append(latin)
    return result


def pinyin(name: str) -> str:
    return "".join(_syllables(normalize(name)))


def initials(name: str) -> str:
    return "".join(s[0] for s in _syllables(normalize(name)))


def search_key(name: str) -> str:
    """Normalised name, pinyin and initials separated by spaces, for LIKE '%term%' search
    with :func:`search_term`; no term can match across the spaces."""
    normalized = normalize(name)
    syllables = _syllables(normalized)
    parts = (normalized, "".join(syllables), "".join(s[0] for s in syllables))
    return " ".join(dict.fromkeys(p for p in parts if p))


def search_term(q: str) -> str:
    return normalize(q)


# What cannot be a person's name (OWASP's CSV-injection triggers, and markup): a name that a
# spreadsheet would evaluate (=HYPERLINK(...), +cmd|..., @SUM(...), -2+3), or that carries control
# characters or angle brackets, comes from a broken export or an attack, never from a register.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_MARKUP_RE = re.compile(r"[<>]|&#?[A-Za-z0-9_]+;|(?i:javascript:|https?://|www\.)")
_FORMULA_RE = re.compile(r"^[ \t\n\r\f\v]*[=+\-@＝＋－＠]")


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a person's name ("formula", "control", "markup"), or None. The name
    is taken as written (before any trimming): a leading tab or carriage return counts."""
    if not name:
        return None
    if _FORMULA_RE.match(name) or name.startswith(FORMULA_START):
        return "formula"
    if _CONTROL_RE.search(name):
        return "control"
    if _MARKUP_RE.search(name):
        return "markup"
    return None
