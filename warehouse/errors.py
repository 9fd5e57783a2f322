"""Errors the build reports to a person: each names the file, line and field it is about."""

from __future__ import annotations


class UsageError(Exception):
    """The command was called wrongly (exit code 2)."""


class DataError(Exception):
    """The data cannot be loaded (exit code 1)."""


class FileError(DataError):
    """A whole file is unusable: wrong profile, missing columns, binary, empty, undecodable."""

    def __init__(self, file: str, message: str, *, line: int | None = None, field: str | None = None):
        self.file, self.line, self.field, self.message = str(file), line, field, message
        where = self.file
        if line is not None:
            where += f", line {line}"
        if field:
            where += f", field '{field}'"
        super().__init__(f"{where}: {message}")


class ProfileError(UsageError):
    """A profile file is malformed."""
