"""One package per stage of an ML project (and the case study): pure modules beside one ``widgets.py``."""
