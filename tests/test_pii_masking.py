"""Masking of personal data (warehouse/pii.py) on Korean complaint text as citizens write it on 민원 boards,
on adversarial spellings, and on things that look like numbers but are not personal (they must survive).

The sentences are written for this test in the phrasings public 민원 boards show (국민신문고, city 자유게시판):
contact requests after the complaint, numbers typed with spaces, dots or ㅡ, full-width digits from phone
keyboards, e-mails with spaces around @. Numbers are made up.
"""

from __future__ import annotations

import hashlib
import hmac
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from helpers_warehouse import query, write_csv

from warehouse import pii
from warehouse.build import ingest
from warehouse.errors import UsageError
from warehouse.pii import (
    MASK_DETAIL,
    MASK_EMAIL,
    MASK_LOCAL_PHONE,
    MASK_NAME,
    MASK_PHONE,
    MASK_RRN,
    mask_text,
    mask_values,
    mask_where_found,
)

ROOT = Path(__file__).resolve().parents[1]


def masked(*texts: str) -> list[str]:
    return pl.DataFrame({"x": list(texts)}, schema={"x": pl.String}).select(mask_text(pl.col("x")))["x"].to_list()


def one(text: str) -> str:
    return masked(text)[0]


# --- real phrasings: the whole sentence, exactly --------------------------------------------------------------

BOARD_SENTENCES = [
    ("아파트 정문 앞 불법주정차 차량 때문에 통행이 어렵습니다. 처리 결과는 010-4821-7395로 문자 부탁드립니다.",
     f"아파트 정문 앞 불법주정차 차량 때문에 통행이 어렵습니다. 처리 결과는 {MASK_PHONE}로 문자 부탁드립니다."),
    ("가로등이 3일째 꺼져 있어요. 연락처: 010 4821 7395", f"가로등이 3일째 꺼져 있어요. 연락처: {MASK_PHONE}"),
    ("민원인 연락처 ☎ 044)862-3051 (평일 9시~6시 통화 가능)", f"민원인 연락처 ☎ {MASK_PHONE} (평일 9시~6시 통화 가능)"),
    ("답변은 이메일 minsu.kim82@naver.com 으로 보내 주세요", f"답변은 이메일 {MASK_EMAIL} 으로 보내 주세요"),
    ("본인 확인을 위해 주민등록번호 850315-2234568 남깁니다", f"본인 확인을 위해 주민등록번호 {MASK_RRN} 남깁니다"),
    ("외국인등록번호 920712-5123456 / 연락처 +82-10-4821-7395 (영어 가능)",
     f"외국인등록번호 {MASK_RRN} / 연락처 {MASK_PHONE} (영어 가능)"),
    ("저희 집 주소는 세종특별자치시 한누리대로 2130, 101동 1203호 입니다. 엘리베이터 고장 신고합니다.",
     f"저희 집 주소는 세종특별자치시 한누리대로 2130, {MASK_DETAIL} 입니다. 엘리베이터 고장 신고합니다."),
    ("한누리대로 2130 101-1203 앞 보도블록이 파손되어 넘어질 뻔했습니다",
     f"한누리대로 2130 {MASK_DETAIL} 앞 보도블록이 파손되어 넘어질 뻔했습니다"),
    ("집 전화 (044) 867-1234, 휴대폰 010.4821.7395 중 편한 곳으로 연락 주세요",
     f"집 전화 {MASK_PHONE}, 휴대폰 {MASK_PHONE} 중 편한 곳으로 연락 주세요"),
    ("메일: minsu_kim @ daum . net 으로 회신 바랍니다", f"메일: {MASK_EMAIL} 으로 회신 바랍니다"),
    ("H.P 010ㅡ4821ㅡ7395 (문자만 가능)", f"H.P {MASK_PHONE} (문자만 가능)"),
    ("연락처 868-1234 (집)", f"연락처 {MASK_LOCAL_PHONE} (집)"),
    ("세종아파트 101-1203 입니다, 관리사무소 연락이 안 됩니다", f"세종아파트 {MASK_DETAIL} 입니다, 관리사무소 연락이 안 됩니다"),
]


@pytest.mark.parametrize(("text", "expected"), BOARD_SENTENCES)
def test_board_sentences(text, expected):
    assert one(text) == expected


# --- adversarial spellings: each is masked and none of its digits survive ------------------------------------

PHONES = [
    "010-4821-7395", "010 4821 7395", "010.4821.7395", "01048217395", "010 - 4821 - 7395", "010)4821-7395",
    "０１０－４８２１－７３９５",           # full-width, as phone keyboards type it
    "010ㅡ4821ㅡ7395", "010~4821~7395", "010‐4821‐7395", "010—4821—7395",
    "010\u200b4821\u200b7395",             # zero-width spaces between the groups
    "+82-10-4821-7395", "+82 10 4821 7395", "+82 (0)10-4821-7395", "+82-010-4821-7395", "+8210-4821-7395",
    "0082-10-4821-7395", "011-482-7395", "016 482 7395",
    "02)123-4567", "(02) 123-4567", "02-1234-5678", "044-862-3051", "(044)862-3051", "031.123.4567",
    "070-4821-7395", "0505-123-4567",
]


@pytest.mark.parametrize("phone", PHONES)
def test_phone_forms(phone):
    out = one(f"연락 {phone} 부탁")
    assert out == f"연락 {MASK_PHONE} 부탁"


def test_adjacent_numbers_are_all_masked():
    # one separator between two numbers: both matches need it as their neighbour (hence the second pass)
    assert masked("010-4821-7395/010-9876-5432", "010-4821-7395,010-9876-5432", "010 4821 7395 010 9876 5432",
                  "010-1111-2222 010-3333-4444 010-5555-6666") == [
        f"{MASK_PHONE}/{MASK_PHONE}", f"{MASK_PHONE},{MASK_PHONE}", f"{MASK_PHONE} {MASK_PHONE}",
        f"{MASK_PHONE} {MASK_PHONE} {MASK_PHONE}",
    ]


def test_local_number_only_after_a_phone_word():
    assert masked("연락처 868-1234", "전화: 868-1234", "Tel. 868-1234", "☎868-1234", "휴대폰 4821-7395") == [
        f"연락처 {MASK_LOCAL_PHONE}", f"전화: {MASK_LOCAL_PHONE}", f"Tel. {MASK_LOCAL_PHONE}", f"☎{MASK_LOCAL_PHONE}",
        f"휴대폰 {MASK_LOCAL_PHONE}",
    ]
    assert one("노선 868-1234 구간 공사") == "노선 868-1234 구간 공사"  # no phone word: not taken for a phone


EMAILS = [
    "minsu.kim82@naver.com", "minsu.kim82 @ naver.com", "minsu.kim82@ naver . com", "minsu.kim82＠naver．com",
    "minsu.kim82(at)naver.com", "minsu.kim82 [at] naver.com", "minsu.kim82 골뱅이 naver.com",
    "Minsu.Kim+sejong@korea.kr", "kim_82@daum.net",
]


@pytest.mark.parametrize("email", EMAILS)
def test_email_forms(email):
    assert one(f"회신: {email} 으로") == f"회신: {MASK_EMAIL} 으로"


RRNS = [
    "850315-2234568", "8503152234568", "850315 2234568", "850315 - 2234568", "850315.2234568", "850315–2234568",
    "８５０３１５－２２３４５６８",
    "850315-2******",                       # half-masked by the citizen: birth date and sex still identify
    "920712-5123456", "920712-6123456",     # foreigner registration numbers (외국인등록번호), 1900s
    "030101-3234567", "030101-7234567",     # born 2000+: resident 3/4, foreigner 7/8
]


@pytest.mark.parametrize("rrn", RRNS)
def test_resident_and_foreigner_numbers(rrn):
    assert one(f"번호 {rrn} 입니다") == f"번호 {MASK_RRN} 입니다"


ADDRESSES = [
    ("한누리대로 2130, 101동 1203호", f"한누리대로 2130, {MASK_DETAIL}"),
    ("한누리대로 2130 101동1203호", f"한누리대로 2130 {MASK_DETAIL}"),
    ("한누리대로 2130 101-1203", f"한누리대로 2130 {MASK_DETAIL}"),
    ("한누리대로 2130-1 101-1203", f"한누리대로 2130-1 {MASK_DETAIL}"),   # 2130-1 is the building (main-sub number)
    ("갈매로 388, 1203호", f"갈매로 388, {MASK_DETAIL}"),
    ("보듬3로 114 3층", f"보듬3로 114 {MASK_DETAIL}"),
    ("새롬로 14 B101호", f"새롬로 14 {MASK_DETAIL}"),
    ("가름로 232 지하1층", f"가름로 232 {MASK_DETAIL}"),
    ("한솔아파트 101-1203", f"한솔아파트 {MASK_DETAIL}"),
]


@pytest.mark.parametrize(("address", "expected"), ADDRESSES)
def test_address_detail_goes_the_building_number_stays(address, expected):
    assert one(address) == expected


NAMES = [  # the names are made up; the cue around each stays, the name goes
    ("성명: 홍길동", f"성명: {MASK_NAME}"),
    ("이름 = 김철, 한솔동 거주", f"이름 = {MASK_NAME}, 한솔동 거주"),
    ("민원인 홍길동입니다. 가로등이 꺼졌어요", f"민원인 {MASK_NAME}입니다. 가로등이 꺼졌어요"),
    ("제 이름은 김철수이고 도담동에 삽니다", f"제 이름은 {MASK_NAME}이고 도담동에 삽니다"),
    ("저는 박민수 입니다", f"저는 {MASK_NAME} 입니다"),
    ("신청인 이영희 (연락처는 생략)", f"신청인 {MASK_NAME} (연락처는 생략)"),
    ("작성자 최지훈, 회신 바랍니다", f"작성자 {MASK_NAME}, 회신 바랍니다"),
    ("옆집 정대호 씨가 쓰레기를 버립니다", f"옆집 {MASK_NAME} 씨가 쓰레기를 버립니다"),
    ("강서연님께 답변 부탁드립니다", f"{MASK_NAME}님께 답변 부탁드립니다"),
    ("윤철 씨 차량", f"{MASK_NAME} 씨 차량"),
    ("남궁민수 씨 댁 앞", f"{MASK_NAME} 씨 댁 앞"),
    ("도로과 한상우 주무관이 친절했습니다", f"도로과 {MASK_NAME} 주무관이 친절했습니다"),
    ("차주 송기현", f"차주 {MASK_NAME}"),
    ("Mr. John Smith called twice", f"Mr. {MASK_NAME} called twice"),
    ("my name is Jiyoung Lee, Hansol-dong", f"my name is {MASK_NAME}, Hansol-dong"),
    ("Name: Minsu Kim", f"Name: {MASK_NAME}"),
]


@pytest.mark.parametrize(("text", "expected"), NAMES)
def test_names_after_a_label_or_before_an_honorific(text, expected):
    assert one(text) == expected


PLATES_AND_ACCOUNTS = [
    ("12가 3456 차량이 소화전 앞에 주차", f"{MASK_DETAIL} 차량이 소화전 앞에 주차"),
    ("123가4567 불법주정차 신고", f"{MASK_DETAIL} 불법주정차 신고"),
    ("세종12가3456 매일 인도 주차", f"{MASK_DETAIL} 매일 인도 주차"),
    ("123 호 4567", MASK_DETAIL),
    ("환불 계좌 농협 302-1234-5678-91 입니다", f"환불 계좌 농협 {MASK_DETAIL} 입니다"),
    ("계좌번호: 110-123-456789", f"계좌번호: {MASK_DETAIL}"),
]


@pytest.mark.parametrize(("text", "expected"), PLATES_AND_ACCOUNTS)
def test_vehicle_plates_and_bank_accounts(text, expected):
    assert one(text) == expected


NOT_NAMES = [
    "주무관님 감사합니다", "공무원님들 수고 많으십니다", "기사님이 불친절했습니다", "선생님께 여쭤보니", "마음씨 좋은 이웃",
    "아저씨가 도와주셨어요", "저는 주민입니다", "민원인 연락처 ☎ 없음", "담당자 배정이 늦어요", "이번 주 과장님이 오셨어요",
    "세종시청 주무관 답변", "The name of the street is Hanuri-daero", "Dr. appointment", "그 사람 이름은 모릅니다",
]


@pytest.mark.parametrize("text", NOT_NAMES)
def test_words_that_take_an_honorific_are_not_names(text):
    assert one(text) == text


def test_mask_values_masks_names_like_mask_text():
    # mask_values skips texts without a digit, an e-mail marker or a name cue: a name must not be skipped
    values = pl.Series("d", ["성명: 홍길동", "가로등 고장", "홍길동님 연락 바랍니다", None])
    assert mask_values(values).to_list() == [f"성명: {MASK_NAME}", "가로등 고장", f"{MASK_NAME}님 연락 바랍니다", None]


# --- what must NOT be masked -------------------------------------------------------------------------------

KEEP = [
    "2025-03-04 09:15에 접수했는데 아직 처리 중입니다",
    "2025.03.04 오전 10:30 / 2025. 3. 4",
    "파손된 차량 수리비 1,234,567원 보상 요청합니다",
    "접수번호 2AA-2501-000123 건 관련 추가 의견입니다",
    "한누리대로 2130 (보람동) 앞 횡단보도 신호가 너무 짧습니다",   # the road address itself locates the problem
    "도움1로 36-5 앞 하수구 악취",                                 # 36-5 is a building number, not a unit
    "버스 1001번, 1002번 배차 간격이 30분 이상입니다",
    "좌표 36.480012, 127.289034 부근 싱크홀",
    "운영시간 09:00~18:00, 주차면 120대",
    "세종시 콜센터 1588-1234 에 먼저 문의했는데 해결이 안 되었습니다",
]
# 15xx/16xx/18xx (전국대표번호) belong to businesses and agencies, not to a person, and a complaint that names
# the call centre it already tried needs that number to be understood: they stay, even after a phone word.
BUSINESS = ["1588-1234", "1577-1234", "1544-1234", "1600-1234", "1644-1234", "1661-1234", "1899-1234", "전화 1588-1234"]


@pytest.mark.parametrize("text", KEEP + BUSINESS)
def test_not_personal_stays(text):
    assert one(text) == text


def test_invalid_dates_are_not_resident_numbers():
    # month 13 and day 32 cannot start a resident number; a 9 in the sex digit is not issued
    assert masked("851315-2234568", "850332-2234568", "850315-9234568") == [
        "851315-2234568", "850332-2234568", "850315-9234568"]


def test_short_fields_are_kept_exactly_unless_they_hold_personal_data():
    values = ["교통정책과", "도로과 (담당 010-4821-7395)", "ＡＢ 센터 ㎡", None]
    out = pl.DataFrame({"x": values}, schema={"x": pl.String}).select(mask_where_found(pl.col("x")))["x"].to_list()
    assert out == ["교통정책과", f"도로과 (담당 {MASK_PHONE})", "ＡＢ 센터 ㎡", None]  # no NFKC where nothing was found


# --- the build: every layer, the source id kept, agency masked ----------------------------------------------


def test_every_layer_holds_no_resident_number(tmp_path, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_CITY", "sejong")
    rrn = "850315-2234568"
    rows = [
        {"접수번호": "R-1", "접수일시": "2025-06-02 09:00:00", "처리상태": "접수", "민원분야": f"기타 {rrn}",
         "민원제목": "가로등 고장", "민원내용": "가로등이 꺼졌습니다. 신청인 홍길동 (도담동)",
         "처리부서": "도로과 (담당 010-4821-7395)"},
        # a receipt number of the form YYMMDD + sequence: shaped like a resident number, but the record's id
        {"접수번호": "2503041000123", "접수일시": "2025-06-02 10:00:00", "처리상태": "접수", "민원제목": "소음"},
        {"접수번호": "R-3", "접수일시": "2025-06-02 11:00:00", "처리상태": rrn,  # quarantined
         "민원제목": "쓰레기 투기 12가 3456 차량, 차주 김민수"},
    ]
    db = tmp_path / "w.duckdb"
    header = ["접수번호", "접수일시", "처리상태", "민원분야", "민원제목", "민원내용", "처리부서"]
    path = write_csv(tmp_path / "m.csv", header, [[r.get(c) for c in header] for r in rows])
    report = ingest("complaints", [path], "kr_minwon", db)
    assert (report.rows_loaded, report.rows_quarantined) == (2, 1)
    dump = " ".join(str(v) for table in ("fct_complaints", "quarantine", "load_batches")
                    for row in query(db, f"select * from {table}").rows() for v in row)
    assert "2234568" not in dump and "4821-7395" not in dump
    assert "홍길동" not in dump and "김민수" not in dump and "3456" not in dump  # names and the plate, raw record too
    fct = query(db, "select source_id, category, agency from fct_complaints order by source_id")
    # the record id is kept as given: masking it would merge different records
    assert fct.rows() == [("2503041000123", None, None), ("R-1", f"기타 {MASK_RRN}", f"도로과 (담당 {MASK_PHONE})")]
    assert query(db, "select description_masked from fct_complaints where source_id = 'R-1'").item() == (
        f"가로등이 꺼졌습니다. 신청인 {MASK_NAME} (도담동)")
    assert f"쓰레기 투기 {MASK_DETAIL} 차량, 차주 {MASK_NAME}" in query(db, "select raw_record from quarantine").item()
    reason = query(db, "select reason from quarantine")["reason"].item()
    assert reason.startswith(f"unknown status '{MASK_RRN}'")


# --- reporter key: environment, secrets.toml, key file -------------------------------------------------------


def _digest(key: str, source: str, value: str) -> str:
    return hmac.new(key.encode(), f"{source}\x1f{value}".encode(), hashlib.sha256).hexdigest()[:20]


def test_reporter_key_from_secrets_toml(tmp_path, monkeypatch):
    monkeypatch.delenv("WAREHOUSE_REPORTER_KEY")
    monkeypatch.setenv("WAREHOUSE_KEY_FILE", str(tmp_path / "keyfile"))
    home, project = tmp_path / "home.toml", tmp_path / "project.toml"
    home.write_text('[warehouse]\nreporter_key = "from-home"\n', encoding="utf-8")
    project.write_text('[warehouse]\nreporter_key = "from-project"\n[auth]\nredirect_uri = "x"\n', encoding="utf-8")
    monkeypatch.setattr(pii, "secrets_files", lambda: [home, project])
    keys = pii.hash_reporters(pl.Series(["R1", None, " "]), "minwon").to_list()
    assert keys == [_digest("from-project", "minwon", "R1"), None, None]  # the project's file wins, like Streamlit
    assert not (tmp_path / "keyfile").exists()  # a secret was found: no key file is made

    monkeypatch.setenv("WAREHOUSE_REPORTER_KEY", "from-env")  # the environment wins over secrets
    assert pii.hash_reporters(pl.Series(["R1"]), "minwon").to_list() == [_digest("from-env", "minwon", "R1")]


def test_reporter_key_file_when_no_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("WAREHOUSE_REPORTER_KEY")
    monkeypatch.setenv("WAREHOUSE_KEY_FILE", str(tmp_path / "keyfile"))
    no_key = tmp_path / "secrets.toml"
    no_key.write_text('[auth]\nredirect_uri = "x"\n', encoding="utf-8")
    monkeypatch.setattr(pii, "secrets_files", lambda: [tmp_path / "missing.toml", no_key])
    first = pii.hash_reporters(pl.Series(["R1"]), "minwon").to_list()
    key = (tmp_path / "keyfile").read_text().strip()
    assert len(key) == 64 and (tmp_path / "keyfile").stat().st_mode & 0o777 == 0o600
    assert first == [_digest(key, "minwon", "R1")]
    assert pii.hash_reporters(pl.Series(["R1"]), "minwon").to_list() == first  # the same key next time


def test_unreadable_secrets_file_stops_instead_of_guessing_a_key(tmp_path, monkeypatch):
    monkeypatch.delenv("WAREHOUSE_REPORTER_KEY")
    broken = tmp_path / "secrets.toml"
    broken.write_text("[warehouse\nreporter_key = 1\n", encoding="utf-8")
    monkeypatch.setattr(pii, "secrets_files", lambda: [broken])
    with pytest.raises(UsageError, match="secrets.toml"):
        pii.reporter_key_secret()


def test_the_build_never_imports_streamlit():
    code = "import sys, warehouse.build, warehouse.pii; sys.exit('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, timeout=120).returncode == 0
