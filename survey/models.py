"""The data model (SQLAlchemy 2.0, typed).

Catalog (provinces, offices, procedures, questionnaire versions), the citizen side (invitations, responses,
call-back contacts), the read side (rollups, theme runs, imported office figures) and the officials' side
(users, API keys, audit log). Raw personal data never lives in `responses`: comments are stored redacted,
dossier codes only as keyed hashes, call-back contacts in their own table with a retention limit.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Named constraints so migrations can alter them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Codes shared by the database, the API and the exports (DESIGN.md §5).
CHANNELS = ("qr", "sms", "kiosk", "online", "paper", "api")
SERVICE_MODES = ("in_person", "online", "postal")
ON_TIME = ("early", "on_time", "late")
EXTRA_PAYMENT = ("yes", "no", "prefer_not")
ELEMENTS = ("access", "procedure", "staff", "result", "feedback")
AGE_BANDS = ("under_18", "18_24", "25_34", "35_44", "45_54", "55_64", "65_plus")
SEXES = ("female", "male", "other", "prefer_not")
OFFICE_LEVELS = ("province", "commune")
PROCEDURE_LEVELS = ("central", "province", "commune")
ROLES = ("official", "researcher", "admin", "clerk")  # a clerk only keys in paper sheets for one office

BigId: BigInteger = BigInteger().with_variant(Integer(), "sqlite")  # SQLite only autoincrements INTEGER PRIMARY KEY


def _codes(column: str, codes: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(code) for code in codes)})"


def _nullable_codes(column: str, codes: tuple[str, ...]) -> str:
    return f"{column} IS NULL OR {_codes(column, codes)}"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# --- Catalog -----------------------------------------------------------------------------------------------


class Province(Base):
    """One of the 34 provinces and centrally-run cities since 1/7/2025 (DOMAIN.md §4)."""

    __tablename__ = "provinces"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(String(20))
    region_name: Mapped[str] = mapped_column(String(100))


class Office(Base):
    """An office that handles procedures; offices form a tree that scopes officials' access."""

    __tablename__ = "offices"
    __table_args__ = (CheckConstraint(_codes("level", OFFICE_LEVELS), name="level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    level: Mapped[str] = mapped_column(String(20))
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    # Materialised path of ids ("/3/17/"): an office's subtree is every path that starts with its own.
    path: Mapped[str] = mapped_column(String(400), index=True, default="/")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    parent: Mapped[Office | None] = relationship(remote_side=[id])
    province: Mapped[Province] = relationship()


class Procedure(Base):
    """An administrative procedure (thủ tục hành chính) from the national database."""

    __tablename__ = "procedures"
    __table_args__ = (CheckConstraint(_codes("level", PROCEDURE_LEVELS), name="level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(400))
    field: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))
    valid_from: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class OfficeProcedure(Base):
    """The procedures an office handles: the list a citizen picks from on the office's poster link."""

    __tablename__ = "office_procedures"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"), primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"), primary_key=True)


class Target(Base):
    """A satisfaction target other than the deployment default, for a procedure, an office or both."""

    __tablename__ = "targets"
    __table_args__ = (
        UniqueConstraint("procedure_id", "office_id", name="uq_targets_scope"),
        CheckConstraint("target > 0 AND target < 1", name="range"),
        CheckConstraint("procedure_id IS NOT NULL OR office_id IS NOT NULL", name="scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    target: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SiteSetting(Base):
    """Small key/value facts about this installation (e.g. that it holds demo data)."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- Citizen side ------------------------------------------------------------------------------------------


class Invitation(Base):
    """A survey link: one-time for a dossier, or an office's public poster link (unverified responses)."""

    __tablename__ = "invitations"
    __table_args__ = (
        CheckConstraint(_codes("channel", CHANNELS), name="channel"),
        CheckConstraint("is_public OR (dossier_hash IS NOT NULL AND procedure_id IS NOT NULL)", name="kind"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_id: Mapped[str] = mapped_column(String(64), unique=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id"))
    channel: Mapped[str] = mapped_column(String(10))
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    dossier_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id", ondelete="SET NULL"), unique=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The version a one-time link was issued under: its answers are stored against it while the link is valid.
    questionnaire_version_id: Mapped[int | None] = mapped_column(ForeignKey("questionnaire_versions.id"))

    office: Mapped[Office] = relationship()
    procedure: Mapped[Procedure | None] = relationship()


class RatedDossier(Base):
    """A dossier that has been rated, by keyed hash only, so it can be rated once and never be read back."""

    __tablename__ = "rated_dossiers"

    dossier_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    rated_on: Mapped[date] = mapped_column(Date)


class Response(Base):
    """One citizen's answers about one procedure at one office. Holds no raw personal data."""

    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        *(
            CheckConstraint(f"element_{name} IS NULL OR element_{name} BETWEEN 1 AND 5", name=f"element_{name}")
            for name in ELEMENTS
        ),
        CheckConstraint(_codes("channel", CHANNELS), name="channel"),
        CheckConstraint(_nullable_codes("service_mode", SERVICE_MODES), name="service_mode"),
        CheckConstraint(_nullable_codes("on_time", ON_TIME), name="on_time"),
        CheckConstraint("returns IS NULL OR returns BETWEEN 0 AND 2", name="returns"),
        CheckConstraint("agencies IS NULL OR agencies BETWEEN 1 AND 3", name="agencies"),
        CheckConstraint(_nullable_codes("extra_payment", EXTRA_PAYMENT), name="extra_payment"),
        CheckConstraint(_nullable_codes("age_band", AGE_BANDS), name="age_band"),
        CheckConstraint(_nullable_codes("sex", SEXES), name="sex"),
        Index("ix_responses_office_month", "office_id", "month"),
        Index("ix_responses_procedure_month", "procedure_id", "month"),
        Index("ix_responses_version_month", "questionnaire_version_id", "month"),
        # Only the few held responses: the admin's review list reads them newest first.
        Index("ix_responses_held", "created_at", postgresql_where=text("flagged"), sqlite_where=text("flagged")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM in Asia/Ho_Chi_Minh time
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    channel: Mapped[str] = mapped_column(String(10))
    service_mode: Mapped[str | None] = mapped_column(String(12))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    rating: Mapped[int] = mapped_column(SmallInteger)
    element_access: Mapped[int | None] = mapped_column(SmallInteger)
    element_procedure: Mapped[int | None] = mapped_column(SmallInteger)
    element_staff: Mapped[int | None] = mapped_column(SmallInteger)
    element_result: Mapped[int | None] = mapped_column(SmallInteger)
    element_feedback: Mapped[int | None] = mapped_column(SmallInteger)
    on_time: Mapped[str | None] = mapped_column(String(10))
    returns: Mapped[int | None] = mapped_column(SmallInteger)
    agencies: Mapped[int | None] = mapped_column(SmallInteger)
    extra_payment: Mapped[str | None] = mapped_column(String(12))
    comment: Mapped[str | None] = mapped_column(Text)  # redacted before it is stored
    language: Mapped[str] = mapped_column(String(5), default="vi")
    age_band: Mapped[str | None] = mapped_column(String(10))
    sex: Mapped[str | None] = mapped_column(String(12))
    # A per-form-render nonce (or other client key): the same submission can only be stored once.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    # The local questions the form showed (None: none); their answers are in `local_answers`.
    local_question_set_id: Mapped[int | None] = mapped_column(ForeignKey("local_question_sets.id"))
    # Spam defence on unverified links (survey.services.responses.spam): a flagged response is kept but counted
    # in no figure (nor rollup, theme run or export) until an admin releases it; `released_at` says when.
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    spam_score: Mapped[int | None] = mapped_column(SmallInteger)
    spam_reason: Mapped[str | None] = mapped_column(String(120))  # reason codes, comma-separated
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    procedure: Mapped[Procedure] = relationship()
    office: Mapped[Office] = relationship()


class SubmissionSignal(Base):
    """What the spam rules remember of a recent submission through a public link; deleted after two days.

    The connection's address is never stored: only a keyed hash under a key that changes every day, enough to
    count one address's submissions today and nothing after. `answers_hash` spots bursts of identical answers.
    """

    __tablename__ = "submission_signals"
    __table_args__ = (
        Index("ix_submission_signals_link_at", "link_key", "at"),
        Index("ix_submission_signals_address_at", "address_hash", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    link_key: Mapped[str] = mapped_column(String(16))  # the link's token id (public, in every poster's URL)
    address_hash: Mapped[str | None] = mapped_column(String(64))  # None: a trusted network or a local proxy
    answers_hash: Mapped[str] = mapped_column(String(32))
    flagged: Mapped[bool] = mapped_column(Boolean)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))


class IdempotencyRecord(Base):
    """The first answer given to an API request with an Idempotency-Key, per API key."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("api_key_id", "key", name="uq_idempotency_records_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# --- Read side ---------------------------------------------------------------------------------------------


class Rollup(Base):
    """Counts of answers per (month, office, procedure, channel, verified, question, answer).

    Kept in step with every stored response in the same transaction, so summaries read O(groups), not
    O(responses). `metric` is `rating`, `element_<name>`, `on_time`, `returns`, `agencies`, `extra_payment`
    or `service_mode`; `value` is the answer's code as text. Month, not day: officials read months, quarters
    and years, and a month grain keeps the table far smaller than the responses it summarises.
    """

    __tablename__ = "rollups"
    __table_args__ = (Index("ix_rollups_metric_office_month", "metric", "office_id", "month"),)

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    verified: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    metric: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[str] = mapped_column(String(12), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)


class RatingRollup(Base):
    """Overall ratings per (month, office, procedure): the grain national and office pages read.

    `rollups` answers every question under every filter but grows with month × office × procedure ×
    channel × answer; this table has one row per month, office and procedure, with the five rating counts
    (and the verified ones) as columns, so a national overview sums thousands of rows, not millions.
    Kept in step with `rollups` by survey.services.responses.rollups.add_to_rollups.
    """

    __tablename__ = "rating_rollups"
    __table_args__ = (
        Index("ix_rating_rollups_office_month", "office_id", "month"),
        Index("ix_rating_rollups_procedure_month", "procedure_id", "month"),
    )

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), primary_key=True)
    rating_1: Mapped[int] = mapped_column(BigInteger, default=0)
    rating_2: Mapped[int] = mapped_column(BigInteger, default=0)
    rating_3: Mapped[int] = mapped_column(BigInteger, default=0)
    rating_4: Mapped[int] = mapped_column(BigInteger, default=0)
    rating_5: Mapped[int] = mapped_column(BigInteger, default=0)
    verified_1: Mapped[int] = mapped_column(BigInteger, default=0)
    verified_2: Mapped[int] = mapped_column(BigInteger, default=0)
    verified_3: Mapped[int] = mapped_column(BigInteger, default=0)
    verified_4: Mapped[int] = mapped_column(BigInteger, default=0)
    verified_5: Mapped[int] = mapped_column(BigInteger, default=0)


class InvitationRollup(Base):
    """One-time invitations per (month issued, office, procedure, channel): issued, answered, answered 1–3.

    The denominator of the QĐ 766 rate and of coverage (the response rate). A dossier belongs to the month its
    invitation was issued (in Vietnamese time), and its answer is counted with it even when it came a month
    later, so the rate's numerator only ever holds answers to the invitations in its denominator. Kept in step
    by survey.services.responses.invitation_rollups when a link is issued, answered or its answer erased.
    `answered` counts used invitations (an erased answer stays answered); `not_satisfied` counts the stored
    answers rated 1–3 (an erased one no longer counts).
    """

    __tablename__ = "invitation_rollups"
    __table_args__ = (Index("ix_invitation_rollups_office_month", "office_id", "month"),)

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(10), primary_key=True)
    issued: Mapped[int] = mapped_column(BigInteger, default=0)
    answered: Mapped[int] = mapped_column(BigInteger, default=0)
    not_satisfied: Mapped[int] = mapped_column(BigInteger, default=0)


class OfficeFigures(Base):
    """Figures imported from an office's one-stop system, per procedure (or all) and month."""

    __tablename__ = "office_figures"
    __table_args__ = (UniqueConstraint("office_id", "procedure_id", "month", name="uq_office_figures_cell"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))
    dossiers_handled: Mapped[int | None] = mapped_column(Integer)
    dossiers_overdue: Mapped[int | None] = mapped_column(Integer)
    dossiers_complained: Mapped[int | None] = mapped_column(Integer)
    indicator_2: Mapped[float | None] = mapped_column(Float)
    indicator_5: Mapped[float | None] = mapped_column(Float)
    indicator_6: Mapped[float | None] = mapped_column(Float)
    indicator_8: Mapped[float | None] = mapped_column(Float)
    indicator_9: Mapped[float | None] = mapped_column(Float)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ThemeRun(Base):
    """One theming of the complaints in a scope and period, with the parameters it ran with."""

    __tablename__ = "theme_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id", ondelete="CASCADE"))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id", ondelete="CASCADE"))
    month_from: Mapped[str] = mapped_column(String(7))
    month_to: Mapped[str] = mapped_column(String(7))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    dissatisfied_count: Mapped[int] = mapped_column(Integer, default=0)

    themes: Mapped[list[Theme]] = relationship(back_populates="run", cascade="all, delete-orphan")


class Theme(Base):
    """A complaint theme found in a run: its Vietnamese name, size and a few redacted examples."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("theme_runs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str | None] = mapped_column(String(60))  # a seeded theme's code, else empty
    name: Mapped[str] = mapped_column(String(300))
    size: Mapped[int] = mapped_column(Integer)
    dissatisfied_size: Mapped[int] = mapped_column(Integer, default=0)
    top_terms: Mapped[list[Any]] = mapped_column(JSON)
    examples: Mapped[list[Any]] = mapped_column(JSON)
    monthly_counts: Mapped[dict[str, Any]] = mapped_column(JSON)

    run: Mapped[ThemeRun] = relationship(back_populates="themes")


class ResponseTheme(Base):
    """Which theme of a run a response's comment fell into."""

    __tablename__ = "response_themes"

    run_id: Mapped[int] = mapped_column(ForeignKey("theme_runs.id", ondelete="CASCADE"), primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), index=True)


# --- Officials' side ---------------------------------------------------------------------------------------


class User(Base):
    """An official (scoped to an office subtree), a researcher or an admin."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(_codes("role", ROLES), name="role"),
        CheckConstraint("role NOT IN ('official', 'clerk') OR office_id IS NOT NULL", name="official_office"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    office: Mapped[Office | None] = relationship()


class ApiKey(Base):
    """A key for a one-stop system, kiosk or partner; only its hash is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16))  # shown in lists so a key can be recognised
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    office: Mapped[Office | None] = relationship()


# Tables kept in modules of their own (this one is at its size limit), imported so `Base.metadata` holds them.
import survey.models_actions  # noqa: E402
import survey.models_alerts  # noqa: E402
import survey.models_paper  # noqa: E402
import survey.models_sms  # noqa: E402
import survey.models_themes  # noqa: E402, F401
from survey.models_access import AuditEntry, RateLimitCounter, UserSession  # noqa: E402, F401
from survey.models_contacts import CallbackContact  # noqa: E402, F401
from survey.models_questionnaire import LocalAnswer as LocalAnswer  # noqa: E402
from survey.models_questionnaire import LocalQuestion as LocalQuestion  # noqa: E402
from survey.models_questionnaire import LocalQuestionSet as LocalQuestionSet  # noqa: E402
from survey.models_questionnaire import QuestionnaireVersion as QuestionnaireVersion  # noqa: E402
