"""Stage 2, data collection and preparation (notebook 02): the churn data, its mess, and cleaning it."""
