"""Writing small department files for the feed-import tests: CSV in any encoding, XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import xlsxwriter

from huhang.core import idnumber

POLICE = [
    "姓名",
    "公民身份号码",
    "性别",
    "出生日期",
    "户籍地行政区划代码",
    "现住址行政区划代码",
    "父亲公民身份号码",
    "母亲公民身份号码",
    "人员状态",
    "状态日期",
]
HERE = "150203005001"


def pid(birth: date, sex: str = "M", seq: int = 1) -> str:
    return idnumber.make("150203", birth, seq * 2 + (1 if sex == "M" else 0))


def police_row(name: str, birth: date, sex: str = "M", seq: int = 1, **over) -> dict:
    row = {
        "姓名": name,
        "公民身份号码": pid(birth, sex, seq),
        "性别": "男" if sex == "M" else "女",
        "出生日期": birth.isoformat(),
        "户籍地行政区划代码": HERE,
        "现住址行政区划代码": HERE,
        "父亲公民身份号码": "",
        "母亲公民身份号码": "",
        "人员状态": "正常",
        "状态日期": "",
    }
    row.update(over)
    return row


def csv_bytes(header: list[str], rows: list[dict], encoding: str = "gb18030") -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return out.getvalue().encode(encoding)


def write_csv(path: Path, header, rows, encoding: str = "gb18030") -> Path:
    path.write_bytes(csv_bytes(header, rows, encoding))
    return path


def write_xlsx(path: Path, header: list[str], rows: list[dict]) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    dates = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, header)
    for r, row in enumerate(rows, start=1):
        for c, name in enumerate(header):
            value = row.get(name, "")
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, dates)
            elif isinstance(value, int):
                sheet.write_number(r, c, value)
            elif value != "":
                sheet.write_string(r, c, value)
    workbook.add_worksheet("说明").write(0, 0, "第二个工作表不读取")
    workbook.close()
    return path
