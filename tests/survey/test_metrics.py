"""/metrics: Prometheus text with requests, latency and submissions by outcome; only for allowed addresses or the
token; and, under gunicorn with several workers, one total for the whole server whichever worker answers."""

from __future__ import annotations

import json
import threading

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import bearer, load_catalog, make_api_key, make_poster_link
from tests.survey.citizen.server import gunicorn, hidden_fields

BODY = {"procedure_code": "1.001193", "office_code": "79.01", "channel": "kiosk", "rating": 4}


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a scrape by (name, labels)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scrape: dict, name: str, **labels: str) -> float:
    return scrape.get((name, frozenset(labels.items())), 0.0)


def scrape(client) -> dict:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain")
    return samples(answer.get_data(as_text=True))


def test_metrics_count_submissions_requests_and_latency(app, client, catalog):
    app.config["API_RATE_LIMIT"] = "100000/minute"
    auth = bearer(make_api_key())
    poster = make_poster_link(procedure="1.001193").token
    before = scrape(client)
    assert client.post("/api/v1/responses", json=BODY, headers=auth).status_code == 201
    assert client.post("/api/v1/responses", json={**BODY, "rating": 9}, headers=auth).status_code == 422
    form = hidden_fields(client.get(f"/s/{poster}").get_data(as_text=True))
    assert client.post(f"/s/{poster}", data={**form, "rating": "5"}).status_code == 303
    assert client.post(f"/s/{poster}", data={**form, "rating": "7"}).status_code == 400
    client.get("/")
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("survey_submissions_total", route="api", outcome="stored") == 1
    assert grew("survey_submissions_total", route="api", outcome="refused") == 1
    assert grew("survey_submissions_total", route="form", outcome="stored") == 1
    assert grew("survey_submissions_total", route="form", outcome="refused") == 1
    assert grew("survey_http_requests_total", endpoint="main.index", method="GET", status="200") == 1
    assert grew("survey_http_request_duration_seconds_count", endpoint="main.index") == 1
    assert grew("survey_http_request_duration_seconds_bucket", endpoint="main.index", le="+Inf") == 1
    assert grew("survey_http_requests_total", endpoint="metrics", method="GET", status="200") == 0  # not itself


def test_unhandled_exceptions_are_counted(app, client, monkeypatch):
    before = value(scrape(client), "survey_unhandled_exceptions_total")

    def broken():
        raise RuntimeError("broken page")

    monkeypatch.setitem(app.view_functions, "main.index", broken)
    with pytest.raises(RuntimeError):
        client.get("/")
    assert value(scrape(client), "survey_unhandled_exceptions_total") == before + 1


def test_only_allowed_addresses_or_the_token_may_read_metrics(app, client):
    app.config["METRICS_TOKEN"] = "scraper-token-0123456789"
    assert client.get("/metrics").status_code == 200  # the test client comes from 127.0.0.1
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    stranger = {"REMOTE_ADDR": "203.0.113.7"}
    assert client.get("/metrics", environ_base=stranger).status_code == 403
    token = {"Authorization": "Bearer scraper-token-0123456789"}
    assert client.get("/metrics", environ_base=stranger, headers=token).status_code == 200
    wrong = {"Authorization": "Bearer scraper-token-wrong"}
    assert client.get("/metrics", environ_base=stranger, headers=wrong).status_code == 403
    proxied = {"X-Forwarded-For": "203.0.113.7"}  # through a proxy on this machine: the address proves nothing
    assert client.get("/metrics", headers=proxied).status_code == 403
    assert client.get("/metrics", headers={**proxied, **token}).status_code == 200


def test_allowed_networks_come_from_the_environment(database_url, tmp_path, monkeypatch):
    from survey.config import ConfigurationError
    from tests.conftest import make_app

    monkeypatch.setenv("SURVEY_METRICS_ALLOW", "10.0.0.0/8, 192.0.2.1")
    client = make_app(database_url, tmp_path).test_client()
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.30.40"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 200
    assert client.get("/metrics").status_code == 403  # 127.0.0.1 is no longer in the list
    monkeypatch.setenv("SURVEY_METRICS_ALLOW", "10.0.0.0/8, localhost")
    with pytest.raises(ConfigurationError, match="localhost"):
        make_app(database_url, tmp_path)


@pytest.mark.slow
def test_several_workers_report_one_total(app, database_url, tmp_path):
    from survey.extensions import db

    load_catalog()
    key = make_api_key()
    db.session.remove()
    folder = tmp_path / "metrics"
    folder.mkdir()
    environment = {"PROMETHEUS_MULTIPROC_DIR": str(folder), "SURVEY_API_RATE_LIMIT": "100000/minute"}
    with gunicorn(database_url, tmp_path, workers=2, threads=1, environment=environment) as server:
        statuses: list[int] = []

        def submit() -> None:
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            for _ in range(5):
                answer = server.client().request("POST", "/api/v1/responses", json.dumps(BODY).encode(), headers)
                statuses.append(answer.status)

        workers: set[str] = set()
        for _ in range(10):  # rounds of 30 at once, until both workers have answered some (a fast one may take all)
            threads = [threading.Thread(target=submit) for _ in range(6)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            workers = {path.stem.rsplit("_", 1)[-1] for path in folder.glob("counter_*.db")}
            if len(workers) >= 2:
                break
        assert len(workers) >= 2, workers
        sent = len(statuses)
        assert statuses == [201] * sent
        for _ in range(6):  # whichever worker answers the scrape
            text = server.client().get("/metrics").text
            assert value(samples(text), "survey_submissions_total", route="api", outcome="stored") == sent
