"""How the course shows itself: the workflow diagram, its Graphviz backends, stage cards, charts, the stage stepper."""
