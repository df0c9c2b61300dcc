"""The statistics layer: aggregation in SQL, roll-ups, comparisons (同比/环比), ranks, rates."""
