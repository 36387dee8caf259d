import os

import pytest

from hypothesis import settings

pytest_plugins = ["pytester"]

# On CI the property-based tests replay the same examples every run, so that a verdict
# depends on the code, not on the draw; locally they explore afresh each time.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def torch_float64():
    """torch's default dtype float64 for one test, then as it was. Set for the whole process,
    it leaks into every other file a worker runs after: a scene's torch network would then
    start from other weights than the same scene rendered by the command."""
    import torch
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


def pytest_configure(config):
    """Each test worker's torch gets its share of the cores. torch's threads wait for each
    other at every operation; with another worker on the same cores they are descheduled
    in turn, and a torch scene's test ran eight times slower than alone (the numbers are the
    same at any thread count)."""
    workers = os.environ.get("PYTEST_XDIST_WORKER_COUNT")
    if not workers:
        return
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(max(1, (os.cpu_count() or 1) // int(workers)))
