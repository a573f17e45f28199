"""Survey links: a one-time signed link per dossier, and each office's stable public poster link.

A token is an id followed by a truncated HMAC of that id (22 letters and digits, so the QR code on a receipt
stays small and sparse). A tampered or made-up token fails the HMAC check without touching the database.
A one-time link's id is random and has a row in `invitations`. A poster link is derived, not stored: its id
spells the office, the procedure (or none) and the channel, and is signed under a key of its own, so anyone
may open `/poster/<office>` as often as they like without writing a row; poster links stored by earlier
versions keep working and are still the ones printed for their office. The dossier code identifies a
citizen's case (DOMAIN.md §4), so it is never stored: only a keyed hash of its normalised form, which is
enough to let each dossier be rated once. Rotating SECRET_KEY invalidates every outstanding link and changes
the dossier hashes, so keep it stable.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import string
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.models import CHANNELS, Invitation, Office, Procedure, RatedDossier
from survey.services.catalog.offered import not_offered_message, offers
from survey.services.catalog.questionnaire import published_version
from survey.services.responses.invitation_rollups import count_issued
from survey.services.transactions import rolls_back_on_error

TOKEN_ID_LENGTH = 12  # ~71 random bits (62 symbols)
TOKEN_MAC_LENGTH = 10  # ~59 bits of HMAC: forging one valid token takes ~2^58 tries
TOKEN_LENGTH = TOKEN_ID_LENGTH + TOKEN_MAC_LENGTH
MAX_EXPIRES_DAYS = 365
_TOKEN_RE = re.compile(rf"[A-Za-z0-9]{{{TOKEN_LENGTH}}}")
# TT 01/2018 Điều 19: V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX; local systems add or drop parts, so accept any
# code of letters and digits joined by . - _ / that holds at least one digit.
_DOSSIER_RE = re.compile(r"[A-Z0-9]+(?:[.\-_/][A-Z0-9]+)*")
DOSSIER_MIN, DOSSIER_MAX = 4, 80
DOSSIER_PATTERN = r"^(?=[^0-9]*[0-9])[A-Za-z0-9]+(?:[._/-][A-Za-z0-9]+)*$(?!\n)"
"""The OpenAPI `pattern` for a dossier code in its written form, with the limits above: every code it accepts is
one `normalise_dossier_code` accepts (which also forgives spaces, lower case and full-width characters)."""
# A derived poster link's id: version, office id (5 base-62 digits), procedure id or 0 (5), channel (1).
_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_PUBLIC_VERSION = "1"
_ID_DIGITS = 5


@dataclass(frozen=True)
class IssuedLink:
    token: str
    url: str
    expires_at: datetime | None
    invitation_id: int | None  # None for a derived poster link: it has no row


@dataclass(frozen=True)
class LinkState:
    status: str  # "valid" | "used" | "expired" | "invalid" | "not_offered" (a poster link's procedure)
    invitation: Invitation | None  # for a derived poster link, an unsaved Invitation describing it


@dataclass(frozen=True)
class Poster:
    link: IssuedLink
    kiosk_url: str
    office_code: str
    office_name: str
    procedure_name: str | None


class LinkError(ValueError):
    """A link cannot be issued: `field` names the input at fault, `message` says why in plain words."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def derived_key(secret: str, purpose: str) -> bytes:
    """One key per purpose, so a token MAC can never be replayed as a dossier hash or the other way round."""
    return hmac.new(secret.encode("utf-8"), f"survey:{purpose}".encode(), hashlib.sha256).digest()


def _alphanumeric(data: bytes) -> str:
    """Base64 without its two punctuation characters: a token never starts with '-' (read as an option on a
    command line) nor ends in punctuation that SMS apps leave out of a link; 32 bytes give ~42 characters."""
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=").replace("-", "").replace("_", "")


def new_token_id() -> str:
    while len(token_id := _alphanumeric(secrets.token_bytes(16))) < TOKEN_ID_LENGTH:
        pass  # practically never: 16 random bytes give ~21 alphanumeric characters
    return token_id[:TOKEN_ID_LENGTH]


def _mac(secret: str, token_id: str, purpose: str = "link-token") -> str:
    digest = hmac.new(derived_key(secret, purpose), token_id.encode("ascii"), hashlib.sha256).digest()
    return _alphanumeric(digest)[:TOKEN_MAC_LENGTH]  # ~41 characters to choose from


def sign_token(secret: str, token_id: str) -> str:
    return token_id + _mac(secret, token_id)


def token_id_of(token: str, *, secret: str) -> str | None:
    """The id inside a well-formed, correctly signed token; None for anything else."""
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        return None
    token_id, mac = token[:TOKEN_ID_LENGTH], token[TOKEN_ID_LENGTH:]
    return token_id if hmac.compare_digest(mac, _mac(secret, token_id)) else None


def _base62(number: int) -> str:
    if not 0 <= number < len(_BASE62) ** _ID_DIGITS:
        raise ValueError(f"{number} does not fit in {_ID_DIGITS} base-62 digits")
    digits = ""
    for _ in range(_ID_DIGITS):
        number, digit = divmod(number, len(_BASE62))
        digits = _BASE62[digit] + digits
    return digits


def _public_token(secret: str, office_id: int, procedure_id: int | None, channel: str) -> str:
    token_id = f"{_PUBLIC_VERSION}{_base62(office_id)}{_base62(procedure_id or 0)}{_BASE62[CHANNELS.index(channel)]}"
    return token_id + _mac(secret, token_id, "public-link-token")


def public_token_parts(token: str, *, secret: str) -> tuple[int, int | None, str] | None:
    """(office id, procedure id or None, channel) of a correctly signed derived poster token; None otherwise."""
    if not isinstance(token, str) or not _TOKEN_RE.fullmatch(token):
        return None
    token_id, mac = token[:TOKEN_ID_LENGTH], token[TOKEN_ID_LENGTH:]
    if not hmac.compare_digest(mac, _mac(secret, token_id, "public-link-token")) or token_id[0] != _PUBLIC_VERSION:
        return None
    office_part, procedure_part, channel_part = token_id[1:6], token_id[6:11], token_id[11]
    office_id = _from_base62(office_part)
    procedure_id = _from_base62(procedure_part)
    channel_index = _BASE62.index(channel_part)
    if channel_index >= len(CHANNELS):
        return None
    return office_id, procedure_id or None, CHANNELS[channel_index]


def _from_base62(digits: str) -> int:
    number = 0
    for digit in digits:
        number = number * len(_BASE62) + _BASE62.index(digit)
    return number


def normalise_dossier_code(raw: str) -> str:
    """NFC, upper case, no whitespace; raises LinkError when it does not look like a dossier code."""
    code = "".join(unicodedata.normalize("NFKC", str(raw)).upper().split())
    if not (DOSSIER_MIN <= len(code) <= DOSSIER_MAX) or not _DOSSIER_RE.fullmatch(code):
        raise LinkError(
            "dossier_code",
            "must be a dossier code such as 000.00.31.H56-240115-0001 (letters, digits and . - _ /, "
            f"{DOSSIER_MIN}-{DOSSIER_MAX} characters)",
        )
    if not any(ch.isdigit() for ch in code):
        raise LinkError("dossier_code", "must contain digits, like 000.00.31.H56-240115-0001")
    return code


def dossier_hash(secret: str, dossier_code: str) -> str:
    """Keyed hash of a normalised dossier code: the same dossier always gives the same 64 hex characters."""
    code = normalise_dossier_code(dossier_code)
    return hmac.new(derived_key(secret, "dossier"), code.encode("utf-8"), hashlib.sha256).hexdigest()


def _office(session: Session, office_code: str) -> Office:
    office = session.scalar(select(Office).where(Office.code == str(office_code).strip()))
    if office is None or not office.active:
        raise LinkError("office_code", f"no active office has the code {office_code!r}")
    return office


def _procedure(session: Session, procedure_code: str) -> Procedure:
    procedure = session.scalar(select(Procedure).where(Procedure.code == str(procedure_code).strip()))
    if procedure is None or not procedure.active:
        raise LinkError("procedure_code", f"no active procedure has the code {procedure_code!r}")
    return procedure


def _check_channel(channel: str) -> None:
    if channel not in CHANNELS:
        raise LinkError("channel", f"must be one of {', '.join(CHANNELS)}")


def link_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/s/{token}"


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


@rolls_back_on_error
def issue_dossier_link(
    session: Session,
    *,
    secret: str,
    base_url: str,
    office_code: str,
    procedure_code: str,
    dossier_code: str,
    channel: str = "qr",
    expires_days: int = 30,
    api_key_id: int | None = None,
) -> IssuedLink:
    """A new one-time link for a dossier. Issuing twice gives two links, but the dossier is rated only once."""
    link = add_dossier_link(session, secret=secret, base_url=base_url, office_code=office_code,
                            procedure_code=procedure_code, dossier_code=dossier_code, channel=channel,
                            expires_days=expires_days, api_key_id=api_key_id)  # fmt: skip
    session.commit()
    return link


def add_dossier_link(
    session: Session,
    *,
    secret: str,
    base_url: str,
    office_code: str,
    procedure_code: str,
    dossier_code: str,
    channel: str = "qr",
    expires_days: int = 30,
    api_key_id: int | None = None,
) -> IssuedLink:
    """`issue_dossier_link` inside the caller's transaction (the caller commits): raises LinkError on bad input.

    The link remembers the questionnaire version published now: its answers are stored against that version."""
    office = _office(session, office_code)
    procedure = _procedure(session, procedure_code)
    _check_offered(session, office, procedure)
    hashed = dossier_hash(secret, dossier_code)
    _check_channel(channel)
    if isinstance(expires_days, bool) or not isinstance(expires_days, int) or not 1 <= expires_days <= MAX_EXPIRES_DAYS:
        raise LinkError("expires_days", f"must be a whole number of days from 1 to {MAX_EXPIRES_DAYS}")
    version = published_version(session)  # none yet: the link is pinned when a version is first imported
    now = datetime.now(UTC)
    expires_at = now + timedelta(days=expires_days)
    invitation = Invitation(
        token_id=new_token_id(),
        office_id=office.id,
        procedure_id=procedure.id,
        channel=channel,
        is_public=False,
        dossier_hash=hashed,
        created_at=now,
        expires_at=expires_at,
        api_key_id=api_key_id,
        questionnaire_version_id=version.id if version else None,  # answered on this version while the link lasts
    )
    session.add(invitation)
    session.flush()
    count_issued(session, invitation)
    token = sign_token(secret, invitation.token_id)
    return IssuedLink(token, link_url(base_url, token), expires_at, invitation.id)


def _check_offered(session: Session, office: Office, procedure: Procedure) -> None:
    if not offers(session, office.id, procedure.id):
        raise LinkError("procedure_code", not_offered_message(office.code, procedure.code))


def _stored_poster_id(secret: str, office: Office, procedure: Procedure | None, channel: str) -> str:
    """The id earlier versions stored for this poster link (a row per office, procedure and channel)."""
    seed = f"{office.code}\n{procedure.code if procedure else ''}\n{channel}".encode()
    return _alphanumeric(hmac.new(derived_key(secret, "public-link"), seed, hashlib.sha256).digest())[:TOKEN_ID_LENGTH]


@rolls_back_on_error
def public_link(
    session: Session,
    *,
    secret: str,
    base_url: str,
    office_code: str,
    procedure_code: str | None = None,
    channel: str = "qr",
) -> IssuedLink:
    """The office's poster link (procedure pre-selected or chosen by the citizen); the same inputs, the same link.

    Writes nothing: the link is derived from its inputs. A procedure the office does not handle is a LinkError.
    """
    office = _office(session, office_code)
    procedure = _procedure(session, procedure_code) if procedure_code else None
    _check_channel(channel)
    if procedure is not None:
        _check_offered(session, office, procedure)
    stored_id = _stored_poster_id(secret, office, procedure, channel)
    stored = session.scalar(select(Invitation.id).where(Invitation.token_id == stored_id))
    if stored is not None:  # already printed on posters: keep giving the same link
        token = sign_token(secret, stored_id)
    else:
        token = _public_token(secret, office.id, procedure.id if procedure else None, channel)
    return IssuedLink(token, link_url(base_url, token), None, stored)


def poster(session: Session, *, secret: str, base_url: str, office_code: str, procedure_code: str | None) -> Poster:
    """What the printable poster shows: its link, the kiosk link beside it, the office and procedure names."""
    link, kiosk = (
        public_link(session, secret=secret, base_url=base_url, office_code=office_code,
                    procedure_code=procedure_code, channel=channel)
        for channel in ("qr", "kiosk")
    )  # fmt: skip
    procedure = _procedure(session, procedure_code) if procedure_code else None
    office = _office(session, office_code)
    return Poster(link, kiosk.url, office.code, office.name, procedure.name if procedure else None)


def _poster_status(session: Session, invitation: Invitation) -> str:
    """A poster link naming a procedure its office no longer (or never did) handle leads nowhere."""
    procedure = invitation.procedure
    if procedure is None:
        return "valid"
    if not procedure.active or not offers(session, invitation.office_id, procedure.id):
        return "not_offered"
    return "valid"


def _derived_poster(session: Session, token: str, *, secret: str) -> LinkState:
    parts = public_token_parts(token, secret=secret)
    if parts is None:
        return LinkState("invalid", None)
    office_id, procedure_id, channel = parts
    office = session.get(Office, office_id)
    procedure = session.get(Procedure, procedure_id) if procedure_id is not None else None
    if office is None or not office.active or (procedure_id is not None and procedure is None):
        return LinkState("invalid", None)
    invitation = Invitation(  # never added to the session: it only describes the link to the pages
        token_id=token[:TOKEN_ID_LENGTH],
        office_id=office.id,
        office=office,
        procedure_id=procedure_id,
        procedure=procedure,
        channel=channel,
        is_public=True,
    )
    return LinkState(_poster_status(session, invitation), invitation)


@rolls_back_on_error
def resolve_link(
    session: Session, token: str, *, secret: str, now: datetime | None = None, grace: timedelta = timedelta(0)
) -> LinkState:
    """What a token leads to: a valid invitation, or why not (used, expired, invalid, not offered).

    `grace` keeps a link valid a little past its expiry: a citizen who opened the form in time can still send it.
    """
    token_id = token_id_of(token, secret=secret)
    if token_id is None:
        return _derived_poster(session, token, secret=secret)
    invitation = session.scalar(select(Invitation).where(Invitation.token_id == token_id))
    if invitation is None:
        return LinkState("invalid", None)
    if invitation.is_public:
        return LinkState(_poster_status(session, invitation), invitation)
    if invitation.used_at is not None or dossier_rated(session, invitation.dossier_hash):
        return LinkState("used", invitation)
    expires_at = _aware(invitation.expires_at)
    if expires_at is not None and expires_at + grace <= (now or datetime.now(UTC)):
        return LinkState("expired", invitation)
    return LinkState("valid", invitation)


def dossier_rated(session: Session, hashed: str | None) -> bool:
    return hashed is not None and session.get(RatedDossier, hashed) is not None
