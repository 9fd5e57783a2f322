"""Personal names in free text, found by the words around them.

A Korean name is two to four syllables like any word, so only its cue tells it apart: a label before it
(성명:, 신청인, 저는 … 입니다), 씨/님/氏 or a title after it. The name itself must start with one of 85 common
one-syllable surnames or one of the seven two-syllable ones (which surnames are common: Statistics Korea's 2015
census, see data/README.md), and a few words that take 님 or a title themselves are never names. Python's `re`
is used, not the Rust engine behind polars, because the rules need look-ahead and a stop list; mask() only runs
on texts that hold a cue (CUE).
"""

from __future__ import annotations

import re

SURNAMES = (
    "김이박최정강조윤장임한오서신권황안송전홍유고문양손배백허남심노하곽성차주우구민류나진지엄채원천방공현함변염"
    "여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉"
)
DOUBLE_SURNAMES = "남궁|황보|제갈|선우|독고|사공|서문"
FULL = rf"(?:(?:{DOUBLE_SURNAMES})[가-힣]{{1,2}}|[{SURNAMES}][가-힣]{{2}})"  # 홍길동, 남궁민, 남궁민수
SHORT = rf"[{SURNAMES}][가-힣]"  # 김철: two syllables, only with a strong cue
COPULA = r"(?:입니다|이에요|예요|이고|이며|이라고|라고|이요|씨|님)"
LABELS = (
    "성명|이름|성함|작성자|신고자|민원인|제보자|신청인|신청자|보호자|예금주|피해자|가해자|담당자|접수자|세입자|"
    "집주인|임대인|임차인|차주"
)
TITLES = "씨|님|氏|주무관|팀장|과장|계장|주임|대리|차장|부장|국장|실장|소장|선생님|선생|기사님|반장|통장|이장|동장|의원|사장님|대표님"
SELF = "저는|나는|본인은"
HONORIFICS = r"씨|氏"  # a two-syllable name (김철) is taken before these only
ENGLISH_TITLES = r"Mr|Mrs|Ms|Miss|Mx|Dr|Prof"
ENGLISH_NAME = r"[A-Z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+){0,2}"

# words that take 님, 씨, a title or a copula themselves, or follow a label without being a name
NOT_NAMES = frozenset(
    "주무관 공무원 구청장 조합장 경비원 고모부 이모부 소방관 경찰관 민원인 도의원 변호사 정비사 배달원 위원장 관리인 "
    "도지사 부시장 부단장 부녀회 노인회 연락처 주민들 이웃집 기사분 주민 시민 학생 상인 주부 고객 회원 마음 호박 "
    "담당자 담당 본인 주소 정보 요청 배정 연락 지원 보호 확인 처리 민원 신청 제보 신고 명의 이름 성함 성명 없음 미상 "
    "익명 비공개 대리인 가족 부모 자녀 임차인 임대인 세입자 집주인 관리자 관리소 관리실 사무소 사무실 공사 주차".split()
)

_AFTER = rf"(?={COPULA}|[^가-힣]|$)"
_PATTERNS = [
    # 성명: 홍길동 / 이름 = 김철
    re.compile(rf"((?:{LABELS})\s*[:：=]\s*)({FULL}|{SHORT}){_AFTER}"),
    # 민원인 홍길동입니다 / 제 이름은 김철이고 / 저는 홍길동 입니다
    re.compile(rf"((?:(?:{LABELS})(?:은|는|이|가)?|{SELF})\s*)({FULL}|{SHORT})(?=\s?{COPULA})"),
    # 신청인 홍길동 (010-…) / 작성자 홍길동, 연락처 … / 차주 홍길동" (the end of a field in a JSON raw record)
    re.compile(rf"((?:{LABELS})\s+)({FULL})(?=[^가-힣\s\d]|\s*[(\[]|\s*$)"),
    # 홍길동 씨 / 홍길동님 / 홍길동 주무관
    re.compile(rf"((?<![가-힣]))({FULL})(?=\s?(?:{TITLES}))"),
    # 김철 씨
    re.compile(rf"((?<![가-힣]))({SHORT})(?=\s?(?:{HONORIFICS}))"),
    # Mr. John Smith / Dr Kim
    re.compile(rf"(\b(?:{ENGLISH_TITLES})\.?\s+)({ENGLISH_NAME})"),
    # my name is John Smith / Name: Jiyoung Lee
    re.compile(rf"((?i:\bmy\s+name\s+is|\bname\s*[:：=]|\bsigned\s*[:：,]?)\s*)({ENGLISH_NAME})"),
]

# A text without any of these cannot hold a name that mask() finds (the Rust engine's syntax: a prefilter).
CUE = (
    rf"{TITLES}|{LABELS}|{SELF}|(?i:\b(?:{ENGLISH_TITLES}|my\s+name|name|signed)\b)"
)


def mask(text: str, replacement: str) -> str:
    """`text` with every cued name replaced; the cue itself stays."""

    def one(m: re.Match) -> str:
        return m.group(0) if m.group(2) in NOT_NAMES else m.group(1) + replacement

    for pattern in _PATTERNS:
        text = pattern.sub(one, text)
    return text
