"""What the demo city is calibrated to: the published Beijing figures, and the model's targets.

Source of PUBLISHED: the Beijing white papers on administrative reconsideration and litigation
as summarised in the domain reference (../shared/domain/README.md, "Published Beijing figures"
and "Realistic magnitudes"): 2019 9,298 accepted, 7,304 concluded, 直接纠错率 13.8%, litigation
败诉率 11.8%; 2022 14,898 received, 12,195 concluded, 1,639 corrected = 13.4%, 综合化解率 36.3%;
2023 ≈ 19,200 received (84,654 ÷ 4.4); 2024 84,654 received, 67,772 accepted, 直接纠错率 8.9%,
调解和解率 32.5%, sued after reconsideration 5.3%, the city government and its departments the
respondent in 61.5%. Receipts passed 10,000 every year 2019–2024.

tests/test_demo_city.py checks the loaded demo against PUBLISHED (±20%). Years without a
published figure are the model's own assumptions (RECEIVED before 2019 grows from ≈ 2,600 in
2006 — 3–30 cases a district a year then, the bulk at the bureaus — and LITIGATION_NEW).
"""

from __future__ import annotations

# year → {measure: published value}; rates as fractions. Counts are city totals of the
# reconsideration form (received = 本期新收, accepted = 受理, concluded = 已审结) and rates as the
# portal computes them (app/forms/reconsideration.py, litigation.py: RATES).
PUBLISHED: dict[int, dict[str, float]] = {
    2019: {"accepted": 9298, "concluded": 7304, "correction_rate": 0.138, "loss_rate": 0.118},
    2022: {"received": 14898, "concluded": 12195, "correction_rate": 0.134, "resolution_rate": 0.363},
    2023: {"received": 19200},
    2024: {"received": 84654, "accepted": 67772, "correction_rate": 0.089, "mediation_rate": 0.325,
           "sued_after_rate": 0.053},
}
AT_LEAST = {year: {"received": 10000} for year in range(2019, 2025)}  # "passed 10,000 every year"
TOLERANCE = 0.20

# The model's yearly targets for reconsideration applications received (本期新收), city total.
_EARLY = {2006: 2600}
for _y in range(2007, 2019):  # geometric growth 2006 → 2019
    _EARLY[_y] = round(2600 * (10940 / 2600) ** ((_y - 2006) / 13))
RECEIVED: dict[int, int] = {**_EARLY, 2019: 10940, 2020: 10600, 2021: 12900, 2022: 14898, 2023: 19200,
                            2024: 84654, 2025: 88000, 2026: 90000, 2027: 91000}
ACCEPT_RATIO = {2006: 0.85, 2024: 0.80}  # accepted / received (2019: 9,298 of ≈ 10,900; 2024: 67,772 / 84,654)
# Share of (carried over + accepted) concluded in a half-year: lower in backlog years (2019: 7,304
# concluded of 9,298 accepted; the 2024 surge), higher when stocks were worked off.
CONCLUDE_FRACTION: dict = {"default": 0.66, 2019: 0.5, 2020: 0.6, 2021: 0.72, 2022: 0.74, 2024: 0.6}
# First-instance, appeal and retrial suits against the city's units a year (no published
# Beijing total here: an assumption growing with reconsideration, not with the 2024 jump).
LITIGATION_NEW: dict[int, int] = {y: round(2000 * (9000 / 2000) ** ((y - 2006) / 13)) for y in range(2006, 2019)}
LITIGATION_NEW.update({2019: 9000, 2020: 8200, 2021: 9500, 2022: 9800, 2023: 10500, 2024: 11500,
                       2025: 11800, 2026: 12000, 2027: 12200})

# Outcome weights (percent of concluded cases), in the order of the forms' outcome fields.
# 2015 form: 驳回 维持 确认违法 撤销 变更 责令履行 调解 终止(和解) 终止(其他) 其他 → direct correction 13.6%,
# 调解+和解 22% (综合化解 ≈ 36%, 2022).
OUTCOMES_2015 = [20, 36, 4, 6, 0.8, 2.8, 8, 14, 7, 1.4]
# 2024 form: 驳回 维持 确认违法 确认无效 撤销 变更 责令履行 调解 和解 纠正后撤回 终止(其他) 其他 →
# direct correction 8.9%, 调解和解 32.5%.
OUTCOMES_2024 = [20, 26, 3, 0.3, 3.6, 0.5, 1.5, 18, 14.5, 4, 7, 1.6]
# Litigation: 驳回诉讼请求 驳回起诉 撤销 变更 确认违法 确认无效 履行法定职责 给付 原告撤诉 调解 其他 → loss 11.8%.
LIT_OUTCOMES = [45, 18, 5.5, 0.8, 3.5, 0.3, 1.4, 0.3, 16, 3, 6.2]
# Matters accepted, 2015 form (行政处罚 ≈ 35%, as nationally in 2007).
MATTERS_2015 = [35, 10, 4, 8, 3, 4, 14, 12, 7, 3]
MATTERS_2024 = [30, 8, 3, 7, 2, 3, 2, 2, 3, 3, 4, 13, 12, 6, 2]
