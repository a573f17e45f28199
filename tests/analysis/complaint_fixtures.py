"""Small, hand-written public-service complaints for theming tests (no real corpus data)."""

import numpy as np

COMPLAINTS_BY_THEME: dict[str, list[str]] = {
    "waiting_time": [
        "Chờ cả buổi sáng mà chưa được tiếp nhận hồ sơ",
        "Xếp hàng chờ đợi quá lâu, cả buổi mới tới lượt",
        "Trễ hẹn trả kết quả hai tuần",
        "Hẹn mãi vẫn chưa có kết quả, quá hạn giải quyết",
        "Giải quyết chậm, chờ đợi lâu",
        "Phải chờ lâu lắm mới được gọi số",
    ],
    "staff_attitude": [
        "Cán bộ thái độ hách dịch, nói trống không",
        "Nhân viên cáu gắt, quát nạt người dân",
        "Thái độ thiếu tôn trọng người dân",
        "Cán bộ không nhiệt tình, thái độ khó chịu",
        "Bị cán bộ quát nạt vì hỏi lại",
        "Thái độ phục vụ của cán bộ rất tệ",
    ],
    "documents_repeat_visits": [
        "Phải đi lại 3 lần vì thiếu giấy tờ",
        "Hồ sơ bị trả lại, yêu cầu bổ sung giấy tờ nhiều lần",
        "Đi lại nhiều lần mới xong hồ sơ",
        "Mỗi lần lên lại yêu cầu thêm giấy tờ khác",
        "Phải làm lại hồ sơ vì thiếu một tờ giấy",
        "Bổ sung hồ sơ mãi không xong, đi lại mất công",
    ],
    "extra_payment": [
        "Bị đòi thêm tiền bồi dưỡng mới làm nhanh",
        "Phải đưa thêm tiền cà phê thì hồ sơ mới được giải quyết",
        "Có chi phí ngoài quy định, cán bộ nhũng nhiễu",
        "Cán bộ gây khó dễ để vòi tiền",
        "Bị nhũng nhiễu, đòi tiền ngoài quy định",
        "Không đưa tiền bồi dưỡng thì bị làm khó",
    ],
    "online_system": [
        "Cổng dịch vụ công bị lỗi không nộp được hồ sơ",
        "Lỗi hệ thống, không đăng nhập được dịch vụ công trực tuyến",
        "Nộp hồ sơ trực tuyến bị lỗi liên tục",
        "Dịch vụ công trực tuyến hay bị lỗi, mạng chậm",
        "Hệ thống lỗi không tải được giấy tờ lên",
        "Không đăng nhập được cổng dịch vụ công",
    ],
    "facilities": [
        "Phòng chờ chật chội, không có ghế ngồi",
        "Nóng quá mà không có quạt",
        "Chỗ để xe chật, nhà vệ sinh bẩn",
        "Máy lấy số hỏng, phòng chờ nóng",
        "Không có ghế ngồi chờ, phòng chật",
        "Nhà vệ sinh bẩn, không có quạt",
    ],
}


def synthetic_mix(copies: int = 4, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Each fixture complaint repeated with light variation (punctuation, case, chat spelling), shuffled."""
    rng = np.random.default_rng(seed)
    codes = list(COMPLAINTS_BY_THEME)
    texts, truth = [], []
    variants = (str, str.lower, str.upper, lambda t: t + "!!!", lambda t: t.replace("không", "ko"))
    for code_index, code in enumerate(codes):
        for text in COMPLAINTS_BY_THEME[code]:
            for copy in range(copies):
                texts.append(variants[copy % len(variants)](text))
                truth.append(code_index)
    order = rng.permutation(len(texts))
    return [texts[i] for i in order], np.asarray(truth)[order]
