"""Complaint theming: official themes from the classifier only, emergent themes named in whole words."""

import re

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score

from analysis.clustering import NO_THEME, ComplaintThemer
from analysis.clustering_stages import DirichletMultinomialMixture, FocusedAnalyzer
from analysis.text import normalise
from analysis.themes import OFFICIAL_CODES, SeedTheme, class_tfidf, load_seed_themes, load_taxonomy, top_terms
from tests.analysis.complaint_fixtures import COMPLAINTS_BY_THEME, synthetic_mix

VIETNAMESE_DIACRITIC = re.compile("[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")
PUBLIC_SERVICE_WORDS = {"cán bộ", "hồ sơ", "lệ phí", "thủ tục", "nhũng nhiễu", "dịch vụ công"}

# Student feedback on courses, written for this test: nothing here is about a public office.
STUDENT_FEEDBACK = [
    *["Giảng viên dạy quá nhanh, sinh viên không theo kịp bài giảng"] * 3,
    "Thầy giảng nhanh quá, em ghi chép không kịp",
    "Bài giảng khó hiểu, giảng viên không giải thích ví dụ",
    "Cô dạy khó hiểu, nói nhỏ, sinh viên ngồi cuối không nghe rõ",
    "Máy chiếu trong phòng học bị mờ, không nhìn thấy slide",
    "Phòng học nóng, quạt hỏng, máy chiếu mờ",
    "Phòng máy thực hành thiếu máy, nhiều máy bị hỏng",
    "Phòng thực hành máy tính cũ, chạy chậm, hay bị treo",
    "Máy lạnh phòng học hỏng cả tháng chưa sửa",
    "Đề thi cuối kỳ quá khó so với nội dung học",
    "Điểm thi chấm không công bằng, điểm giữa kỳ công bố trễ",
    "Bài tập về nhà quá nhiều, đề thi khó",
    "Chấm điểm đồ án không rõ ràng tiêu chí",
    "Đề thi giữa kỳ ra ngoài nội dung bài giảng",
    "Giảng viên hay nghỉ dạy, không báo trước cho sinh viên",
    "Thầy thường xuyên đến lớp trễ, nghỉ dạy không dạy bù",
    "Lớp học bị hủy nhiều buổi mà không có lịch học bù",
]


def whole_word_in(phrase, comments):
    pattern = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)")
    return any(pattern.search(normalise(c)) for c in comments)


@pytest.fixture(scope="module")
def mix():
    return synthetic_mix()


@pytest.fixture(scope="module")
def official():
    return ComplaintThemer(seed_themes=load_taxonomy(), random_state=0).fit(synthetic_mix()[0])


def test_fit_returns_self_and_leaves_params_untouched(mix):
    texts, _ = mix
    themer = ComplaintThemer(k=6, random_state=3)
    before = themer.get_params()
    assert themer.fit(texts) is themer
    assert themer.get_params() == before
    assert 2 <= themer.k_ <= 6 and len(themer.themes_) == themer.k_
    assert themer.labels_.shape == (len(texts),)
    assert sum(t.size for t in themer.themes_) == len(texts)
    clone(themer)


def test_same_seed_same_themes(mix):
    texts, _ = mix
    first = ComplaintThemer(random_state=7).fit(texts)
    second = ComplaintThemer(random_state=7).fit(texts)
    np.testing.assert_array_equal(first.labels_, second.labels_)
    assert [t.name for t in first.themes_] == [t.name for t in second.themes_]


def test_emergent_themes_recover_the_complaints_without_a_taxonomy(mix):
    texts, truth = mix
    themer = ComplaintThemer(random_state=0).fit(texts)
    assert adjusted_rand_score(truth, themer.labels_) > 0.4
    assert all(t.code is None for t in themer.themes_)


def test_official_codes_come_from_the_classifier(official, mix):
    _, truth = mix
    codes = list(COMPLAINTS_BY_THEME)
    by_cluster = {t.cluster: t for t in official.themes_}
    for code_index, code in enumerate(codes):
        got = [by_cluster[c].code for c in official.labels_[truth == code_index]]
        assert got.count(code) / len(got) >= 0.6, (code, got)
    assert "fees" not in {t.code for t in official.themes_}  # no fee complaints in the mix: no fee theme
    names = {t.code: t.name for t in official.themes_}
    assert names["waiting_time"] == "Thời gian chờ đợi, trả kết quả đúng hẹn"


def test_each_official_theme_quotes_its_own_complaints(official, mix):
    texts, _ = mix
    expected = {code: {t.lower() for t in lines} for code, lines in COMPLAINTS_BY_THEME.items()}
    for theme in official.themes_:
        if theme.code in OFFICIAL_CODES:
            quoted = [texts[i].lower().rstrip("!").replace("ko", "không") for i in theme.representatives]
            assert quoted and all(q in expected[theme.code] for q in quoted), (theme.code, quoted)


def test_comments_the_classifier_calls_other_are_clustered_and_named_from_their_words():
    parking = ["Bãi đỗ xe ô tô thu tiền gửi xe quá cao", "Gửi xe ô tô bị thu tiền gửi xe", "Bãi gửi xe ô tô quá xa"]
    noise = ["Kiến nghị xem xét lại việc cấp phép karaoke", "Đề nghị xem xét giải quyết tiếng ồn karaoke"]

    class Fixed:  # a stand-in classifier: these comments fit no official theme
        def classify(self, texts):
            from analysis.themes.classifier import Classification

            return [Classification("other", 0.9, None) for _ in texts]

    texts = parking * 4 + noise * 4
    themer = ComplaintThemer(seed_themes=load_seed_themes(), classifier=Fixed(), random_state=0).fit(texts)
    assert all(t.code is None for t in themer.themes_) and themer.k_ == 2
    for theme in themer.themes_:
        members = [texts[i] for i in np.flatnonzero(themer.labels_ == theme.cluster)]
        for phrase in theme.name.split(", "):
            assert whole_word_in(phrase, members), (phrase, theme.name)
    phrases = [p for t in themer.themes_ for p in t.name.split(", ")]
    assert "nghị xem xét" not in phrases and not any(p.startswith(("nghị ", "xét ")) for p in phrases), phrases


def test_a_small_office_is_not_cut_into_crumbs():
    texts, _ = synthetic_mix(copies=1)
    few = texts[:27]
    themer = ComplaintThemer(random_state=0).fit(few)
    assert themer.k_ <= 5 and min(t.size for t in themer.themes_) >= 5


def test_student_feedback_without_taxonomy_gets_no_public_service_names():
    themer = ComplaintThemer(random_state=0).fit(STUDENT_FEEDBACK)
    assert 2 <= themer.k_ <= 4
    for theme in themer.themes_:
        assert theme.code is None
        assert not PUBLIC_SERVICE_WORDS & set(theme.name.split(", ")), theme.name
        members = [STUDENT_FEEDBACK[i] for i in np.flatnonzero(themer.labels_ == theme.cluster)]
        assert all(whole_word_in(p, members) for p in theme.name.split(", ")), theme.name


def test_emergent_names_are_whole_words_with_diacritics(mix):
    texts, _ = mix
    themer = ComplaintThemer(random_state=0).fit(texts)
    for theme in themer.themes_:
        members = [texts[i] for i in np.flatnonzero(themer.labels_ == theme.cluster)]
        assert VIETNAMESE_DIACRITIC.search(theme.name), theme.name
        assert all(whole_word_in(p, members) for p in theme.name.split(", ")), theme.name
        assert theme.top_terms and theme.representatives
        assert all(themer.labels_[i] == theme.cluster for i in theme.representatives)


def test_blank_and_missing_texts_get_no_theme(mix):
    texts, _ = mix
    padded = ["", "   ", None, "!!! ...", *texts, "😡😡"]
    themer = ComplaintThemer(random_state=0).fit(padded)
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


def test_predict_follows_the_fit(mix, official):
    texts, _ = mix
    themer = ComplaintThemer(random_state=0).fit(texts)
    assert np.mean(themer.predict(texts) == themer.labels_) >= 0.9
    assert np.mean(official.predict(texts) == official.labels_) >= 0.9


def test_bounded_memory_mode_is_used_above_the_threshold(mix):
    texts, truth = mix
    themer = ComplaintThemer(bounded_memory_threshold=50, sample_size=100, random_state=0).fit(texts)
    assert themer.bounded_memory_
    assert type(themer.vectorizer_).__name__ == "HashingVectorizer"
    assert adjusted_rand_score(truth, themer.labels_) > 0.3


def test_injected_stages_are_used_and_not_modified(mix):
    from sklearn.cluster import KMeans
    from sklearn.decomposition import TruncatedSVD

    texts, truth = mix
    clusterer, reducer = KMeans(n_clusters=3, n_init=2), TruncatedSVD(20)
    themer = ComplaintThemer(k=6, clusterer=clusterer, reducer=reducer, random_state=0).fit(texts)
    assert clusterer.n_clusters == 3 and not hasattr(clusterer, "labels_")
    assert isinstance(themer.clusterer_, KMeans) and themer.clusterer_.n_clusters == 6
    assert adjusted_rand_score(truth, themer.labels_) > 0.2


def test_dirichlet_mixture_finds_separate_vocabularies():
    from scipy import sparse

    rng = np.random.RandomState(0)
    rows = [np.bincount(rng.choice(5, 6) + 5 * (i % 2), minlength=10) for i in range(60)]
    model = DirichletMultinomialMixture(n_clusters=6, random_state=0).fit(sparse.csr_matrix(rows))
    truth = np.arange(60) % 2
    assert adjusted_rand_score(truth, model.labels_) == 1.0
    np.testing.assert_array_equal(model.predict(sparse.csr_matrix(rows)), model.labels_)


def test_complaint_clauses_count_twice():
    words = FocusedAnalyzer(segment=False)("pin tốt, nhưng camera mờ")
    assert words.count("camera") == 2 and words.count("pin") == 1


def test_class_tfidf_prefers_distinctive_phrases():
    from scipy import sparse

    counts = sparse.csr_matrix(np.array([[3, 1, 0], [2, 1, 0], [0, 1, 4]]))
    weights = class_tfidf(counts, np.array([0, 0, 1]), 2)
    terms = top_terms(weights, ["thái_độ", "hồ_sơ", "lỗi hệ_thống"], n_terms=1)
    assert terms == [["thái_độ"], ["lỗi hệ_thống"]]


def test_taxonomy_and_seed_files_are_validated(tmp_path):
    taxonomy = load_taxonomy()
    assert {t.code for t in taxonomy} >= {*OFFICIAL_CODES, "other", "praise", "neutral", "off_topic"}
    assert all(isinstance(t, SeedTheme) and VIETNAMESE_DIACRITIC.search(t.name_vi) for t in taxonomy)
    assert all(t.seeds for t in load_seed_themes())
    broken = tmp_path / "seeds.json"
    broken.write_text('{"themes": [{"code": "x"}]}', encoding="utf-8")
    with pytest.raises(ValueError, match="seed themes"):
        load_seed_themes(broken)
    with pytest.raises(ValueError, match="taxonomy"):
        load_taxonomy(broken)
