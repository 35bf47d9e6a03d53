"""Stage 5, deployment (notebook 05): the model as a service, health checks and rollouts, the planned value test,
the model card and the running cost."""
