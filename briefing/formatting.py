"""How figures read on the site, shared by the page templates and the chart labels."""

from __future__ import annotations

UNIT_SUFFIXES = {"percent": "%", "vehicles": "", "years": " years", "regions": " regions"}


def number(value: float | int | None) -> str:
    """1000000 -> '1,000,000'; 67.5 -> '67.5'; None -> '—'."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.10g}"


def with_unit(value: float | int | None, unit: str | None) -> str:
    if unit == "percent":
        return f"{number(value)}%"
    return number(value) + UNIT_SUFFIXES.get(unit or "", "")


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
    text = with_unit(low, unit)
    if high is not None and high != low:
        text = f"{text}–{with_unit(high, unit)}"
    if qualifier in (None, "", "exact", "range"):
        return text
    return f"{qualifier} {text}"
