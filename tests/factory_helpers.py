"""Pieces shared by the apps' test factories."""

import factory


def related_set(field: str) -> factory.PostGeneration:
    """A post-generation hook that sets a many-to-many field: ``Factory(themes=[...])``."""

    def set_related(obj, create, extracted, **kwargs):
        if create and extracted:
            getattr(obj, field).set(extracted)

    return factory.PostGeneration(set_related)
