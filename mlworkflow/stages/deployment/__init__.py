"""Stage 5, deployment (notebook 05): the model as a service, and shadow and canary rollouts."""
