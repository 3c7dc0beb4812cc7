"""Loads the Hypothesis profiles (ci by default; HYPOTHESIS_PROFILE=deep to explore)."""

import os

from hypothesis import settings

import swarmcheck.engines.stateful  # noqa: F401  (registers the ci and deep profiles)

settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
pytest_plugins = ["pytester"]
