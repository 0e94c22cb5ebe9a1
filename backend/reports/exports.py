"""CSV and XLSX renderings of a report: the rows table (or the totals as one row)."""
from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from backend.reports.result import Report

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table(report: Report) -> tuple[list[str], list[list]]:
    if report.filters.group_by == "none":
        columns = list(report.totals)
        return columns, [[report.totals[c] for c in columns]]
    return report.columns, [[row.get(c) for c in report.columns] for row in report.rows]


def _safe_cell(value, xlsx: bool = False):
    """Text starting with = + - @ would run as a formula in a spreadsheet (CSV injection):
    comments, reasons and names come from customers and staff. XLSX cannot hold control
    characters at all, so they are dropped there."""
    if not isinstance(value, str):
        return value
    if xlsx:
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def to_csv(report: Report) -> bytes:
    columns, rows = table(report)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows([[_safe_cell(v) for v in row] for row in rows])
    return out.getvalue().encode("utf-8")


def to_xlsx(report: Report) -> bytes:
    columns, rows = table(report)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("rows")
    sheet.append([_safe_cell(c, xlsx=True) for c in columns])
    for row in rows:
        sheet.append([_safe_cell(v, xlsx=True) for v in row])
    totals = book.create_sheet("totals")
    totals.append(["metric", "value"])
    for name, value in report.totals.items():
        totals.append([name, _safe_cell(value, xlsx=True)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filename(report: Report, extension: str) -> str:
    return f"{report.name}_{report.filters.start}_{report.filters.end}.{extension}"
