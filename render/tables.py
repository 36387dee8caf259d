"""A scene's numbers as tables: ``write_data`` writes its runs' trajectories (or each
signal's responses) as CSV, ``write_events`` what happens in a race, ``write_searches``
the searches of its tuned runs; atomically,
in the scene's folder, 17 significant digits, so the numbers read back exactly."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .files import atomic_file
from .gradient_signals import Responses

__all__ = ["data_name", "write_data", "write_events", "write_searches"]


def data_name(plan) -> str:
    """The CSV file a scene's numbers go to in its folder."""
    return "responses.csv" if isinstance(plan.trajectories, Responses) else "trajectories.csv"


def write_data(folder, plan) -> Path:
    """The scene's numbers as CSV, atomically, in its folder; 17 significant digits, so the
    numbers read back exactly. A race: run, label, optimizer, step, x, y, loss. Responses:
    signal, run, label, optimizer, step, gradient, update."""
    path = Path(folder) / data_name(plan)
    with atomic_file(path) as temp, open(temp, "w", encoding="utf-8", newline="") as f:
        if isinstance(plan.trajectories, Responses):
            _responses_csv(f, plan)
        else:
            _trajectories_csv(f, plan)
    return path


def write_searches(folder, plan) -> Path | None:
    """The searches of the scene's tuned runs as CSV, atomically, in its folder
    (``tuning.csv``), or None when nothing was tuned. A row per candidate and tuned value:
    run, label, candidate, parameter, value, final_loss (inf: diverged), chosen (1 or 0)."""
    searches = plan.searches
    if not searches:
        return None
    path = Path(folder) / "tuning.csv"
    with atomic_file(path) as temp, open(temp, "w", encoding="utf-8", newline="") as f:
        f.write("run,label,candidate,parameter,value,final_loss,chosen\n")
        for search in searches:
            label = _csv(plan.scene.runs[search.run].name)
            for k, (values, loss) in enumerate(zip(search.values, search.losses)):
                for name, value in zip(search.names, values):
                    f.write(f"{search.run},{label},{k},{name},{value:.17g},{loss:.17g},{int(k == search.chosen)}\n")
    return path


def write_events(folder, plan) -> Path | None:
    """What happens in a race (``render.story``) as CSV, atomically, in its folder
    (``events.csv``; None for response figures): a row per event, by step: step, run,
    label, kind, text. Header only when nothing happens."""
    if isinstance(plan.trajectories, Responses):
        return None
    path = Path(folder) / "events.csv"
    with atomic_file(path) as temp, open(temp, "w", encoding="utf-8", newline="") as f:
        f.write("step,run,label,kind,text\n")
        for e in plan.events:
            f.write(f"{e.step},{e.run},{_csv(plan.scene.runs[e.run].name)},{e.kind},{_csv(e.text)}\n")
    return path


def _trajectories_csv(f, plan) -> None:
    """Over a model: the plane's coordinates a, b, the distance off it, the true loss, then
    every parameter p0, p1, ..."""
    t = plan.trajectories
    steps = np.arange(t.steps + 1)
    plane = plan.plane
    if plane is None:
        f.write("run,label,optimizer,step,x,y,loss\n")
    else:
        f.write("run,label,optimizer,step,a,b,off_plane,loss," + ",".join(f"p{k}" for k in range(t.positions.shape[2]))
                + "\n")
    for i, run in enumerate(plan.scene.runs):
        prefix = f"{i},{_csv(run.name)},{_csv(run.optimizer.describe())}"
        if plane is None:
            block = np.column_stack([steps, t.positions[i, :, 0], t.positions[i, :, 1], t.losses[i]])
        else:
            block = np.column_stack([steps, plane.paths.positions[i], plane.off[i], t.losses[i], t.positions[i]])
        _rows(f, prefix, block)


def _responses_csv(f, plan) -> None:
    r = plan.trajectories
    steps = np.arange(r.steps + 1)
    f.write("signal,run,label,optimizer,step,gradient,update\n")
    for s, name in enumerate(r.names):
        for i, run in enumerate(plan.scene.runs):
            prefix = f"{_csv(name)},{i},{_csv(run.name)},{_csv(run.optimizer.describe())}"
            block = np.column_stack([steps, r.gradients[s], r.updates[i, s]])
            _rows(f, prefix, block)


def _rows(f, prefix: str, block: np.ndarray) -> None:
    """A row per row of ``block`` (the step, then numbers to 17 significant digits), each
    after ``prefix``, the row's text fields, which are written as they are (a '%' in a label
    is a '%')."""
    fmt = ",%d" + ",%.17g" * (block.shape[1] - 1) + "\n"
    for start in range(0, len(block), 4096):
        f.write("".join(prefix + fmt % tuple(row) for row in block[start:start + 4096].tolist()))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _csv(text: str) -> str:
    """A text field as the csv module reads it back: quoted when it holds a separator, a
    quote or a line break; a lone surrogate (which no UTF-8 holds) is U+FFFD."""
    text = _SURROGATE.sub("\ufffd", text)
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text
