"""The course's foundations, with no widgets: content files, the course model, the progress store, text formatting."""
