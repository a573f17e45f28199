"""An action done on 15 May 2025 at 79.01 Bến Thành for birth registration (1.001193), answering a theme about
waiting, with known counts around it (ratings 4–5 are satisfied):

- before (February–April): 12 of 20, 10 of 20, 4 of 10 → 26 of 50 = 52 %;
- May itself (left out of both windows): 30 of 30;
- after (June–August): 18 of 20, 17 of 20, 9 of 10 → 44 of 50 = 88 %;
- noise that must not count: 79.02 and 79.01's other procedure in the same months, 79.01 in January and September.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from survey.extensions import db
from survey.models import Office, Procedure, Theme, ThemeRun
from survey.services.actions.records import ActionInput
from tests.factories import load_catalog, make_responses


def _months(office: str, procedure: str, plan: dict[str, tuple[int, int]]) -> None:
    for month, (satisfied, n) in plan.items():
        make_responses(office=office, procedure=procedure, month=month, ratings=[5] * satisfied + [2] * (n - satisfied))


def actions_data() -> None:
    load_catalog()
    birth = "1.001193"
    _months("79.01", birth, {"2025-02": (12, 20), "2025-03": (10, 20), "2025-04": (4, 10)})
    _months("79.01", birth, {"2025-05": (30, 30)})
    _months("79.01", birth, {"2025-06": (18, 20), "2025-07": (17, 20), "2025-08": (9, 10)})
    _months("79.01", birth, {"2025-01": (0, 40), "2025-09": (40, 40)})
    _months("79.02", birth, {"2025-03": (0, 30), "2025-07": (30, 30)})
    _months("79.01", "2.000815", {"2025-03": (30, 30), "2025-07": (0, 30)})


def waiting_theme(office: str = "79.01") -> Theme:
    """A stored complaint theme of `office`'s birth registrations (as a theming run leaves it)."""
    run = ThemeRun(created_at=datetime(2025, 5, 1, tzinfo=UTC), office_id=ids(office)[0], procedure_id=ids()[1],
                   month_from="2025-02", month_to="2025-04", parameters={}, comment_count=24,
                   dissatisfied_count=24)  # fmt: skip
    theme = Theme(run=run, position=0, code="waiting_time", name="chờ đợi lâu", size=24, dissatisfied_size=24,
                  top_terms=["chờ", "lâu"], examples=["Chị Lan chờ ba tiếng"], monthly_counts={})  # fmt: skip
    db.session.add(theme)
    db.session.commit()
    return theme


def ids(office: str = "79.01", procedure: str = "1.001193") -> tuple[int, int]:
    office_id = db.session.scalar(select(Office.id).where(Office.code == office))
    procedure_id = db.session.scalar(select(Procedure.id).where(Procedure.code == procedure))
    assert office_id is not None and procedure_id is not None
    return office_id, procedure_id


def done_action(*, office: str = "79.01", theme_id: int | None = None, public: bool = False) -> ActionInput:
    office_id, procedure_id = ids(office)
    return ActionInput(
        office_id=office_id,
        procedure_id=procedure_id,
        theme_id=theme_id,
        theme_label="Phải chờ lâu khi nộp hồ sơ khai sinh",
        change="Mở thêm một quầy tiếp nhận khai sinh vào buổi sáng",
        responsible_unit="Bộ phận một cửa",
        due_on=date(2025, 5, 31),
        status="done",
        done_on=date(2025, 5, 15),
        public=public,
    )
