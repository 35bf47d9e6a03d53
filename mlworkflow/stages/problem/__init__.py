"""Stage 1, problem definition (notebook 01): is it an ML problem, and how to frame it."""
