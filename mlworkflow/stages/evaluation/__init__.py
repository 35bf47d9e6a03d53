"""Stage 4, model evaluation (notebook 04): metrics at a threshold, money, and the go / no-go call."""
