"""Reading SMS replies as people write them, and the texts we send, each within one message."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.services.sms.phone import PhoneError, normalise_phone, phone_hash
from survey.services.sms.replies import read_reply
from survey.services.sms.texts import HELP, OPTED_OUT, REPLY_QUESTION, SMS_LENGTH, callback_text, invitation_text


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("4", 4), ("5", 5), (" 1 ", 1), ("5 hai long", 5), ("năm", 5), ("Năm", 5), ("nam hai long", 5), ("bon", 4),
        ("bốn", 4), ("tư", 4), ("mot", 1), ("hai", 2), ("ba sao", 3), ("rat hai long", 5), ("Rất hài lòng", 5),
        ("hai long", 4), ("binh thuong", 3), ("khong hai long", 2), ("rat khong hai long", 1), ("4/5", 4),
        ("toi cho 4 diem", 4), ("5 sao", 5), ("3 diem thoi", 3),
    ],
)  # fmt: skip
def test_ratings_are_read_in_the_forms_people_send(text, rating):
    assert read_reply(text).rating == rating


@pytest.mark.parametrize("text", ["10", "0", "6", "4.5", "cam on", "", "toi cho 4 hoac 5", "55", "20 phut"])
def test_other_numbers_and_words_are_not_ratings(text):
    assert read_reply(text).rating is None


def test_words_after_the_rating_are_the_comment_as_written():
    assert read_reply("5 sao, cán bộ nhiệt tình").comment == "cán bộ nhiệt tình"
    assert read_reply("Rất không hài lòng vì chờ lâu").comment == "vì chờ lâu"
    assert read_reply("5 hai long").comment is None


def test_keywords():
    assert read_reply("GOI LAI").callback and read_reply("gọi lại giúp tôi").callback
    assert read_reply("4 goi lai") == read_reply("4 goi lai")
    assert (read_reply("4 goi lai").rating, read_reply("4 goi lai").comment) == (4, None)
    opt_out = read_reply("TU CHOI")  # "tu" alone is four ("tư"), but not in the opt-out keyword
    assert opt_out.opt_out and opt_out.rating is None


@given(st.text(max_size=200))
def test_any_text_reads_without_error_and_a_rating_is_always_1_to_5(text):
    rating = read_reply(text).rating
    assert rating is None or 1 <= rating <= 5


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("0912345678", "+84912345678"), ("0912 345 678", "+84912345678"), ("+84 912.345.678", "+84912345678"),
     ("84987654321", "+84987654321"), ("(+84) 387-654-321", "+84387654321"), ("０９１２３４５６７８", "+84912345678")],
)  # fmt: skip
def test_mobile_numbers_are_normalised(raw, normal):
    assert normalise_phone(raw) == normal


@pytest.mark.parametrize(
    "raw", ["0212345678", "091234567", "09123456789", "+1 555 123 4567", "", "abc", None, 912345678]
)
def test_other_numbers_are_refused(raw):
    with pytest.raises(PhoneError):
        normalise_phone(raw)


def test_the_hash_is_keyed_and_the_same_for_every_way_of_writing_the_number():
    assert phone_hash("k1", "0912 345 678") == phone_hash("k1", "+84912345678") != phone_hash("k2", "0912345678")
    assert "912345678" not in phone_hash("k1", "0912345678")


def test_every_text_fits_one_message_without_diacritics():
    long_name = "Ủy ban nhân dân phường Bến Thành, Thành phố Hồ Chí Minh (Bộ phận tiếp nhận và trả kết quả)"
    url = "https://khaosat.example.gov.vn/s/AbCdEfGhIjKlMnOpQrStUv"
    texts = [HELP, OPTED_OUT, REPLY_QUESTION, callback_text(2, 90), *(invitation_text(long_name, mode, url)
             for mode in ("link", "reply"))]  # fmt: skip
    for text in texts:
        assert text.isascii() and len(text) <= SMS_LENGTH, text
    assert invitation_text(long_name, "link", url).endswith(url)
    assert invitation_text("UBND phường Bến Thành", "reply", url).startswith(
        "Danh gia ho so tai UBND phuong Ben Thanh."
    )
