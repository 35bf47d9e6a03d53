"""Stage 6, monitoring and maintenance (notebook 06): monthly metrics, drift, alerts, retraining."""
