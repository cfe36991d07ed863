"""Internationalisation: Simplified Chinese source strings, an English catalog, language choice.

The English catalog (src/huhang/locale/en/LC_MESSAGES/django.po) and its compiled django.mo are
committed, so neither users nor CI need GNU gettext. These tests check, without gettext, that the
catalog is complete, that the .mo matches the .po, that the catalog covers every string marked in
the source, and that pages really come out in English when asked to.

After adding or changing a translatable string, regenerate and fill in the catalog::

    cd src/huhang && ../../.venv/bin/huhang makemessages -l en --no-obsolete --ignore 'tests/*'
    # translate the new entries in locale/en/LC_MESSAGES/django.po, then
    ../../.venv/bin/huhang compilemessages
"""

from __future__ import annotations

import ast
import gettext as gnu_gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

import huhang
from huhang.core.templatetags.huhang import age
from huhang.registry.models import CategoryAssignment

PACKAGE_DIR = Path(huhang.__file__).resolve().parent
CATALOG_DIR = PACKAGE_DIR / "locale" / "en" / "LC_MESSAGES"
PO_FILE = CATALOG_DIR / "django.po"
MO_FILE = CATALOG_DIR / "django.mo"

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


@pytest.fixture(autouse=True)
def _reset_language():
    # LocaleMiddleware activates a language for the thread and nothing deactivates it; do not
    # let an English request leak into whichever test runs next in this thread.
    yield
    translation.deactivate()


# --- A tiny .po reader (no polib, no gettext needed) -------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)


_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


def read_po(path: Path) -> tuple[Entry, list[Entry]]:
    """The header entry and the other (non-obsolete) entries of a .po file."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None

    def start(lineno: int) -> Entry:
        nonlocal current
        if current is None:
            current = Entry(line=lineno)
            entries.append(current)
        return current

    def append(name: str, index: int | None, text: str) -> None:
        entry = current
        if name == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + text
        else:
            setattr(entry, name, (getattr(entry, name) or "") + text)

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            current, target = None, None
        elif line.startswith("#~"):
            continue  # obsolete entry
        elif line.startswith("#,"):
            start(lineno).flags.update(f.strip() for f in line[2:].split(",") if f.strip())
        elif line.startswith("#"):
            start(lineno)
        elif line.startswith('"'):
            assert target is not None, f"{path}:{lineno}: continuation line without a keyword"
            append(*target, ast.literal_eval(line))
        else:
            match = _KEYWORD.match(line)
            assert match, f"{path}:{lineno}: cannot parse {raw!r}"
            keyword, index, text = match.groups()
            entry = start(lineno)
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index) if index is not None else 0)
            elif entry.msgstr:
                # A msgctxt/msgid after a msgstr starts the next entry, blank line or not.
                current = None
                entry = start(lineno)
                target = (keyword, None)
            else:
                target = (keyword, None)
            append(*target, ast.literal_eval(text))
    header = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    assert len(header) == 1, "the catalog must have exactly one header entry"
    return header[0], [e for e in entries if e is not header[0]]


@pytest.fixture(scope="module")
def catalog() -> tuple[Entry, list[Entry]]:
    assert PO_FILE.is_file(), f"{PO_FILE} is missing"
    return read_po(PO_FILE)


# --- The catalog itself --------------------------------------------------------------------------


def test_catalog_header_is_english_and_not_fuzzy(catalog):
    header, _entries = catalog
    assert "fuzzy" not in header.flags
    fields = dict(row.split(": ", 1) for row in header.msgstr[0].splitlines() if ": " in row)
    assert fields["Language"] == "en"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


def test_catalog_is_complete(catalog):
    _header, entries = catalog
    assert entries, "the catalog has no entries"
    fuzzy = [f"line {e.line}: {e.msgid}" for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, "fuzzy entries (check the translation, then remove the flag):\n" + "\n".join(
        fuzzy
    )
    forms = (0, 1)
    missing = [
        f"line {e.line}: {e.msgid}"
        for e in entries
        if sorted(e.msgstr) != sorted(forms if e.msgid_plural is not None else (0,))
        or not all(e.msgstr.values())
    ]
    assert not missing, "untranslated entries:\n" + "\n".join(missing)


def test_catalog_has_no_duplicate_entries(catalog):
    _header, entries = catalog
    keys = [e.key for e in entries]
    assert len(keys) == len(set(keys))


_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")


def _placeholders(text: str) -> list[str]:
    return sorted(p for p in _PLACEHOLDER.findall(text) if p != "%%")


def test_translations_keep_the_placeholders(catalog):
    _header, entries = catalog
    wrong = []
    for e in entries:
        for index, text in e.msgstr.items():
            source = e.msgid if index == 0 or e.msgid_plural is None else e.msgid_plural
            if "python-format" in e.flags and _placeholders(text) != _placeholders(source):
                wrong.append(f"line {e.line}: {source!r} → {text!r}")
    assert not wrong, "placeholders differ between source and translation:\n" + "\n".join(wrong)


def test_compiled_catalog_matches_the_po_file(catalog):
    """A stale django.mo (compilemessages not rerun after editing the .po) fails here."""
    _header, entries = catalog
    assert MO_FILE.is_file(), f"{MO_FILE} is missing: run compilemessages"
    with MO_FILE.open("rb") as handle:
        mo = gnu_gettext.GNUTranslations(handle)
    stale = []
    for e in entries:
        if e.msgid_plural is None:
            got = {
                0: mo.pgettext(e.msgctxt, e.msgid) if e.msgctxt is not None else mo.gettext(e.msgid)
            }
        else:
            # English has two forms: n == 1 → msgstr[0], otherwise msgstr[1].
            def plural(n: int, e: Entry = e) -> str:
                if e.msgctxt is not None:
                    return mo.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                return mo.ngettext(e.msgid, e.msgid_plural, n)

            got = {0: plural(1), 1: plural(2)}
        if got != e.msgstr:
            stale.append(f"line {e.line}: {e.msgid!r}: .mo has {got}, .po has {e.msgstr}")
    assert not stale, "django.mo is out of date, run compilemessages:\n" + "\n".join(stale)


# --- The catalog covers the source ---------------------------------------------------------------
#
# makemessages needs GNU gettext; this is a gettext-free approximation of what it extracts, so a
# string added without regenerating the catalog is caught by the ordinary test run.

# Names xgettext is told to look for by makemessages (plus its Python defaults); the value is the
# position of the message context argument, if any.
_PY_KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": None,
    "ngettext_lazy": None,
    "pgettext": 0,
    "pgettext_lazy": 0,
    "npgettext": 0,
    "npgettext_lazy": 0,
}
_EAGER = {"gettext", "ngettext", "pgettext", "npgettext"}


def _source_files(*suffixes: str) -> list[Path]:
    return sorted(
        p
        for p in PACKAGE_DIR.rglob("*")
        if p.suffix in suffixes
        and p.is_file()
        and not any(part.startswith(".") or part in ("locale", "tests") for part in p.parts)
    )


def _call_name(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _message_key(node: ast.Call) -> tuple[str | None, str] | None:
    name = _call_name(node)
    if name not in _PY_KEYWORDS:
        return None
    context_at = _PY_KEYWORDS[name]
    args = node.args
    wanted = 1 if context_at is None else 2
    if len(args) < wanted or not all(
        isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args[:wanted]
    ):
        return None  # _(variable) and the like: nothing to extract
    if context_at is None:
        return (None, args[0].value)
    return (args[0].value, args[1].value)


def _fstring_calls(tree: ast.AST) -> set[int]:
    """ids of translation calls nested inside f-strings (xgettext does not see them)."""
    inside = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            inside.update(id(n) for n in ast.walk(node) if isinstance(n, ast.Call))
    return inside


@dataclass
class PythonMessages:
    extracted: dict[tuple[str | None, str], str]  # key → "path:line"
    in_fstrings: dict[tuple[str | None, str], str]


@pytest.fixture(scope="module")
def python_messages() -> PythonMessages:
    result = PythonMessages({}, {})
    for path in _source_files(".py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        hidden = _fstring_calls(tree)
        where = path.relative_to(PACKAGE_DIR).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (key := _message_key(node)):
                bucket = result.in_fstrings if id(node) in hidden else result.extracted
                bucket.setdefault(key, f"{where}:{node.lineno}")
    return result


_TEMPLATE_CALL = re.compile(r"\b(_|gettext|gettext_noop|ngettext|pgettext|npgettext)\(")
_LITERAL = re.compile(r"""\s*(u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"))\s*,?""")


def template_messages() -> dict[tuple[str | None, str], str]:
    """Messages of every template, through the same templatize() that makemessages uses."""
    found: dict[tuple[str | None, str], str] = {}
    for path in _source_files(".html", ".txt"):
        where = path.relative_to(PACKAGE_DIR).as_posix()
        code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for lineno, line in enumerate(code.splitlines(), start=1):
            for call in _TEMPLATE_CALL.finditer(line):
                pos, literals = call.end(), []
                while match := _LITERAL.match(line, pos):
                    literals.append(ast.literal_eval(match[1]))
                    pos = match.end()
                if not literals:
                    continue
                if call[1].startswith(("pgettext", "npgettext")):
                    key = (literals[0], literals[1]) if len(literals) > 1 else None
                else:
                    key = (None, literals[0])
                if key:
                    found.setdefault(key, f"{where}:{lineno}")
    return found


def test_catalog_covers_every_marked_string(catalog, python_messages):
    _header, entries = catalog
    known = {e.key for e in entries}
    marked = {**template_messages(), **python_messages.extracted}
    assert len(marked) > 100, "the extraction found suspiciously few strings"
    new = sorted(f"{where}: {key[1]!r}" for key, where in marked.items() if key not in known)
    assert not new, (
        "strings missing from the English catalog; rerun makemessages, translate them and run "
        "compilemessages (see this module's docstring):\n" + "\n".join(new)
    )


# Known problems in code outside this test's reach, listed so that new ones still fail. Remove an
# entry once its code is fixed.
KNOWN_FSTRING_MESSAGES: set[tuple[str | None, str]] = set()
KNOWN_EAGER_MODULE_LEVEL: set[tuple[str, str]] = set()


def test_no_translation_call_hidden_inside_an_fstring(python_messages):
    """makemessages does not extract _() inside f-strings; such text is never translated."""
    hidden = {
        f"{where}: {key[1]!r}"
        for key, where in python_messages.in_fstrings.items()
        if key not in KNOWN_FSTRING_MESSAGES
    }
    assert not hidden, (
        "translation calls inside f-strings (use _('…%(x)s…') % {...} instead):\n"
        + "\n".join(sorted(hidden))
    )


def _eager_calls_outside_functions(tree: ast.Module) -> list[ast.Call]:
    """gettext() (not gettext_lazy) evaluated at import time: module or class level."""
    eager_aliases = set(_EAGER)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for alias in node.names:
                bound = alias.asname or alias.name
                if alias.name in _EAGER:
                    eager_aliases.add(bound)
                else:
                    eager_aliases.discard(bound)

    calls: list[ast.Call] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            return  # evaluated when called, with the request's language active
        if isinstance(node, ast.Call) and _call_name(node) in eager_aliases:
            calls.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return calls


def test_no_eager_gettext_at_import_time():
    found = set()
    for path in _source_files(".py"):
        where = path.relative_to(PACKAGE_DIR).as_posix()
        if "/migrations/" in f"/{where}":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for call in _eager_calls_outside_functions(tree):
            key = _message_key(call)
            found.add((where, key[1] if key else ast.unparse(call), call.lineno))
    new = sorted(
        f"{w}:{line}: {m!r}" for w, m, line in found if (w, m) not in KNOWN_EAGER_MODULE_LEVEL
    )
    assert not new, "gettext() at import time; use gettext_lazy:\n" + "\n".join(new)


# --- Pages in either language --------------------------------------------------------------------


def leftover_chinese(html: str, data: list[str]) -> list[str]:
    """Chinese text left in an English page once the data values (names, places) are removed."""
    for value in sorted(data, key=len, reverse=True):
        html = html.replace(value, "")
    # The language switch offers "中文" by its own name, in Chinese, on purpose.
    html = html.replace('value="zh-hans">中文<', "")
    return [html[max(m.start() - 40, 0) : m.end() + 40] for m in CJK.finditer(html)]


def _data_names(tree, children=None, orgs=None) -> list[str]:
    values = [d.name for d in tree.values()]
    values += [c.person.name for c in (children or {}).values()]
    values += [o.name for o in (orgs or {}).values()]
    return values


def test_default_language_is_chinese(users, client):
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "登录护航" in html
    assert "Log in" not in html


def test_chinese_browser_gets_chinese(users, client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert "登录护航" in response.content.decode()


@pytest.mark.parametrize("accept", ["en", "en-US,en;q=0.9", "en-GB"])
def test_login_page_in_english_from_the_browser_language(accept, users, client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE=accept)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in html
    assert "Log in to Huhang" in html
    assert ">Username<" in html and ">Password<" in html
    assert "登录护航" not in html
    assert not leftover_chinese(html, [])


def test_language_chosen_with_set_language_beats_the_browser(users, client):
    login_url = reverse("accounts:login")
    response = client.post(reverse("set_language"), {"language": "en", "next": login_url})
    assert response.status_code == 302
    html = client.get(login_url).content.decode()
    assert "Log in to Huhang" in html and "登录护航" not in html
    # …and back to Chinese, even though this browser asks for English.
    client.post(reverse("set_language"), {"language": "zh-hans", "next": login_url})
    html = client.get(login_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "登录护航" in html and "Log in to Huhang" not in html


def test_children_list_in_english(users, children, tree, orgs, login):
    CategoryAssignment.objects.create(child=children["xiaohai"], category="orphan")
    CategoryAssignment.objects.create(
        child=children["c2"], category="left_behind", status="verified"
    )
    client = login(users["bureau"])
    client.post(reverse("set_language"), {"language": "en"})
    response = client.get(reverse("registry:child_list"))
    html = response.content.decode()
    assert response.status_code == 200
    for heading in ("Name", "Citizen ID number", "Sex/age", "Community/village", "Category"):
        assert f"<th>{heading}</th>" in html
    assert "Orphan·Awaiting verification" in html
    assert "Left-behind child·Verified" in html
    assert "3 children" in html
    assert f"Male · age {age(children['xiaohai'].person.birth_date)}" in html
    assert "Child files" in html
    assert "Civil affairs bureau child welfare officer" in html  # the user's role
    # Data stays as it was entered.
    assert "王小海" in html and "友谊一社区" in html
    # Not a single Chinese label is left over.
    assert not leftover_chinese(html, _data_names(tree, children, orgs))


def test_children_list_in_chinese_by_default(users, children, login):
    CategoryAssignment.objects.create(child=children["xiaohai"], category="orphan")
    html = login(users["bureau"]).get(reverse("registry:child_list")).content.decode()
    assert "<th>姓名</th>" in html and "<th>类别</th>" in html
    assert "孤儿·待核实" in html
    assert "王小海" in html
    assert "Orphan" not in html


def test_one_child_is_singular_in_english(users, children, login):
    client = login(users["director"])  # sees only 王小海
    html = client.get(reverse("registry:child_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 child " in html
    assert "1 children" not in html


def test_child_archive_in_english(users, children, tree, orgs, login):
    CategoryAssignment.objects.create(child=children["xiaohai"], category="dfuc")
    client = login(users["bureau"])
    response = client.get(
        reverse("workbench:child_detail", args=[children["xiaohai"].pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Basic information" in html
    assert "De-facto unsupported child" in html
    assert "王小海" in html
    assert not leftover_chinese(html, _data_names(tree, children, orgs))


def test_home_page_in_english(users, children, tree, orgs, login):
    client = login(users["bureau"])
    html = client.get(reverse("workbench:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Hello, bureau" in html
    for label in (
        "Orphan",
        "De-facto unsupported child",
        "Child in difficulty",
        "Left-behind child",
        "Migrant child",
    ):
        assert label in html
    assert not leftover_chinese(html, _data_names(tree, children, orgs))
