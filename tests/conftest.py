import os

from hypothesis import settings

pytest_plugins = ["pytester"]

# On CI the property-based tests replay the same examples every run, so that a verdict
# depends on the code, not on the draw; locally they explore afresh each time.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
