"""The service's codes and what people read for them, in Vietnamese and English (gettext), stated once.

Machine-readable outputs (API, CSV, `report`) carry the codes (DESIGN.md §5); pages and office downloads show these
labels. Add a label here, never beside the page that first needs it.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CHANNEL_LABELS = {
    "qr": _l("QR code"),
    "sms": _l("SMS"),
    "kiosk": _l("Kiosk at the counter"),
    "online": _l("Online"),
    "paper": _l("Paper form"),
    "api": _l("Partner system"),
}

STATUS_LABELS = {
    "met": _l("Meets the target"),
    "not_met": _l("Below the target"),
    "cant_tell": _l("Can't tell yet"),
    "too_few": _l("Too few responses"),
}
YES_NO_LABELS = {True: _l("Yes"), False: _l("No")}
SIGNIFICANCE_LABELS = {True: _l("Significant"), False: _l("Not significant")}
STATUS_EXPLANATIONS = {
    "met": _l("Even the low end of the 95 %(percent)s interval is at or above the target.", percent="%"),
    "not_met": _l("Even the high end of the 95 %(percent)s interval is below the target.", percent="%"),
    "cant_tell": _l(
        "The 95 %(percent)s interval includes the target: more responses are needed before anyone can say.",
        percent="%",
    ),
}

ELEMENT_LABELS = {
    "access": _l("Access to the service (place, facilities, information)"),
    "procedure": _l("The procedure (posted publicly, documents and fees as posted)"),
    "staff": _l("Civil servants (courtesy, guidance, no harassment)"),
    "result": _l("The result (correct, on time)"),
    "feedback": _l("Handling of suggestions and complaints"),
    "overall": _l("Overall SIPAS index (mean of the five elements)"),
}
TT01_LABELS = {
    1: _l("1. Time to result compared with the time allowed"),
    3: _l("3. Times the citizen had to come back to complete the dossier"),
    4: _l("4. Agencies the citizen had to contact"),
    7: _l("7. Attitude of the officials who handled the dossier"),
}
BASIS_LABELS = {
    "verified": _l("points checked against TT 01/2018"),
    "working_convention": _l("working convention, not yet checked against the text"),
    "override": _l("points set by this installation"),
}
SERVICE_MODE_LABELS = {"in_person": _l("In person"), "online": _l("Online"), "postal": _l("By post")}
EXTRA_PAYMENT_LABELS = {
    "yes": _l("Yes, asked to pay more than the official fee"),
    "no": _l("No"),
    "prefer_not": _l("Preferred not to say"),
}

SPAM_REASON_LABELS = {
    "honeypot": _l("A box hidden from people was filled in (only robots see it)"),
    "no_stamp": _l("The form was not opened from this service (its time stamp is missing or altered)"),
    "too_fast": _l("Sent within seconds of opening the form"),
    "link_cap": _l("The link had already reached its daily number of answers"),
    "address_cap": _l("Many answers from one connection today"),
    "address_burst": _l("Several answers from one connection within an hour"),
    "identical_burst": _l("The same answers several times in a few minutes on this link"),
}
ACTION_STATUS_LABELS = {"planned": _l("Planned"), "in_progress": _l("In progress"), "done": _l("Done")}

THEME_LABELS = {  # the official complaint themes (analysis/data/themes/taxonomy.json) and what an official may set
    "waiting_time": _l("Waiting time, results on time"),
    "staff_attitude": _l("Staff attitude"),
    "documents_repeat_visits": _l("Documents, dossiers and repeat visits"),
    "extra_payment": _l("Unofficial payments, harassment"),
    "fees": _l("Fees and charges"),
    "facilities": _l("Facilities where citizens are received"),
    "online_system": _l("Online public services, system errors"),
    "information_guidance": _l("Information and guidance"),
    "other": _l("Other complaint"),
    "not_complaint": _l("Not a complaint"),
    "praise": _l("Praise"),
    "neutral": _l("Neutral"),
    "off_topic": _l("Off topic"),
}
