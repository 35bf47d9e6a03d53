"""The exercise (notebook 08): the problem-statement rubric, its assessment, rendering and hand-in."""
