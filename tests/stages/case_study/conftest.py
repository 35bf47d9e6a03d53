"""The case study's service, split and both recommenders, built once for the tests of this room."""

from __future__ import annotations

import pytest

from mlworkflow.stages.case_study.recommend import fit_item_similarity, fit_most_popular, split_views
from mlworkflow.stages.case_study.streaming import streaming_service


@pytest.fixture(scope="session")
def case():
    """(service, train, test, most popular, item similarity) as notebook 07 builds them."""
    service = streaming_service()
    train, test = split_views(service.views)
    return service, train, test, fit_most_popular(train, service.titles), fit_item_similarity(train, service.titles)
