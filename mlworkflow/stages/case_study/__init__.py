"""The case study (notebook 07): recommendations at a made-up streaming service."""
