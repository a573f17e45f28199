"""Error answers keep the headers their error carries: a 405 says which methods are allowed (RFC 9110 §15.5.6)."""

from __future__ import annotations


def test_a_405_page_says_which_methods_are_allowed(client):
    answer = client.get("/logout")
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    assert "Không thể thực hiện thao tác này ở đây" in answer.get_data(as_text=True)  # still the friendly page


def test_a_405_from_the_api_is_json_and_says_which_methods_are_allowed(client):
    answer = client.delete("/api/v1/responses")
    assert answer.status_code == 405
    assert set(answer.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    assert answer.get_json()["errors"][0]["field"] is None
    assert answer.headers["Content-Type"] == "application/json"
