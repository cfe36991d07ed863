"""The children list is in pinyin order (as Chinese registers are), not by character code."""

from __future__ import annotations

from huhang.registry.selectors import ChildFilter, child_list
from tests.factories.registry import ChildFactory, PersonFactory

# By character code 张 (U+5F20) < 曹 (U+66F9) < 李 (U+674E) < 王 (U+738B) < 赵 (U+8D75) < 阿 (U+963F);
# in pinyin: a, cao, li, wang, zhang, zhao.
NAMES = ["赵明", "王小海", "张伟", "李梅", "阿依古丽·买买提", "曹操"]


def test_children_are_listed_in_pinyin_order(users, tree):
    for name in NAMES:
        ChildFactory(person=PersonFactory(name=name), division=tree["c1"])
    listed = [c.person.name for c in child_list(user=users["director"], filters=ChildFilter())]
    assert listed == ["阿依古丽·买买提", "曹操", "李梅", "王小海", "张伟", "赵明"]


def test_the_page_shows_them_in_that_order(users, tree, login):
    for name in NAMES:
        ChildFactory(person=PersonFactory(name=name), division=tree["c1"])
    html = login(users["director"]).get("/children/").content.decode()
    positions = [
        html.index(name) for name in ["阿依古丽", "曹操", "李梅", "王小海", "张伟", "赵明"]
    ]
    assert positions == sorted(positions)
