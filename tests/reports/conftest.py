import pytest

from tests.reports.factories import OutcomeRecordFactory, ReportFactory


@pytest.fixture
def outcome_factory(db):
    return OutcomeRecordFactory


@pytest.fixture
def report_factory(db):
    return ReportFactory


@pytest.fixture
def no_other_hooks(monkeypatch):
    """Only the reports app's own hooks answer: the figures are exactly the ones the test knows."""
    from core import app_hooks

    original = app_hooks.registrations

    def only_reports():
        return [registration for registration in original() if registration.app_label == "reports"]

    monkeypatch.setattr(app_hooks, "registrations", only_reports)


@pytest.fixture(autouse=True)
def _empty_private_storage():
    """Each test starts with an empty private folder, so files of other tests never count.

    (The FileField's storage is bound when the model loads, so the folder itself stays the
    test settings' PRIVATE_MEDIA_ROOT.)"""
    import shutil
    from pathlib import Path

    from reports.models import private_storage

    root = Path(private_storage().location)
    shutil.rmtree(root / "reports", ignore_errors=True)
    yield
    shutil.rmtree(root / "reports", ignore_errors=True)
