"""Loads the Hypothesis profiles: a test's own @given runs 300 derandomized examples by default
and under HYPOTHESIS_PROFILE=ci (the ci profile's 4,000 are for hunting seeded bugs, which the
engines ask for by name); HYPOTHESIS_PROFILE=deep explores."""

import os

from hypothesis import settings

from swarmcheck.engines.stateful import PROFILES

settings.register_profile("tests", settings(PROFILES["ci"], max_examples=300))
_asked = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile("tests" if _asked == "ci" else _asked)
pytest_plugins = ["pytester"]
