"""The server's configuration is safe for a class by default, as Streamlit itself reads it."""
import os

import pytest
from streamlit import config

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def options(monkeypatch):
    monkeypatch.chdir(ROOT)  # Streamlit reads ./.streamlit/config.toml from the working directory
    config.get_config_options(force_reparse=True)
    yield config.get_option
    config.get_config_options(force_reparse=True)


def test_the_hosting_settings_are_what_streamlit_reads(options):
    assert options("server.headless") is True
    assert options("server.runOnSave") is False
    assert options("server.fileWatcherType") == "none"
    assert options("server.enableXsrfProtection") is True
    assert options("server.enableCORS") is True
    assert options("browser.gatherUsageStats") is False
    assert options("client.toolbarMode") == "viewer"
    assert options("client.showErrorDetails") not in ("full", True)


def test_uploads_messages_and_disconnected_sessions_are_bounded(options):
    from core.limits import LIMIT_VARIABLES

    assert 0 < options("server.maxUploadSize") <= 50
    assert options("server.maxUploadSize") == LIMIT_VARIABLES["upload_mb"][1], "Streamlit's and the app's upload limits agree"
    assert 0 < options("server.maxMessageSize") <= 200
    assert 0 < options("server.disconnectedSessionTTL") <= 600


def test_a_bad_place_to_train_is_shown_literally_in_place_of_the_pages(monkeypatch):
    from streamlit.testing.v1 import AppTest

    from apps import APP

    monkeypatch.setenv("GRADFLOW_TRAIN_ON", "[the workers](http://evil.example)")
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    (shown,) = [error.value for error in app.error]
    assert "GRADFLOW_TRAIN_ON=`[the workers](http://evil.example)`" in shown  # a code span: no link
    assert "server (" in shown and "workers (" in shown
    assert not app.title  # no page was drawn
