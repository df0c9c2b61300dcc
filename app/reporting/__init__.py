"""The statistics layer: aggregation in SQL, roll-ups, comparisons (同比/环比), ranks, rates.

- aggregate   THE query: StatsQuery → Table of summed figures (scope, states, range, roll-up,
              grouping, successor units); Row.get gives rates and combined amounts from sums
- measures    what a form's declaration lets the layer sum (fields, choice counts, stocks)
- rollup      periods in SQL: range filters and the quarter → half-year → year CASE
- units       closed units under their successor; how a scope is named
- compare     change / pct_change / share / format_pct ("—" for missing or zero bases)
- comparison  同比/环比, rank and share of one figure per group
- report      the official layout (grouped headers, totals) shared by page and Excel export
- params      report filters from a query string
- detail      the filings list behind a report (streamed)
- completion  filing completion over periods (the engine's timeliness)
- dashboard   KPI cards and chart data for leaders and units
- analysis    分析报告: key figures, top units, outliers, timeliness, generated text
- formatting  template filters for the statistics pages
"""
