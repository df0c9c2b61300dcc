"""Figure builders: aggregated data in, a plotly Figure out. No queries, no request.

- ranking.ranked_bar — units ranked by a figure (bar)
- trend.trend — figures over periods (line)
- composition.stacked — parts of a whole per unit or period (stacked bar)
- ranking.rates_by_unit — rates such as 纠错率 and 败诉率 per unit
- completion.completion — filing completion over periods
- staff.staff_composition — staff by education, age band … (any breakdown of counts)
"""
