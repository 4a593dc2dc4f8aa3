"""The project's errors: raised once where a problem is found, caught once at the CLI."""

from __future__ import annotations

from dataclasses import dataclass


class BriefingError(Exception):
    """Base of every error the build reports to a person; its text is the whole report."""


@dataclass(frozen=True)
class Problem:
    """One problem in one place of one input file."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


class DataError(BriefingError):
    """The dataset in data/ is not valid; carries every problem found, one line each."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class TemplateError(BriefingError):
    """A template in templates/ could not be read or rendered."""


class SetupError(BriefingError):
    """Something the build needs is not installed."""


class OutputError(BriefingError):
    """The build would write somewhere it must not, or could not publish."""


class PublishError(BriefingError):
    """MkDocs refused to build the site."""
