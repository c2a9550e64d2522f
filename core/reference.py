"""Reference data every installation starts with: the NPO Act's activity fields and the roles."""

# The 20 activity fields of the NPO Act (特定非営利活動促進法 別表): (name, short name).
NPO_ACT_FIELDS = [
    ("保健、医療又は福祉の増進を図る活動", "保健・医療・福祉"),
    ("社会教育の推進を図る活動", "社会教育"),
    ("まちづくりの推進を図る活動", "まちづくり"),
    ("観光の振興を図る活動", "観光"),
    ("農山漁村又は中山間地域の振興を図る活動", "農山漁村・中山間地域"),
    ("学術、文化、芸術又はスポーツの振興を図る活動", "学術・文化・芸術・スポーツ"),
    ("環境の保全を図る活動", "環境の保全"),
    ("災害救援活動", "災害救援"),
    ("地域安全活動", "地域安全"),
    ("人権の擁護又は平和の推進を図る活動", "人権・平和"),
    ("国際協力の活動", "国際協力"),
    ("男女共同参画社会の形成の促進を図る活動", "男女共同参画"),
    ("子どもの健全育成を図る活動", "子どもの健全育成"),
    ("情報化社会の発展を図る活動", "情報化社会"),
    ("科学技術の振興を図る活動", "科学技術"),
    ("経済活動の活性化を図る活動", "経済活動の活性化"),
    ("職業能力の開発又は雇用機会の拡充を支援する活動", "職業能力・雇用機会"),
    ("消費者の保護を図る活動", "消費者の保護"),
    ("前各号に掲げる活動を行う団体の運営又は活動に関する連絡、助言又は援助の活動", "団体の運営・活動の支援"),
    ("前各号に掲げる活動に準ずる活動として都道府県又は指定都市の条例で定める活動", "条例で定める活動"),
]

# The Django groups of core.roles.Role.
ROLES = ["センター職員", "市職員", "委員", "審査委員"]


def ensure_reference_data(theme_model=None, group_model=None) -> None:
    """Creates the NPO Act themes (when none exist yet) and the role groups.

    Called by the data migration and after every migrate/flush (tests flush tables), so that
    staff's own edits to themes are never overwritten.
    """
    if theme_model is None:
        from django.contrib.auth.models import Group as group_model

        from core.models import Theme as theme_model

        ensure_search_synonyms()
    if not theme_model.objects.filter(is_npo_act_field=True).exists():
        for order, (name, short_name) in enumerate(NPO_ACT_FIELDS, start=1):
            theme_model.objects.update_or_create(
                name=name, defaults={"short_name": short_name, "is_npo_act_field": True, "order": order}
            )
    for role in ROLES:
        group_model.objects.get_or_create(name=role)


def ensure_search_synonyms(synonym_model=None) -> None:
    """The first rows of the synonym table (core.text.DEFAULT_SYNONYMS), when it is empty."""
    from core.text import DEFAULT_SYNONYMS

    if synonym_model is None:
        from core.models import SearchSynonym as synonym_model
    if not synonym_model.objects.exists():
        synonym_model.objects.bulk_create(synonym_model(variants="/".join(row)) for row in DEFAULT_SYNONYMS)
