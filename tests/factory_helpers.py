"""Pieces shared by the apps' test factories."""

import factory


def related_set(field: str) -> factory.PostGeneration:
    """A post-generation hook that sets a many-to-many field: ``Factory(themes=[...])``."""

    def set_related(obj, create, extracted, **kwargs):
        if create and extracted:
            getattr(obj, field).set(extracted)

    return factory.PostGeneration(set_related)


def numbered_names(name: str, kana: str) -> tuple[factory.Sequence, factory.Sequence]:
    """A name and its reading, each ending in the object's number:
    ``name, name_kana = numbered_names("試験団体", "しけんだんたい")``."""
    return factory.Sequence(lambda n: f"{name}{n}"), factory.Sequence(lambda n: f"{kana}{n}")


class ModelFactory(factory.django.DjangoModelFactory):
    """The base of factories whose post-generation hooks save what they set themselves, so the
    object is not saved once more after them."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True
