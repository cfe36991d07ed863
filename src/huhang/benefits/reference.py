"""Reference data the payroll needs: the programmes (stable codes) and the school-year month.
Written by migration 0002 and re-ensured after every migrate or test flush (apps.py)."""

from huhang.core import facts

# The month a yearly (school-year) programme pays: Calendar.school_year_start.
SCHOOL_YEAR_MONTH = facts.SCHOOL_YEAR_START_MONTH

PROGRAMMES = [
    ("orphan-home", "孤儿基本生活费（社会散居）", "monthly", "orphan", "home"),
    ("orphan-institution", "孤儿基本生活费（集中养育）", "monthly", "orphan", "institution"),
    ("dfuc", "事实无人抚养儿童基本生活补贴", "monthly", "dfuc", ""),
    ("scholarship", "福彩圆梦·孤儿助学", "yearly", "", ""),
    ("autumn-aid", "金秋助学", "once", "", ""),
]
