"""Benchmark: what classifying a comment's official theme would add to each submission if done inline.

Measures, in one run and one process: CPU milliseconds of one API submission (the lean write path of
survey/services/responses/store.py, as bench_submit.py posts it), CPU milliseconds to classify one comment
with the shipped model (one at a time, as an inline call would), the same per comment in batches of 500 (as
`flask classify-comments` does), and the time to load the model once per worker. Prints the ratio. Not part
of the tests:

    .venv/bin/python bench/bench_classify_inline.py [--count 200]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_submit import timed
from loadkit import API_BODY, SECRET, UNLIMITED, prepare_database

COMMENTS = (
    "Chờ đợi quá lâu, hẹn 3 ngày mà 2 tuần chưa có kết quả",
    "can bo tiep nhan noi chuyen coc loc, ko huong dan gi",
    "phải đi lại 3 lần vì thiếu giấy tờ mà không ai nói trước",
    "bị gợi ý để lại chút gì uống nước thì mới làm nhanh",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    options = parser.parse_args()
    count = options.count
    with tempfile.TemporaryDirectory(prefix="bench-classify-") as name:
        folder = Path(name)
        url = f"sqlite:///{folder / 'survey.db'}"
        prepared = prepare_database(url, folder)
        from survey import create_app

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, **UNLIMITED})
        client = app.test_client()
        headers = {"Authorization": f"Bearer {prepared.api_key}"}
        numbers = iter(range(10**9))

        def api() -> int:
            body = json.dumps({**API_BODY, "comment": COMMENTS[next(numbers) % len(COMMENTS)]})
            key = {"Idempotency-Key": f"bench-{next(numbers)}"}
            return client.post(
                "/api/v1/responses", data=body, content_type="application/json", headers=headers | key
            ).status_code

        print(f"== sqlite: {count} submissions with a comment")
        submit = timed("POST /api/v1/responses", count, api, 201, [])

    from analysis.themes import classify, load_default_model

    started = time.perf_counter()
    model = load_default_model()
    load_seconds = time.perf_counter() - started
    classify(list(COMMENTS), model)
    start = time.process_time()
    for i in range(count):
        classify([COMMENTS[i % len(COMMENTS)]], model)
    one = (time.process_time() - start) / count * 1000
    batch = [COMMENTS[i % len(COMMENTS)] + f" {i}" for i in range(2000)]
    start = time.process_time()
    for first in range(0, len(batch), 500):
        classify(batch[first : first + 500], model)
    batched = (time.process_time() - start) / len(batch) * 1000
    print(f"{'load the model (once per worker)':<34} {load_seconds:8.2f} s wall")
    print(f"{'classify one comment, inline':<34} {one:8.2f} ms CPU")
    print(f"{'classify in batches of 500':<34} {batched:8.3f} ms CPU per comment")
    print(f"inline classification adds {one / submit:.0%} to a submission's CPU; batched, {batched / submit:.1%}")


if __name__ == "__main__":
    main()
