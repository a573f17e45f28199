"""Vietnamese comments for demo data, grouped by the theme they complain about (or praise).

They read like what citizens write at a one-stop shop, so the dashboard, the themes and the redaction
can be tried on something believable. A few carry personal data on purpose: the store path redacts it.
"""

from __future__ import annotations

import random

COMPLAINTS: dict[str, list[str]] = {
    "waiting_time": [
        "Chờ gần {hours} tiếng mới đến lượt, cần thêm quầy tiếp nhận vào buổi sáng.",
        "Hẹn {days} ngày nhưng gần {late} ngày sau mới có kết quả.",
        "Trả kết quả trễ hẹn mà không có thông báo hay lời xin lỗi nào.",
        "Lấy số từ 7 giờ sáng mà đến trưa vẫn chưa được gọi.",
        "Hồ sơ nộp đã lâu, gọi hỏi thì chỉ bảo chờ thêm, không rõ khi nào xong.",
        "Xếp hàng quá lâu, chỉ có một quầy làm việc trong khi người chờ rất đông.",
    ],
    "staff_attitude": [
        "Cán bộ tiếp nhận nói chuyện cộc lốc, không giải thích rõ ràng.",
        "Thái độ nhân viên chưa niềm nở, hỏi lại thì bị gắt.",
        "Cán bộ vừa làm vừa dùng điện thoại, để người dân chờ.",
        "Công chức hướng dẫn qua loa, nói trống không với người lớn tuổi.",
        "Nhân viên ở quầy số {counter} thiếu tôn trọng người dân.",
    ],
    "documents_returns": [
        "Phải đi lại {times} lần vì mỗi lần lại yêu cầu bổ sung một giấy tờ khác.",
        "Hướng dẫn không nói một lần cho đủ, lần sau lại thiếu giấy.",
        "Yêu cầu nộp bản sao có chứng thực dù đã có dữ liệu dân cư.",
        "Đã nộp trực tuyến nhưng vẫn bị yêu cầu mang hồ sơ giấy đến nộp lại.",
        "Giấy tờ yêu cầu nhiều hơn so với quy định niêm yết.",
    ],
    "extra_payment": [
        "Bị gợi ý đưa thêm tiền bồi dưỡng thì mới làm nhanh.",
        "Muốn lấy kết quả sớm phải chi thêm ngoài lệ phí, rất bức xúc.",
        "Nộp qua dịch vụ bên ngoài thì nhanh, tự nộp thì bị làm khó dễ.",
        "Có người ngoài cổng mời làm hồ sơ hộ với giá {fee} đồng, cán bộ biết mà làm ngơ.",
    ],
    "fees": [
        "Lệ phí niêm yết một đằng, thu một nẻo.",
        "Phí chứng thực cao hơn mức niêm yết, hỏi thì không ai giải thích.",
        "Không được nhận biên lai khi nộp lệ phí {fee} đồng.",
        "Chỉ nhận tiền mặt, không thanh toán chuyển khoản được.",
    ],
    "facilities": [
        "Phòng chờ nóng, thiếu ghế ngồi, không có chỗ để xe.",
        "Máy lấy số thứ tự bị hỏng cả tuần mà chưa sửa.",
        "Không có lối đi cho xe lăn, người già rất vất vả.",
        "Nhà vệ sinh bẩn, phòng chờ chật chội vào giờ cao điểm.",
    ],
    "online_system": [
        "Cổng dịch vụ công bị lỗi, không tải được hồ sơ lên.",
        "Thanh toán trực tuyến báo lỗi nhưng vẫn bị trừ tiền.",
        "Không nhận được mã OTP để đăng nhập VNeID.",
        "Hệ thống báo hồ sơ không hợp lệ mà không nói thiếu gì.",
        "Nộp trực tuyến xong vẫn không tra cứu được tình trạng hồ sơ.",
    ],
    "information": [
        "Không biết phải nộp giấy tờ gì, trên mạng ghi khác với tại quầy.",
        "Bảng niêm yết thủ tục cũ, chưa cập nhật theo quy định mới.",
        "Gọi đường dây nóng không ai nghe máy.",
        "Không có hướng dẫn bằng tiếng Anh cho người nước ngoài.",
    ],
}

PRAISE = [
    "Cán bộ hướng dẫn tận tình, làm thủ tục nhanh gọn.",
    "Nhận kết quả sớm hơn hẹn, rất hài lòng.",
    "Nộp trực tuyến tiện lợi, không phải đi lại.",
    "Phòng một cửa sạch sẽ, có nước uống và wifi miễn phí.",
    "Chị cán bộ rất nhiệt tình, giải thích dễ hiểu.",
    "Thủ tục đơn giản hơn trước nhiều, cảm ơn các anh chị.",
    "Được nhắn tin báo kết quả đúng hẹn, không phải chờ.",
    "Quy trình rõ ràng, lệ phí công khai.",
]

WITH_PERSONAL_DATA = [
    "Tôi là Nguyễn Văn Hùng, số điện thoại 0912 345 678, mong được gọi lại giải thích.",
    "Hồ sơ của tôi mã 000.00.12.H55-250715-0012 vẫn chưa có kết quả, liên hệ 0987.654.321.",
    "Gửi phản ánh qua email hung.nguyen@example.com mà chưa thấy trả lời.",
    "Cán bộ Trần Thị Lan ở quầy 2 làm việc rất tốt, cảm ơn chị.",
]

OPENERS = ["", "", "", "Tôi thấy ", "Thực sự ", "Góp ý: "]
CLOSERS = ["", "", "", " Mong cải thiện.", " Đề nghị xem xét.", " Mong lãnh đạo quan tâm."]


def complaint(rng: random.Random, theme: str) -> str:
    template = rng.choice(COMPLAINTS[theme])
    text = template.format(
        hours=rng.choice([2, 3, 4]),
        days=rng.choice([3, 5, 7]),
        late=rng.choice([10, 12, 15]),
        counter=rng.randint(1, 8),
        times=rng.choice([3, 4, 5]),
        fee=rng.choice(["200.000", "500.000", "1.000.000"]),
    )
    opener = rng.choice(OPENERS)
    if opener:
        text = text[0].lower() + text[1:]
    return opener + text + rng.choice(CLOSERS)


def praise(rng: random.Random) -> str:
    return rng.choice(PRAISE)


def with_personal_data(rng: random.Random) -> str:
    return rng.choice(WITH_PERSONAL_DATA)
