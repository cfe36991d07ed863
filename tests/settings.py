"""Test settings: the real settings with a throw-away data directory and a fast password hasher."""

import os
import tempfile

os.environ["HUHANG_DATA_DIR"] = tempfile.mkdtemp(prefix="huhang-test-")

from huhang.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests render templates without running collectstatic first.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise warns when it is absent)
# Background tasks run at once, in the test (after the transaction's commit callbacks).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
