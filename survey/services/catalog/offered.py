"""Which procedures an office handles (`office_procedures`): every survey link, poster and API response names one.

An office's list comes from the catalog import (`procedure_codes` column) or, for offices imported without one,
from the procedures of its level (`link_procedures_by_level`). A pair outside the list is refused everywhere a
citizen or a partner system can name a pair, so no response is ever stored for a procedure the office does not do.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from survey.services.catalog import cache


def offers(session: Session, office_id: int, procedure_id: int) -> bool:
    """Whether the office handles the procedure (its list kept per process: see catalog.cache)."""
    return procedure_id in cache.offered_procedure_ids(session, office_id)


def not_offered_message(office_code: str, procedure_code: str) -> str:
    """What a partner system or an operator reads when they name a pair the office does not handle."""
    return (
        f"office {office_code} does not handle procedure {procedure_code}; an admin can add it to the office's "
        "procedure list (catalog import, procedure_codes column)"
    )
