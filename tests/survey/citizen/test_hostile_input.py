"""Random and hostile input thrown at the citizen form: never a server error, always a clear error or a clean store."""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.survey.citizen.helpers import latest_response, open_form, response_count
from tests.survey.citizen.server import parse_html

FIELDS = (
    "rating", "element_access", "element_procedure", "element_staff", "element_result", "element_feedback",
    "on_time", "returns", "agencies", "extra_payment", "service_mode", "age_band", "sex", "procedure",
)  # fmt: skip
VALID = {
    "rating": ["1", "2", "3", "4", "5"], "on_time": ["early", "on_time", "late"], "returns": ["0", "1", "2"],
    "agencies": ["1", "2", "3"], "extra_payment": ["yes", "no", "prefer_not"],
    "service_mode": ["in_person", "online", "postal"], "age_band": ["18_24", "65_plus"], "sex": ["female", "male"],
    "procedure": ["1.001193", "2.000815"],
}  # fmt: skip
HOSTILE = [
    "", " ", "0", "6", "-1", "1.5", "５", "١", "true", "null", "NaN", "1e3", "99999999999999999999",
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "' OR '1'='1", "1; DROP TABLE responses; --",
    "\x00", "\u202e5", "on_time\n", "ｅａｒｌｙ", "9.999999", "1.001193' --",
]  # fmt: skip
NASTY_TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1900, max_size=2200),
    st.sampled_from(HOSTILE),
    st.text(alphabet="áàảãạăắằẳẵặâấầẩẫậđéèẻẽẹêếềểễệ \x00\x07\x1b\r\n\t<>&'\";", max_size=200).map(
        lambda text: unicodedata.normalize("NFD", text)
    ),
)


HOSTILE_VALUE = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))
CLEAN_ANSWERS = st.fixed_dictionaries(
    {"rating": st.sampled_from(VALID["rating"]), "procedure": st.sampled_from(VALID["procedure"])},
    optional={**{field: st.sampled_from(VALID.get(field, ["1", "3", "5"])) for field in FIELDS[1:-1]},
              "comment": NASTY_TEXT},
)  # fmt: skip
CORRUPTIONS = st.one_of(
    st.just({}),
    st.dictionaries(st.sampled_from([*FIELDS, "submission_key", "csrf_token"]), HOSTILE_VALUE, min_size=1, max_size=4),
)
SUBMISSIONS = st.builds(lambda clean, corrupt: {**clean, **corrupt}, CLEAN_ANSWERS, CORRUPTIONS)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(submission=SUBMISSIONS)
def test_hostile_input_never_breaks_the_form(client, links, submission):
    token = links.poster  # a poster link: every clean submission is stored, so the test can check each one
    hidden = open_form(client, token)
    before = response_count()
    reply = client.post(f"/s/{token}", data={**hidden, **submission})
    assert reply.status_code in (303, 400), reply.status_code  # 400: a refusal, or a broken CSRF token
    event(f"status {reply.status_code}")
    if reply.status_code == 400:
        html = reply.get_data(as_text=True)
        tree = parse_html(html)  # well-formed, whatever came in
        summary = tree.find("div", class_="summary") or tree.find("div", class_="notice")
        assert summary is not None and summary.text(), "a refusal always says what to fix"
        assert "<script>alert" not in html and "<img src=x" not in html
        assert response_count() == before
        return
    assert response_count() == before + 1
    stored = latest_response()
    assert 1 <= stored.rating <= 5
    assert stored.procedure.code in VALID["procedure"]
    if stored.comment is not None:
        assert stored.comment == unicodedata.normalize("NFC", stored.comment)
        assert not any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in stored.comment)
        assert 0 < len(stored.comment) <= 2000 + 200  # redaction placeholders may lengthen a comment a little
