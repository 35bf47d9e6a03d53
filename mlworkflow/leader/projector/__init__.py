"""The course on a projector, one stage per screen: ``slides`` (the deck as data) and its widget.

``mlworkflow present`` shows ``slideshow.ipynb`` (one cell: ``Slideshow()``) with Voila.
"""
