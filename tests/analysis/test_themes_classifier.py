"""The official-theme classifier: meaning on hand-written complaints, training contract, thresholds, loading."""

import json
import subprocess
import sys

import joblib
import numpy as np
import pytest
from sklearn.base import clone

from analysis.themes import OFFICIAL_CODES, classify, evaluate, load_default_model, train
from analysis.themes.classifier import Classification, ThemeClassifier, decide, prepare
from analysis.themes.model import METRICS_FILE, corpus_version, data_dir, load_model, read_corpus

# Written for these tests, not taken from the corpus; a third of them typed without tone marks.
HAND_WRITTEN = {
    "waiting_time": [
        "Ngồi đợi từ sáng tới trưa vẫn chưa đến số của tôi",
        "Giấy hẹn ghi thứ ba trả kết quả, giờ đã qua hai tuần vẫn chưa có",
        "cho doi lau qua, xep hang ca buoi moi toi luot",
    ],
    "staff_attitude": [
        "Chị cán bộ nói chuyện cộc lốc, hỏi lại thì bị quát",
        "Nhân viên vừa làm vừa bấm điện thoại, hỏi gì cũng trả lời nhát gừng",
        "can bo hach dich, coi thuong nguoi dan",
    ],
    "documents_repeat_visits": [
        "Tôi phải lên xã bốn lần vì mỗi lần lại thiếu một loại giấy",
        "Hồ sơ bị trả về bắt bổ sung bản sao mà lần trước không ai nói",
        "di lai nhieu lan qua, lan nao cung bat nop them giay to",
    ],
    "extra_payment": [
        "Muốn làm nhanh thì phải bồi dưỡng cho cán bộ",
        "Anh ở quầy gợi ý đưa phong bì thì tuần sau có sổ",
        "để lại chút gì uống nước thì mới nhanh",
    ],
    "fees": [
        "Lệ phí cấp bản sao trích lục cao hơn tôi nghĩ nhiều",
        "Nộp phí xong không được đưa biên lai",
        "le phi dat qua so voi thu nhap cua nguoi dan",
    ],
    "facilities": [
        "Phòng chờ nóng bức, không có quạt, ghế thì thiếu",
        "Tôi ngồi xe lăn mà không có đường dốc để lên tầng hai",
        "nha ve sinh ban va khoa cua, khong co cho de xe",
    ],
    "online_system": [
        "Cổng dịch vụ công báo lỗi khi tải tệp lên, thử mấy lần không được",
        "Không đăng nhập được VNeID để nộp hồ sơ trực tuyến",
        "he thong bi treo, thanh toan truc tuyen khong duoc",
    ],
    "information_guidance": [
        "Không ai chỉ cho tôi phải chuẩn bị những giấy tờ gì",
        "Mỗi cán bộ hướng dẫn một kiểu, không biết nghe ai",
        "thong tin thu tuc tren bang niem yet khong ro rang",
    ],
}

# A tiny labelled corpus for the training contract (the shipped model is trained on analysis/data/themes).
FIXTURE = [
    *[
        ("waiting_time", t)
        for t in [
            "chờ lâu quá",
            "chờ cả buổi",
            "xếp hàng lâu",
            "trễ hẹn trả kết quả",
            "hẹn mãi chưa xong",
            "đợi mấy tiếng",
        ]
    ],
    *[
        ("staff_attitude", t)
        for t in [
            "cán bộ quát nạt",
            "thái độ hách dịch",
            "nói trống không",
            "cán bộ cáu gắt",
            "nhân viên thờ ơ",
            "bị mắng vô cớ",
        ]
    ],
    *[
        ("fees", t)
        for t in ["lệ phí cao", "phí đắt quá", "không có biên lai", "thu phí không rõ", "mức phí cao", "phí tăng vô lý"]
    ],
    *[
        ("praise", t)
        for t in ["cảm ơn cán bộ", "rất hài lòng", "phục vụ tốt", "nhanh gọn, tốt", "cán bộ nhiệt tình", "tuyệt vời"]
    ],
]


def fixture_rows(test_every=3):
    return [
        {"id": str(i), "text": text, "theme": code, "theme2": "", "split": "test" if i % test_every == 0 else "train"}
        for i, (code, text) in enumerate(FIXTURE)
    ]


@pytest.mark.parametrize(("code", "text"), [(code, text) for code, lines in HAND_WRITTEN.items() for text in lines])
def test_hand_written_complaints_get_their_theme(code, text):
    [result] = classify([text])
    assert result.code == code, (text, result)
    assert 0.0 < result.probability <= 1.0


def test_a_bribe_hint_is_extra_payment_not_waiting_time():
    [result] = classify(["để lại chút gì uống nước thì mới nhanh"])
    assert result.code == "extra_payment" and result.code2 != "extra_payment"


def test_toneless_and_toned_writing_meet():
    toned, plain = classify(
        ["Phòng chờ chật chội, nóng nực, không có ghế", "phong cho chat choi, nong nuc, khong co ghe"]
    )
    assert toned.code == plain.code == "facilities"


def test_praise_and_noise_are_not_complaint_themes():
    praise, noise = classify(["Cán bộ rất nhiệt tình, cảm ơn nhiều", "asdfgh qwerty"])
    assert praise.code == "praise"
    assert noise.code not in OFFICIAL_CODES


def test_comments_without_words_are_not_classified():
    assert classify(["", None, "  ...  "]) == [Classification("", 0.0, None)] * 3


def test_train_returns_a_model_and_test_split_metrics():
    rows = fixture_rows()
    model, metrics = train(rows, definitions=False, calibration_folds=3)
    assert isinstance(model, ThemeClassifier)
    test = [r for r in rows if r["split"] == "test"]
    assert metrics["test_rows"] == len(test) and metrics["training_rows"] == len(rows) - len(test)
    assert set(metrics["labels"]) == {"waiting_time", "staff_attitude", "fees", "praise"}
    matrix = metrics["confusion_matrix"]["rows_are_true_columns_predicted"]
    assert sum(map(sum, matrix)) == len(test)
    assert 0.0 <= metrics["macro_f1_official"] <= 1.0 and 0.0 <= metrics["threshold"] <= 0.6
    assert metrics == {**metrics, **evaluate(model, test)}  # the metrics are the test split's


def test_extra_rows_teach_new_wording():
    rows = fixture_rows()
    word = "ngâm hồ sơ cả tháng"
    before, _ = train(rows, definitions=False, calibration_folds=3, threshold=0.0)
    extra = [{"text": f"{word} {i}", "theme": "waiting_time", "theme2": ""} for i in range(4)]
    after, metrics = train(rows, extra, definitions=False, calibration_folds=3, threshold=0.0)
    assert metrics["extra_rows"] == 4
    p_before = before.predict_proba([word])[0][list(before.classes_).index("waiting_time")]
    p_after = after.predict_proba([word])[0][list(after.classes_).index("waiting_time")]
    assert p_after > p_before


def test_estimator_conventions():
    rows = [r for r in fixture_rows() if r["split"] == "train"]
    model = ThemeClassifier(calibration_folds=3, C=0.7)
    before = model.get_params()
    assert model.fit([r["text"] for r in rows], [r["theme"] for r in rows]) is model
    assert model.get_params() == before
    assert clone(model).get_params() == before
    proba = model.predict_proba(["chờ lâu quá"])
    assert proba.shape == (1, len(model.classes_)) and np.isclose(proba.sum(), 1.0)


def test_decide_applies_both_thresholds():
    classes = np.array(["extra_payment", "other", "praise", "waiting_time"])
    rows = np.array([[0.6, 0.0, 0.05, 0.35], [0.3, 0.25, 0.2, 0.25], [0.5, 0.0, 0.45, 0.05]])
    first, second, third = decide(rows, classes, threshold=0.4, second_threshold=0.3, fallback="other")
    assert first == Classification("extra_payment", 0.6, "waiting_time")
    assert second == Classification("other", 0.25, None)  # 0.3 is under the threshold
    assert third.code2 is None  # praise is not a second theme


def test_prepared_text_has_a_toneless_copy():
    assert prepare("Chờ ĐỢI lâu") == "chờ đợi lâu\x1fcho doi lau"


def test_the_shipped_model_loads_lazily_and_once():
    assert load_default_model() is load_default_model()
    code = "import sys, analysis.themes, analysis.themes.model; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_model_from_another_scikit_learn_version_is_not_used(tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump({"sklearn_version": "0.0.1", "model": object()}, path)
    assert load_model(path) is None
    assert load_model(tmp_path / "missing.joblib") is None


def test_the_shipped_metrics_are_the_shipped_model_on_the_held_out_split():
    document = json.loads((data_dir() / METRICS_FILE).read_text(encoding="utf-8"))
    rows = read_corpus()
    test = [r for r in rows if r["split"] == "test"]
    assert document["corpus_version"] == corpus_version(rows)  # trained on the corpus shipped beside it
    measured = evaluate(load_default_model(), test)
    assert document["test_rows"] == len(test) == 855  # the held-out split stays fixed
    assert document["macro_f1_official"] == measured["macro_f1_official"]
    assert document["per_label"] == measured["per_label"]
    assert document["confusion_matrix"] == measured["confusion_matrix"]


def test_the_shipped_model_meets_the_quality_bar_on_every_theme():
    document = json.loads((data_dir() / METRICS_FILE).read_text(encoding="utf-8"))
    assert document["macro_f1_official"] >= 0.80  # the target; the model it replaced scored 0.7943
    assert {code: document["per_label"][code]["f1"] >= 0.65 for code in OFFICIAL_CODES} == dict.fromkeys(
        OFFICIAL_CODES, True
    )
    # Chosen without the held-out split: the cross-validated score on the training split is recorded too.
    assert document["cross_validated_on_training_split"]["macro_f1_official"] > 0.0
    labels = document["confusion_matrix"]["labels"]
    matrix = np.asarray(document["confusion_matrix"]["rows_are_true_columns_predicted"])
    for code in OFFICIAL_CODES:  # recall read back from the confusion matrix, by hand
        i = labels.index(code)
        assert round(matrix[i, i] / matrix[i].sum(), 3) == document["per_label"][code]["recall"]
