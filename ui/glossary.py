"""One definition per KPI, shown on the glossary page and as the help tooltip beside every number."""

from __future__ import annotations

from dataclasses import dataclass

from ui.i18n import lang


@dataclass(frozen=True)
class Kpi:
    key: str
    name_ko: str
    name_en: str
    def_ko: str
    def_en: str

    @property
    def name(self) -> str:
        return self.name_ko if lang() == "ko" else self.name_en

    @property
    def definition(self) -> str:
        return self.def_ko if lang() == "ko" else self.def_en


KPIS = [
    Kpi("received", "접수 건수", "Received",
        "기간 [시작, 끝) 안에 접수된(requested_at) 민원·제안·질의 수. 필터가 없으면 모든 유형을 셉니다.",
        "Complaints, proposals and inquiries with requested_at in the period [start, end); all kinds unless filtered."),
    Kpi("resolution_rate", "처리율", "Resolution rate",
        "기간에 접수된 건 중 기준 시점(as_of, 창고의 가장 최근 시각)까지 처리 완료된 비율.",
        "Share of the period's received items that are closed as of as_of (the latest timestamp in the warehouse)."),
    Kpi("median_days_to_close", "처리 기간 중앙값", "Median days to close",
        "처리 완료 건의 접수→처리 기간 중앙값(일). 처리일시가 접수일시보다 앞선 건(closed_before_requested)은 기간 계산에서 빼고 건수에는 넣습니다.",
        "Median of closed_at − requested_at in days over closed items; rows flagged closed_before_requested are excluded from durations but kept in counts."),
    Kpi("p90_days_to_close", "처리 기간 90분위", "P90 days to close",
        "처리 기간의 90번째 백분위수(일). 중앙값과 같은 대상입니다.",
        "90th percentile of days to close, over the same rows as the median."),
    Kpi("first_response_hours", "최초 응답 시간", "Time to first response",
        "최초 답변 시각이 있는 건의 (최초답변 − 접수) 중앙값(시간).",
        "Median first_response_at − requested_at in hours, where a first response is recorded."),
    Kpi("on_time_rate", "기한 내 처리율", "On-time rate",
        "기한내 ÷ (기한내 + 지연처리 + 기한초과 미처리). 기한내 = 처리기한까지 처리, 지연처리 = 기한 후 처리, 기한초과 = 기준 시점에 미처리이며 기한 경과. 처리기한은 원본 값, 없으면 접수일 + 법정 처리기간(근무일 기준: 민원·질의 7일, 제안 14일, 첫날 산입, 토요일·공휴일 제외).",
        "on_time ÷ (on_time + late + overdue): on_time = closed by due_at, late = closed after due_at, overdue = still open and past due_at at as_of. due_at comes from the source, else requested_at + the statutory period in working days (7 for complaints and inquiries, 14 for proposals; first day counted, Saturdays and public holidays excluded)."),
    Kpi("backlog", "미처리 잔량", "Backlog",
        "기준 시점에 처리되지 않은 건수. 경과일 구간: 0–7, 8–14, 15–30, 31–90, 90일 초과.",
        "Items open at as_of, by days open: 0–7, 8–14, 15–30, 31–90, >90."),
    Kpi("participation_per_1000", "주민 1,000명당 참여자", "Participants per 1,000 residents",
        "기간의 서로 다른 신청인(가명 키) 수 ÷ 인구 × 1,000. 신청인 키가 없는 출처는 접수 건수 ÷ 인구 × 1,000으로 표시하고 그렇게 밝힙니다. 인구는 2022년 선거인 통계(18세 이상)입니다.",
        "Distinct reporter keys in the period ÷ population × 1,000. Where a source has no reporter keys, received per 1,000 residents, labelled as such. Population: 2022 election statistics (residents aged 18+)."),
    Kpi("repeat_participant_share", "재참여자 비율", "Repeat participants",
        "기간에 2건 이상 신청한 신청인의 비율.",
        "Share of distinct reporters with 2 or more submissions in the period."),
    Kpi("proposals", "제안·공감·채택", "Proposals, votes, adoption",
        "제안 건수, 공감(투표) 합계, 채택률 = 채택 ÷ 결정된 제안(채택 또는 불채택).",
        "Proposal count, votes, adoption rate = adopted ÷ proposals decided (adopted or rejected)."),
    Kpi("satisfaction_mean", "만족도", "Satisfaction",
        "만족도 평균(1–5)과 응답률 = 평가가 있는 건 ÷ 처리 완료 건.",
        "Mean rating (1–5) and response rate = rated ÷ closed."),
    Kpi("sensor_completeness", "센서 수집률", "Sensor completeness",
        "센서·항목별 수신 건수 ÷ 기대 건수(기간 ÷ 측정 주기). 지연(stale) = 마지막 측정이 기준 시점에서 측정 주기 3배보다 오래됨. 고정값(flat-lined) = 같은 값이 6회 이상 연속.",
        "Readings received ÷ expected (period ÷ expected interval) per sensor × metric. Stale = last reading older than 3 × the expected interval at as_of. Flat-lined = the same value for 6 or more consecutive readings."),
    Kpi("aq_good_share", "대기질 '좋음' 비율", "Air quality: share of good days",
        "측정소별 일평균을 환경부 기준으로 등급화: PM10 좋음 0–30, 보통 31–80, 나쁨 81–150, 매우나쁨 151 이상; PM2.5 좋음 0–15, 보통 16–35, 나쁨 36–75, 매우나쁨 76 이상(µg/m³). 주의보 에피소드 = 시간평균 PM2.5 75 이상(또는 PM10 150 이상)이 2시간 이상 연속.",
        "Daily mean per station graded by the Korean bands: PM10 good 0–30, moderate 31–80, bad 81–150, very bad ≥151; PM2.5 good 0–15, moderate 16–35, bad 36–75, very bad ≥76 (µg/m³). Advisory episode = hourly PM2.5 ≥ 75 (or PM10 ≥ 150) for 2+ consecutive hours."),
    Kpi("city_score", "도시 점수", "City score",
        "CityScore 방식: 각 핵심 지표 ÷ 목표(낮을수록 좋은 지표는 목표 ÷ 지표)의 평균. 1 이상이면 목표 달성. 목표는 data/cities/<도시>/targets.toml.",
        "CityScore-style: the mean of each headline KPI ÷ its target (target ÷ KPI where lower is better). 1 or more means on target. Targets: data/cities/<city>/targets.toml."),
    Kpi("active_participants", "월간 활동 참여자", "Monthly active participants",
        "그 달에 1건 이상 신청한 서로 다른 신청인(가명 키) 수. 5명 미만이면 '<5'로 표시합니다.",
        "Distinct reporter keys with at least one item in the month. Under 5 shows as \"<5\"."),
    Kpi("cohort_retention", "코호트 유지율", "Cohort retention",
        "코호트 = 창고 전체에서 신청인의 첫 신청이 있는 달. +k 유지율 = 코호트 중 k개월 뒤에도 신청한 신청인 ÷ "
        "코호트 크기. 5명 미만인 코호트·칸은 '<5'로 표시합니다.",
        "Cohort = the month of a reporter's first item ever in the warehouse. Retention at +k = cohort members "
        "active k months later ÷ cohort size. Cohorts and cells under 5 show as \"<5\"."),
    Kpi("engagement_funnel", "참여 깔때기", "Engagement funnel",
        "기간의 신청인 → 재참여(2건 이상) → 그중 제안자(제안 1건 이상) → 그중 채택된 제안자. "
        "각 단계는 앞 단계의 일부입니다.",
        "Reporters in the window → repeat (2+ items) → of those, proposers (1+ proposal) → of those, with an "
        "adopted proposal. Each stage is a subset of the one before."),
    Kpi("small_group_suppression", "소집단 비공개", "Small-group suppression",
        "투자자 화면은 집계만 보여 주며, 신청인이나 건수가 5 미만인 집단(칸, 월, 코호트, 읍면동)은 값 대신 "
        "'<5'로 표시합니다.",
        "The investor view shows aggregates only; any group (cell, month, cohort, district) with fewer than 5 "
        "reporters or items shows \"<5\" instead of its value."),
]
BY_KEY = {k.key: k for k in KPIS}


def help_text(key: str) -> str:
    return BY_KEY[key].definition
