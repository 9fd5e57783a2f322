"""One definition per KPI, shown on the glossary page and as the help tooltip beside every number."""

from __future__ import annotations

from dataclasses import dataclass

from ui.i18n import lang
from ui.infrastructure import RUNS_MAX_DAYS


@dataclass(frozen=True)
class Kpi:
    key: str
    name_ko: str
    name_en: str
    def_ko: str
    def_en: str
    # a shorter name where the full one does not fit on a card six to a row (the tooltip keeps the definition)
    card_ko: str | None = None
    card_en: str | None = None

    @property
    def name(self) -> str:
        return self.name_ko if lang() == "ko" else self.name_en

    @property
    def card_name(self) -> str:
        return (self.card_ko if lang() == "ko" else self.card_en) or self.name

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
        "Median of closed_at − requested_at in days over closed items; rows flagged closed_before_requested are excluded from durations but kept in counts.",
        card_ko="처리 기간", card_en="Days to close"),
    Kpi("p90_days_to_close", "처리 기간 90분위", "P90 days to close",
        "처리 기간의 90번째 백분위수(일). 중앙값과 같은 대상입니다.",
        "90th percentile of days to close, over the same rows as the median."),
    Kpi("first_response_hours", "최초 응답 시간", "Time to first response",
        "최초 답변 시각이 있는 건의 (최초답변 − 접수) 중앙값(시간).",
        "Median first_response_at − requested_at in hours, where a first response is recorded.",
        card_en="Response time"),
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
        f"센서·항목별 수신 건수 ÷ 기대 건수(기간 ÷ 측정 주기). 측정 주기 = 프로필에 적힌 주기, 없으면 그 센서가 들어온 가장 최근 묶음에서의 보통 간격(한 시간에 2건 이상 들어온 시간들의 (마지막 − 처음) ÷ (건수 − 1)의 중앙값; 한 시간에 1건 이하면 측정 사이 간격의 중앙값). 지연(stale) = 마지막 측정이 기준 시점에서 측정 주기 3배보다 오래됨. 고정값(flat-lined) = 같은 값이 6회 이상 연속(기간이 {RUNS_MAX_DAYS}일보다 길면 마지막 {RUNS_MAX_DAYS}일에서).",
        f"Readings received ÷ expected (period ÷ expected interval) per sensor × metric. Expected interval = the profile's, else the sensor's typical spacing in the latest batch that brought its readings (the median over clock hours with 2+ readings of (last − first) ÷ (readings − 1); for at most one reading an hour, the median gap between readings). Stale = last reading older than 3 × the expected interval at as_of. Flat-lined = the same value for 6 or more consecutive readings (in the period's last {RUNS_MAX_DAYS} days when it is longer)."),
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
    # --- Complaints × sensors (data/linkage.toml links complaint categories to a sensor metric) -----------------
    Kpi("sensor_anomaly", "센서 이상", "Sensor anomaly",
        "연계된 센서 항목(data/linkage.toml)의 시간 평균을 같은 센서의 기준과 비교합니다. 기준 = 직전 28일 중 같은 시각·같은 "
        "요일 유형(근무일/휴일) 값의 중앙값, 퍼짐 = max(1.4826 × MAD, 항목별 하한, 항목별 비율 하한 × 기준). 강건 z = (값 − "
        "기준) ÷ 퍼짐이 3 이상(소음·미세먼지·수위처럼 오르면 문제인 항목) 또는 −3 이하(속도·전력처럼 떨어지면 문제인 항목)이면 "
        "이상 시간입니다. 기준 값이 3개 미만이면 판단하지 않습니다. 하한: 소음 3 dB, 수위 0.4 m, 속도 3 km/h, 전력은 평소의 "
        "25%. PM2.5는 날씨에 따라 도시 전체가 크게 오르내리므로 법정 주의보 기준(75 µg/m³ 이상)을 씁니다. 같은 0이 아닌 값이 "
        "6시간 이상 이어지면 센서 고장(고정값)으로 보고 판단과 기준에서 뺍니다.",
        "An hourly mean of a linked metric (data/linkage.toml) against the same sensor's baseline: the median of its values "
        "at the same hour of day on days of the same type (business day or not) in the previous 28 days; spread = "
        "max(1.4826 × MAD, the metric's floor, the metric's share floor × baseline). Robust z = (value − baseline) ÷ spread; "
        "an hour is anomalous at z ≥ 3 where a rise is the problem (noise, water level) or z ≤ −3 where a drop is (speed, "
        "power). Fewer than 3 baseline values: not judged. Floors: noise 3 dB, water level 0.4 m, speed 3 km/h, power 25% of "
        "usual. PM2.5 rises and falls city-wide with the weather, so its rule is the statutory advisory level (≥ 75 µg/m³). "
        "One non-zero value repeated 6+ hours is a frozen sensor, left out of tests and baselines."),
    Kpi("anomaly_episode", "이상 에피소드", "Anomaly episode",
        "한 센서의 이상 시간이 2시간 이상 연속되면 에피소드입니다. 한 읍면동 안에서 겹치거나 맞닿은 여러 센서의 에피소드는 "
        "하나로 합칩니다. 1시간짜리 튀는 값은 에피소드가 아닙니다.",
        "Two or more consecutive anomalous hours of one sensor. In a district, episodes of its sensors that overlap or "
        "touch are merged into one. A single odd hour is not an episode."),
    Kpi("sensor_confirmed_share", "센서 확인 민원 비율", "Sensor-confirmed complaints",
        "연계 분야 민원 중, 같은 읍면동에서 접수 전 확인 창(기본 24시간) 안에 해당 항목의 이상 에피소드가 있었던 민원의 비율. "
        "센서가 있는 읍면동의 민원만 따진 비율도 함께 보여 줍니다.",
        "Share of a link's complaints with an anomaly episode of its metric in the same district within the window before "
        "receipt (24 h unless chosen). Also shown over complaints from districts that have such a sensor.",
        card_en="Sensor-confirmed"),
    Kpi("lead_time", "선행 시간", "Lead time",
        "에피소드 시작부터 같은 읍면동·연계 분야의 첫 시민 신고까지의 시간. 에피소드 종료 + 확인 창 안에 신고가 없으면 "
        "'조용한 문제', 창이 아직 열려 있으면 '대기'. 시차 상관 = 에피소드 시간 표시(0/1)와 t + 시차 시간의 민원 건수의 "
        "피어슨 상관(0–48시간); 가장 큰 값의 시차가 최적 시차입니다.",
        "Time from an episode's start to the first citizen report of the link in its district. No report by the episode's "
        "end + the window: a silent problem; window still open: waiting. Lagged correlation = Pearson r of the hourly "
        "episode indicator (0/1) and the complaints received lag hours later (0–48 h); the best lag has the highest r."),
    Kpi("blind_spot", "사각지대", "Blind spot",
        "민원 급증: 한 읍면동·세부 유형의 3일 건수(어떤 48시간도 3일 안에 듭니다)가 4건 이상이고, 평소라면 그만큼 나올 "
        "포아송 확률이 0.001% 미만인 날이 이어지는 구간. 평소 = 3 × 다음 중 큰 값: 직전 28일(3일 구간과 겹치지 않게) 그 칸의 "
        "하루 평균, 같은 날들의 시 전체 그 유형 하루 평균 × 읍면동 인구 비율, 28일에 1건. 자료의 첫 30일은 판단하지 않습니다. "
        "같은 읍면동에서 첫 민원 − 확인 창부터 마지막 민원 사이에 연계 항목의 에피소드가 없으면 사각지대입니다(연계 센서가 "
        "없는 유형 포함). 짧은 구간엔 건수가 적어 중앙값·MAD 대신 포아송 확률을 씁니다.",
        "A complaint burst: consecutive days on which a category's three-day count in a district (three days hold any 48 "
        "hours) is 4 or more and a Poisson count at its usual level would reach it with probability under 0.001%. Usual = "
        "3 × the largest of: the cell's daily mean over the previous 28 days (not overlapping the window), the city's daily "
        "mean for the category over those days × the district's population share, and one item per 28 days. The first 30 "
        "days of data are not judged. A burst with no episode of its linked metric in the district from its first item − "
        "the window to its last item is a blind spot (so is a burst of a category no sensor is linked to). Short windows "
        "hold few items, so a Poisson probability is used instead of a median and MAD."),
    Kpi("emerging_issue", "급증 이슈", "Emerging issue",
        "읍면동 × 세부 유형의 하루 접수 건수가 직전 28일(건수 0인 날 포함)의 중앙값보다 강건 z ≥ 3 높고 5건 이상인 날. "
        "z = (건수 − 중앙값) ÷ max(1.4826 × MAD, 1).",
        "A category × district day with 5 or more items and robust z ≥ 3 against the previous 28 days (days without items "
        "count as 0): z = (count − median) ÷ max(1.4826 × MAD, 1)."),
    Kpi("district_score", "읍면동 점수", "District score",
        "도시 점수와 같은 방식을 읍면동마다 계산합니다. 막대의 각 조각 = 지표의 목표 대비 비율 ÷ 쓰인 지표 수이므로 조각을 "
        "더하면 점수가 됩니다. 값이 없는 지표(예: 센서가 없는 읍면동의 센서 수집률)는 빠집니다.",
        "The city score computed per district. Each bar segment = a KPI's ratio to target ÷ the KPIs used, so the segments "
        "add up to the score. A KPI without a value (e.g. sensor completeness where a district has no sensor) is left out."),
    Kpi("equity", "형평성", "Equity",
        "읍면동별 주민 1,000명당 참여자와 처리 기간 중앙값. 지니 계수(0 = 모두 같음, 1 = 한 곳에 몰림)와 로렌츠 곡선은 인구로 "
        "가중합니다. 소외(적게 들림) = 참여가 도시 전체의 절반 미만, 서비스 부족 = 처리 기간 중앙값이 도시 전체의 1.5배 초과.",
        "Participants per 1,000 residents and median days to close per district. The Gini coefficient (0 = all equal, "
        "1 = all in one place) and the Lorenz curve are population-weighted. Under-heard = participation below half the "
        "city's; under-served = median days to close above 1.5 × the city's."),
    Kpi("proposal_impact", "제안 효과", "Proposal impact",
        "채택된 제안마다, 같은 읍면동·세부 유형의 민원을 채택 전후 같은 길이(최대 90일, 기준 시점까지)로 비교하고 다른 "
        "읍면동의 같은 변화와 견줍니다. 차이 = 변화율 − 다른 읍면동 변화율.",
        "For each adopted proposal, complaints of its category in its district in equal windows before and after adoption "
        "(up to 90 days, no later than as_of), against the same change in the other districts: difference = change − "
        "others' change."),
    Kpi("hotspot", "핫스팟", "Hotspot",
        "약 250 m 격자 칸 중 기간에 3건 이상 접수된 곳(상위 20곳). 칸의 중심만 보여 주며, 기간에 이상 시간이 있었던 가장 "
        "가까운 센서를 함께 표시합니다.",
        "Grid cells of about 250 m with 3 or more items in the period (the 20 busiest). Only the cell centre is shown, "
        "with the nearest sensor that had anomalous hours in the period."),
]
BY_KEY = {k.key: k for k in KPIS}


def help_text(key: str) -> str:
    return BY_KEY[key].definition
