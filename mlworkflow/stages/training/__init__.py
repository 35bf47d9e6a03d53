"""Stage 3, model training (notebook 03): task types, the churn models, baselines and overfitting."""
