"""Hostile files: what lies in an output folder, odd scene file names and encodings, the CSV
of the numbers, data files that are no files. Whatever they are, render writes what it
should, removes only what it made, and says what is wrong in one line."""
import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import html5lib
import numpy as np
import pytest
from click.testing import CliRunner

from render import datasets, files
from render.cli import main

DEAD = 999999999            # above any pid_max: never a running process


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def parse(data: bytes):
    """A page parsed by the HTML5 algorithm, failing on any parse error (a control
    character, a noncharacter, a stray tag)."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(data)


def text_of(element) -> str:
    return "".join(element.itertext())


# --- the output folder: only what render made is removed ----------------------------------

# Files of the user's that merely look like a render's temporary files.
USERS = {
    ".notes.render-999999.backup": "a file",
    f".notes.render-{DEAD}.backup": "a file",
    f".notes.render-{DEAD}.backup.part": "a download not finished",
    f".notes.render-{DEAD}.backup.old": "a file",
    f".2d.gif.render-{DEAD}.backup.old": "a file, not a folder",
    f".notes.txt.render-{DEAD}.abcdefgh.part.gif": "its name does not end .gif",
    f".2d.gif.render-{DEAD}.abcdefgh.part": "a file where only a folder is made",
    f"2d.gif.render-{DEAD}.abcdefgh.part.gif": "not hidden",
    f".2d.gif.render-{DEAD}.abcdefgh.part.gif~": "an editor's backup",
    ".2d.png.render-0.abcdefgh.part.png": "no pid",
}
# Folders of the user's that look like them.
USER_FOLDERS = [f".2d.render-{DEAD}.backup.old", f".2d.mp4.render-{DEAD}.abcdefgh.part.mp4"]


def test_files_that_merely_look_like_debris_are_kept_and_real_debris_goes(tmp_path, monkeypatch):
    out = tmp_path / "o"
    folder = out / "s"
    folder.mkdir(parents=True)
    for name, what in USERS.items():
        (folder / name).write_text(what)
    for name in USER_FOLDERS:
        (folder / name).mkdir()
        (folder / name / "keep").write_text("mine")
    # Debris of a render that was killed: made by the functions that make every temporary
    # name, as a process that is gone would have named them.
    monkeypatch.setattr(files.os, "getpid", lambda: DEAD)
    made = [files._temp_beside(folder / "2d.gif", ".part.gif"),
            files._temp_beside(folder / "2d.hashes.json", ".part.hashes.json"),
            files._temp_beside(folder / "2d.gif", ".palette.png"),
            files.temp_folder_beside(folder / "2d")]
    with pytest.raises(RuntimeError), files.atomic_file(folder / "index.html") as temp:
        raise RuntimeError                              # (it removes its file)
    made.append(temp)
    # An earlier frames folder, moved aside by a render killed before it removed it.
    (folder / "frames" / "frame_0000.png").parent.mkdir()
    (folder / "frames" / "frame_0000.png").write_bytes(b"old")
    monkeypatch.setattr(files, "_remove", lambda path: None)
    files.folder_into_place(files.temp_folder_beside(folder / "frames"), folder / "frames")
    monkeypatch.undo()
    made += [p for p in folder.iterdir() if p.name.startswith(".frames.")]
    made[4].write_bytes(b"half")                        # as a render killed before the move left it
    (made[3] / "frame_0000.png").write_bytes(b"half")
    assert [p.name.split(".render-")[1].split(".", 2)[2] for p in made] == [
        "part.gif", "part.hashes.json", "palette.png", "part", "part.html", "old"]
    assert (made[5] / "frame_0000.png").read_bytes() == b"old"

    script = tmp_path / "s.py"
    script.write_text("from render import Run, Scene, optimizers as opt\n"
                      "scene = Scene('bowl', [Run(opt.GD(lr=0.1), (1, 1))], 3)\n")
    result = run(script, "--out", out, "--format", "png", "--size", "96x54")
    assert result.exit_code == 0, result.output
    assert not [p for p in made if p.exists()]
    for name, what in USERS.items():
        assert (folder / name).read_text() == what, name
    for name in USER_FOLDERS:
        assert (folder / name / "keep").read_text() == "mine", name
    assert sorted(p.name for p in folder.iterdir()) == sorted([".render.json", "2d.png", "frames", *USERS,
                                                               *USER_FOLDERS])


# --- pages: any file name, any text, any encoding ------------------------------------------

ODD = ('"""About \x07 a bell, \x1b an escape & <b>markup</b>."""\n'
       "from render import Run, Scene, optimizers as opt\n"
       "odd = Scene('bowl', [Run(opt.GD(lr=0.1), (1, 1), label='a<\x1b>\\x00b')], 3, name='odd',\n"
       "            title='t\\x00\\x01\\x7f\\x85 <b>\\ud800')\n"
       "other = Scene('bowl', [Run(opt.GD(lr=0.2), (1, 1))], 3, name='other')\n")


def test_a_page_is_written_whatever_the_file_name_and_holds_no_control_character(tmp_path):
    # On Linux a file name is bytes: these are not UTF-8 (Python reads them as lone
    # surrogates) and hold a control character.
    name = os.fsdecode(b"caf\xe9\x07.py")
    (tmp_path / name).write_text(ODD)
    out = tmp_path / "o"
    result = run(tmp_path / name, "--out", out, "--format", "html", "--size", "96x54")
    assert result.exit_code == 0, result.output
    data = (out / "odd" / "index.html").read_bytes()
    assert re.findall(rb"[\x00-\x08\x0b-\x1f\x7f]", data) == []
    tree = parse(data)                                  # strict: no control character, no noncharacter
    assert tree.find(".//h1").text == "odd"
    assert tree.find(".//p[@class='subtitle']").text == "t\u2400\u2401\u2421\ufffd <b>\ufffd"
    about = "About \u2407 a bell, \u241b an escape & <b>markup</b>."
    assert [text_of(p) for p in tree.findall(".//section/p")] == [about]
    assert tree.find(".//details[@id='source']/summary").text == "Source: caf\ufffd\u2407.py"
    assert tree.find(".//details[@id='source']/pre/code").text == ODD.replace("\x07", "\u2407").replace(
        "\x1b", "\u241b")
    assert b"<b>" not in data and b"&lt;b&gt;markup&lt;/b&gt;" in data
    assert tree.find("head/title").text == "odd \u00b7 render"
    gallery = parse((out / "index.html").read_bytes())
    assert [text_of(p) for p in gallery.findall(".//p[@class='lede']")] == [
        "t\u2400\u2401\u2421\ufffd <b>\ufffd", "bowl"]
    assert [text_of(p) for p in gallery.findall(".//p[@class='summary']")] == [about, about]


def test_a_notebook_label_holds_no_control_character():
    from render.notebook import Media
    shown = Media(b"GIF89a", "gif", (96, 54), "t\x00<b>\udce9")._repr_html_()
    assert shown.endswith('alt="t\u2400&lt;b&gt;\ufffd">')
    shown.encode("utf-8")


ENCODED = {
    "bom.py": b"\xef\xbb\xbf" + '"""Starts with a BOM: \u00bd caf\u00e9."""\n'.encode() +
              b"from render import Run, Scene, optimizers as opt\n"
              b"scene = Scene('bowl', [Run(opt.GD(lr=0.1), (1, 1))], 3)\n",
    "latin.py": "# -*- coding: latin-1 -*-\n\"\"\"Caf\u00e9 au lait, \u00bd.\"\"\"\n"
                "from render import Run, Scene, optimizers as opt\n"
                "scene = Scene('bowl', [Run(opt.GD(lr=0.1), (1, 1), label='cr\u00e8me')], 3)\n".encode("latin-1"),
}


def test_a_page_reads_its_scene_file_as_python_does(tmp_path):
    for name, data in ENCODED.items():
        (tmp_path / name).write_bytes(data)
    out = tmp_path / "o"
    result = run(tmp_path / "bom.py", tmp_path / "latin.py", "--out", out, "--format", "html", "--size", "96x54")
    assert result.exit_code == 0, result.output
    bom = parse((out / "bom" / "index.html").read_bytes())
    assert [p.text for p in bom.findall(".//section/p")] == ["Starts with a BOM: \u00bd caf\u00e9."]
    assert bom.find(".//details[@id='source']/pre/code").text == ENCODED["bom.py"][3:].decode()
    latin = parse((out / "latin" / "index.html").read_bytes())
    assert [p.text for p in latin.findall(".//section/p")] == ["Caf\u00e9 au lait, \u00bd."]
    assert latin.find(".//details[@id='source']/pre/code").text == ENCODED["latin.py"].decode("latin-1")
    gallery = parse((out / "index.html").read_bytes())
    assert [p.text for p in gallery.findall(".//p[@class='summary']")] == ["Starts with a BOM: \u00bd caf\u00e9.",
                                                                          "Caf\u00e9 au lait, \u00bd."]
    assert "\ufeff" not in (out / "bom" / "index.html").read_text(encoding="utf-8")


# --- the numbers: plain UTF-8 CSV that reads back exactly ---------------------------------

LABELS = ["caf\u00e9 \u2615", 'a, "quoted"\nlabel', "carriage\rreturn", "50% off", "nul\x00", " spaced "]


def test_the_csv_is_plain_utf8_whatever_the_locale_and_reads_back_exactly(tmp_path):
    path = tmp_path / "labels.py"
    runs = [f"Run(opt.GD(lr=0.1), (1, {k}), label={label!r})" for k, label in enumerate(LABELS)]
    runs.append("Run(opt.Adam(lr=0.1, betas=(0.9, 0.99)), (2, 1))")     # an optimizer described with commas
    path.write_text("from render import Run, Scene, optimizers as opt\n"
                    f"scene = Scene('bowl', [{', '.join(runs)}], 4)\n", encoding="utf-8")
    # An ASCII locale, not coerced to UTF-8: what the file is written in is render's choice.
    env = dict(os.environ, LC_ALL="C", LANG="C", PYTHONCOERCECLOCALE="0", PYTHONUTF8="0")
    result = subprocess.run([sys.executable, "-m", "render", str(path), "--out", str(tmp_path / "o"), "--format",
                             "png", "--size", "96x54", "--data"], capture_output=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    data = (tmp_path / "o" / "labels" / "trajectories.csv").read_bytes()
    assert data.startswith(b"run,label,optimizer,step,x,y,loss\n")            # no BOM
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[0] == ["run", "label", "optimizer", "step", "x", "y", "loss"]
    from render import plan as planning
    from render.load import load
    (_, scene), = load(path)
    t = planning.build(scene).trajectories
    steps = t.steps + 1
    assert len(rows) == 1 + len(scene.runs) * steps
    for i, run_ in enumerate(scene.runs):
        block = rows[1 + i * steps: 1 + (i + 1) * steps]
        assert {tuple(r[:3]) for r in block} == {(str(i), run_.name, run_.optimizer.describe())}
        assert [int(r[3]) for r in block] == list(range(steps))
        assert np.array([[float(v) for v in r[4:]] for r in block]).tolist() == \
            np.column_stack([t.positions[i], t.losses[i]]).tolist()                # exactly
    assert [r[1] for r in rows[1::steps]][:len(LABELS)] == LABELS


# --- data files: regular files of a bounded size, or one line -----------------------------

def scene_reading(path: Path, data: Path) -> None:
    path.write_text("from render import Run, Scene, datasets, optimizers as opt, surfaces\n"
                    f"model = surfaces.MLP(*datasets.csv({str(data)!r}), hidden=(3,))\n"
                    "scene = Scene(surface=model, steps=3, runs=[Run(opt.Adam(lr=0.1), model.init)])\n")


def test_a_data_file_that_is_no_regular_file_is_one_line_and_never_waits(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    (tmp_path / "folder.csv").mkdir()
    cases = {"fifo.py": (fifo, "is a named pipe (FIFO)"), "device.py": (Path(os.devnull), "is a device"),
             "folder.py": (tmp_path / "folder.csv", "is a folder")}
    for name, (data, _) in cases.items():
        scene_reading(tmp_path / name, data)
    result = subprocess.run([sys.executable, "-m", "render", *cases, "--out", "o", "--format", "png", "--size",
                             "96x54"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"render: {name}:2: csv {data.name}: {kind}, not a regular file; give the path of a CSV file"
        for name, (data, kind) in cases.items()]
    assert not (tmp_path / "o").exists()


def test_a_data_file_larger_than_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = tmp_path / "points.csv"
    # The limit lets a million points of two features at full precision through, not 200 MB.
    line = f"{-0.12345678901234567!r},{0.12345678901234567!r},1\n"
    assert 10**6 * len(line) < datasets.MAX_BYTES < 200 * 10**6
    path.write_text("x,y,class\n" + "0.5,1.5,0\n-1,2,1\n" * 10)                 # 180 bytes
    X, y = datasets.csv(path, label="class")
    assert X.shape == (20, 2) and y.tolist() == [0, 1] * 10
    monkeypatch.setattr(datasets, "MAX_BYTES", 179)
    with pytest.raises(ValueError) as info:
        datasets.csv(path, label="class")
    assert str(info.value) == ("csv points.csv: the file is 180 B, more than the 179 B a data file may be "
                               "(datasets.MAX_BYTES); keep fewer points")


def test_a_data_file_with_a_bom_or_a_header_of_another_width_reads_or_says_which_line(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbfx,y,class\r\n0.5,1.5,0\r\n\r\n-1,2,1\r\n")      # Excel's "CSV UTF-8"
    X, y = datasets.csv(path, label="class")
    assert X.tolist() == [[0.5, 1.5], [-1.0, 2.0]] and y.tolist() == [0, 1]
    path.write_text("x,y,z,class\n0.5,1.5,0\n")
    with pytest.raises(ValueError) as info:
        datasets.csv(path, label="class")
    assert str(info.value) == "csv excel.csv: line 2 has 3 columns, the first has 4"
