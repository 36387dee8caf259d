"""pytest plugin (registered through the pytest11 entry point): ``--update-snapshots``
rewrites the snapshots that ``render.testing.assert_frames_match`` compares against."""
from . import testing


def pytest_addoption(parser):
    parser.getgroup("render").addoption(
        "--update-snapshots", action="store_true", default=False,
        help="render: rewrite animation snapshots instead of comparing against them")


def pytest_configure(config):
    testing.UPDATE = bool(config.getoption("--update-snapshots", default=False))
