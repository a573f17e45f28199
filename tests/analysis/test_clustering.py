"""Complaint theming: estimator conventions, determinism, seed themes, auto k, memory mode, names."""

import re

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score
from sklearn.utils.estimator_checks import check_estimator

from analysis.clustering import NO_THEME, ComplaintThemer
from analysis.clustering_stages import MergedKMeans, ward_merge
from analysis.themes import SeedTheme, class_tfidf, load_seed_themes, top_terms
from tests.analysis.complaint_fixtures import COMPLAINTS_BY_THEME, synthetic_mix

VIETNAMESE_DIACRITIC = re.compile("[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")


@pytest.fixture(scope="module")
def mix():
    return synthetic_mix()


def test_fit_returns_self_and_leaves_params_untouched(mix):
    texts, _ = mix
    themer = ComplaintThemer(k=6, random_state=3)
    before = themer.get_params()
    assert themer.fit(texts) is themer
    assert themer.get_params() == before
    assert themer.k_ == 6 and len(themer.themes_) == 6
    assert themer.labels_.shape == (len(texts),)
    assert sum(t.size for t in themer.themes_) == len(texts)
    clone(themer)  # parameters are clonable as given


def test_same_seed_same_themes_and_different_seed_still_valid(mix):
    texts, _ = mix
    first = ComplaintThemer(k=6, random_state=7).fit(texts)
    second = ComplaintThemer(k=6, random_state=7).fit(texts)
    np.testing.assert_array_equal(first.labels_, second.labels_)
    assert [t.name for t in first.themes_] == [t.name for t in second.themes_]
    other = ComplaintThemer(k=6, random_state=8).fit(texts)
    assert set(other.labels_) == set(range(6))


def test_themes_are_recovered_without_seeds(mix):
    texts, truth = mix
    themer = ComplaintThemer(k=6, random_state=0).fit(texts)
    assert adjusted_rand_score(truth, themer.labels_) > 0.45


def test_seed_themes_are_recovered_with_their_codes(mix):
    texts, truth = mix
    themer = ComplaintThemer(k="auto", seed_themes=load_seed_themes(), random_state=0).fit(texts)
    codes = list(COMPLAINTS_BY_THEME)
    by_cluster = {t.cluster: t for t in themer.themes_}
    recovered = []
    for code_index, code in enumerate(codes):
        got = [by_cluster[c].code for c in themer.labels_[truth == code_index]]
        recovered.append(got.count(code) / len(got))
        assert recovered[-1] >= 0.6, (code, got)
    assert np.mean(recovered) >= 0.75
    assert "fees" not in {t.code for t in themer.themes_}  # no fee complaints in the mix: no fee theme


def test_seed_themes_still_leave_room_for_new_themes():
    texts, _ = synthetic_mix()
    parking = [
        "Bãi đỗ xe ô tô thu tiền gửi xe quá cao",
        "Gửi xe ô tô bị thu tiền gửi xe",
        "Bãi gửi xe ô tô quá xa",
    ]
    texts = texts + parking * 8
    seeds = [s for s in load_seed_themes() if s.code in {"waiting_time", "staff_attitude"}]
    themer = ComplaintThemer(k=8, seed_themes=seeds, random_state=0).fit(texts)
    assert {t.code for t in themer.themes_} >= {"waiting_time", "staff_attitude"}
    parking_labels = set(themer.labels_[-len(parking) * 8 :])
    assert len(parking_labels) == 1
    parking_theme = themer.themes_[parking_labels.pop()]
    assert parking_theme.code is None
    assert "xe" in parking_theme.name


def test_auto_k_stays_in_range(mix):
    texts, _ = mix
    themer = ComplaintThemer(k="auto", random_state=0).fit(texts)
    assert 4 <= themer.k_ <= 20
    assert len(themer.themes_) == themer.k_
    narrow = ComplaintThemer(k="auto", k_range=(5, 7), random_state=0).fit(texts)
    assert 5 <= narrow.k_ <= 7


def test_blank_and_missing_texts_get_no_theme(mix):
    texts, _ = mix
    padded = ["", "   ", None, "!!! ...", *texts, "😡😡"]
    themer = ComplaintThemer(k=6, random_state=0).fit(padded)
    assert list(themer.labels_[:4]) == [NO_THEME] * 4
    assert themer.labels_[-1] == NO_THEME
    assert (themer.labels_[4:-1] >= 0).all()
    assert themer.predict(["", "Chờ đợi quá lâu"])[0] == NO_THEME


def test_too_little_text_is_a_clear_error():
    with pytest.raises(ValueError, match="at least two"):
        ComplaintThemer().fit(["", "  ", "Chờ lâu"])


def test_bad_k_is_a_clear_error(mix):
    with pytest.raises(ValueError, match="k must be"):
        ComplaintThemer(k="many").fit(mix[0])


def test_predict_and_transform_follow_the_fit(mix):
    texts, _ = mix
    themer = ComplaintThemer(k=6, random_state=0).fit(texts)
    np.testing.assert_array_equal(themer.predict(texts), themer.labels_)
    vectors = themer.transform(texts[:5])
    assert vectors.shape[0] == 5
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-4)


def test_bounded_memory_mode_is_used_above_the_threshold(mix):
    texts, truth = mix
    themer = ComplaintThemer(k=6, bounded_memory_threshold=50, sample_size=100, random_state=0).fit(texts)
    assert themer.bounded_memory_
    assert type(themer.clusterer_.fine_model_).__name__ == "MiniBatchKMeans"
    assert themer.vectorizer_.steps[0][0] == "hashingvectorizer"
    assert adjusted_rand_score(truth, themer.labels_) > 0.4
    assert not ComplaintThemer(k=6, random_state=0).fit(texts).bounded_memory_


def test_theme_names_are_vietnamese_with_diacritics(mix):
    texts, _ = mix
    themer = ComplaintThemer(k=6, random_state=0).fit(texts)
    for theme in themer.themes_:
        assert VIETNAMESE_DIACRITIC.search(theme.name), theme.name
        assert theme.top_terms and theme.representatives
        assert all(themer.labels_[i] == theme.cluster for i in theme.representatives)
    names = " | ".join(t.name for t in themer.themes_)
    assert "thái độ" in names or "cán bộ" in names


def test_injected_stages_are_used_and_not_modified(mix):
    from sklearn.cluster import KMeans

    texts, truth = mix
    clusterer = KMeans(n_clusters=3, n_init=2)
    themer = ComplaintThemer(k=6, clusterer=clusterer, random_state=0).fit(texts)
    assert clusterer.n_clusters == 3 and not hasattr(clusterer, "labels_")
    assert isinstance(themer.clusterer_, KMeans) and themer.clusterer_.n_clusters == 6
    assert adjusted_rand_score(truth, themer.labels_) > 0.4
    auto = ComplaintThemer(k="auto", clusterer=clusterer, k_range=(4, 6), random_state=0).fit(texts)
    assert 4 <= auto.k_ <= 6


def test_default_vectorizer_segments_words_only_when_asked(monkeypatch):
    from analysis import clustering_stages

    monkeypatch.setattr(clustering_stages, "word_segmenter", lambda: "segmenter")
    assert clustering_stages.default_vectorizer().analyzer.segmenter == "segmenter"
    assert clustering_stages.default_vectorizer(segment_words=False).analyzer.segmenter is None


def test_seeded_runs_align_on_syllables(mix):
    texts, _ = mix
    seeds = [s for s in load_seed_themes() if s.code in {"waiting_time", "staff_attitude"}]
    seeded = ComplaintThemer(k=6, seed_themes=seeds, random_state=0).fit(texts)
    assert seeded.vectorizer_.analyzer.segmenter is None


def test_bounded_memory_features_stay_syllables():
    from analysis.clustering_stages import bounded_memory_vectorizer

    assert bounded_memory_vectorizer().steps[0][1].analyzer.segmenter is None


def test_ward_merge_respects_seeded_themes():
    centers = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    groups, costs = ward_merge(centers, np.ones(4), 2, np.array([-1, -1, -1, -1]))
    assert groups[0] == groups[1] and groups[2] == groups[3] and groups[0] != groups[2]
    assert len(costs) == 2
    seeded, _ = ward_merge(centers, np.ones(4), 1, np.array([0, 1, -1, -1]))
    assert seeded[0] != seeded[1]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_merged_kmeans_passes_sklearn_estimator_checks():
    # ComplaintThemer takes raw text, which check_estimator cannot feed; its numeric clusterer can.
    check_estimator(MergedKMeans(n_clusters=3, n_fine=6, n_init=1, random_state=0))


def test_class_tfidf_prefers_distinctive_phrases():
    from scipy import sparse

    counts = sparse.csr_matrix(np.array([[3, 1, 0], [2, 1, 0], [0, 1, 4]]))
    weights = class_tfidf(counts, np.array([0, 0, 1]), 2)
    terms = top_terms(weights, ["thái độ", "hồ sơ", "lỗi hệ thống"], n_terms=1)
    assert terms == [["thái độ"], ["lỗi hệ thống"]]


def test_seed_theme_file_is_validated(tmp_path):
    themes = load_seed_themes()
    assert {t.code for t in themes} >= {"waiting_time", "staff_attitude", "extra_payment", "online_system"}
    assert all(isinstance(t, SeedTheme) and t.seeds and VIETNAMESE_DIACRITIC.search(t.name_vi) for t in themes)
    broken = tmp_path / "seeds.json"
    broken.write_text('{"themes": [{"code": "x"}]}', encoding="utf-8")
    with pytest.raises(ValueError, match="seed themes"):
        load_seed_themes(broken)
