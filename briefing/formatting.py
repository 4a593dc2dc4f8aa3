"""How figures read on the site, shared by the page templates and the chart labels."""

from __future__ import annotations

import calendar

from briefing.figures import readable

# (singular, plural) written after a figure; percent sticks to each number instead
UNIT_WORDS = {"years": ("year", "years"), "regions": ("region", "regions")}


def number(value: float | int | None) -> str:
    """1000000 -> '1 million'; 550000 -> '550,000'; 67.5 -> '67.5'; None -> '—'."""
    return "—" if value is None else readable(value)


def with_unit(value: float | int | None, unit: str | None, high: float | int | None = None) -> str:
    """A figure or a range with its unit once: '34%', '40%–50%', '1 year', '1–2 years'."""
    if unit == "percent":
        return "–".join(f"{number(v)}%" for v in (value, high) if v is not None)
    text = "–".join(number(v) for v in (value, high) if v is not None)
    if unit in UNIT_WORDS:
        singular, plural = UNIT_WORDS[unit]
        text += " " + (singular if value == 1 and high is None else plural)
    return text


def sentence_case(text: str) -> str:
    """The first letter capitalised, the rest as written: 'AI as KPI' stays, 'robot' -> 'Robot'."""
    return text[:1].upper() + text[1:]


def citation(source: dict) -> str:
    """'Publisher, “Title” (Original publisher report, date)', leaving out what the source lacks."""
    text = f"{source['publisher']}, “{source['title']}”"
    original = " ".join(
        part
        for part in (source.get("original_publisher"), "report" if source.get("original_publisher") else None)
        if part
    )
    details = ", ".join(part for part in (original, source.get("original_date_text")) if part)
    return f"{text} ({details})" if details else text


def bounded(low: float | None, high: float | None, qualifier: str | None, unit: str | None = None) -> str:
    """A stated figure with its hedge kept: 'over 28%', '550,000–600,000', 'approximately 34.7 million'."""
    if low is None:
        return "—"
    text = with_unit(low, unit, high if high is not None and high != low else None)
    if qualifier in (None, "", "exact", "range"):
        return text
    return f"{qualifier} {text}"


def period(row: dict) -> str:
    """A reported result's sales period: '2025', or 'January 2026'."""
    if row.get("month") is None:
        return str(row["year"])
    return f"{calendar.month_name[row['month']]} {row['year']}"
