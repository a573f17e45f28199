"""How many rows an SPSS or Stata export may hold: checked before any work, without loading pandas."""

from __future__ import annotations

from survey.services.research.plan import ExportError

LABELLED_ROW_LIMIT = 2_000_000
"""The most rows an SPSS or Stata export writes: about 0.65 GB of memory at this size, in a web worker too (what
one million rows cost before); above it, CSV or Parquet."""


def check_size(file_format: str, rows: int) -> None:
    """Refuse an SPSS or Stata file of more than `LABELLED_ROW_LIMIT` rows: better now than out of memory later."""
    if file_format in ("sav", "dta") and rows > LABELLED_ROW_LIMIT:
        name = "SPSS (.sav)" if file_format == "sav" else "Stata (.dta)"
        raise ExportError(
            f"{name} files are built in memory, so they hold at most {LABELLED_ROW_LIMIT:,} rows and this export "
            f"would write {rows:,}: choose CSV or Parquet (written as they are read, with no size limit; SPSS and "
            "Stata open the CSV too), or a shorter period"
        )
