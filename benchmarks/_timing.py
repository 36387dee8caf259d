"""What the benchmarks share: whole commands timed alternately, so that both sides see the
same load on a shared machine."""
import subprocess
import time

import numpy as np


def medians(commands: dict, repeat: int) -> dict:
    """Run each command (a fresh process) alternately ``repeat`` times; the median wall
    time of each."""
    times = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            t0 = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times[name].append(time.perf_counter() - t0)
    return {name: float(np.median(t)) for name, t in times.items()}
