"""Reference data every installation starts with: the nine consultation topics."""

# (code, name): the codes are stable; staff may rename or reorder the topics in the admin.
TOPICS = [
    ("founding", "団体設立・法人化"),
    ("management", "運営・組織"),
    ("funding", "資金調達・助成金"),
    ("publicity", "広報・情報発信"),
    ("accounting", "会計・税務"),
    ("collaboration", "協働・連携"),
    ("volunteers", "人材・ボランティア"),
    ("venue", "活動場所"),
    ("other", "その他"),
]


def ensure_topics(topic_model=None) -> None:
    """Creates the topics when none exist (after migrate, and after a database flush).

    Staff's own edits are never overwritten: once any topic exists, nothing is touched.
    """
    if topic_model is None:
        from consultations.models import Topic as topic_model
    if topic_model.objects.exists():
        return
    for order, (code, name) in enumerate(TOPICS, start=1):
        topic_model.objects.update_or_create(code=code, defaults={"name": name, "order": order * 10})
