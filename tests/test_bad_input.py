"""Bad input through the whole run (fake embedder, real spaCy): warned about, never fatal, nothing lost."""

from __future__ import annotations

import shutil
import tracemalloc

import pipeline.publish as output
from pipeline.config import Settings
from pipeline.run import summarise_paths
from tests.conftest import SEEDS


def _seeds(tmp_path, n=5):
    src = tmp_path / "in"
    src.mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:n]:
        shutil.copy(seed, src / seed.name)
    return src


def test_huge_file_is_skipped_with_a_warning_without_reading_it(tmp_path, fake_bundle):
    src = _seeds(tmp_path, 2)
    summarise_paths([src], Settings(), None, fake_bundle)  # first-use imports and the shipped scorer, untraced
    size = 200_000_000
    with open(src / "huge.txt", "wb") as fh:
        fh.truncate(size)  # sparse: 200 MB that takes no disk
    tracemalloc.start()
    try:
        report = summarise_paths([src], Settings(), None, fake_bundle).report
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Reading the file at all would allocate its 200 MB; the rest of the run takes about 17 MB.
    assert peak < size / 4, f"peak {peak / 1e6:.0f} MB"
    assert len(report.articles) == 2
    assert any("huge.txt" in w and "MB" in w for w in report.warnings)


def test_exact_duplicates_are_summarised_once_and_listed(tmp_path, fake_bundle):
    src = _seeds(tmp_path, 2)
    first = sorted(src.glob("*.txt"))[0]
    shutil.copy(first, src / "zz copy é.txt")
    report = summarise_paths([src], Settings(), None, fake_bundle).report
    assert len(report.articles) == 2
    original = next(a for a in report.articles if a.id == first.stem)
    assert original.duplicates == [str(src / "zz copy é.txt")]


def test_syndicated_copy_is_flagged_and_not_an_independent_source(tmp_path, fake_bundle):
    src = _seeds(tmp_path, 3)
    first = sorted(src.glob("*.txt"))[0]
    lines = first.read_text().splitlines()
    # The same wire story under another headline, with one line added by the reprinting outlet.
    (src / "syndicated.txt").write_text("\n".join(["Wire: " + lines[0], *lines[1:],
                                                   "Reporting contributed by our correspondent in Cairo."]))
    report = summarise_paths([src], Settings(), None, fake_bundle).report
    copy = next(a for a in report.articles if a.id == "syndicated")
    assert copy.near_duplicate_of == first.stem
    assert any("syndicated" in w and "near-copy" in w for w in report.warnings)
    for story in report.stories:
        for d in story.divergences:
            assert "syndicated" not in {a for p in d.positions for a in p.article_ids}


def test_warnings_name_the_record_of_a_many_article_file(tmp_path, fake_bundle):
    # One JSON file holds every article here: "skipped in/records.json" alone would not say which one.
    import json

    src = tmp_path / "in"
    src.mkdir()
    seeds = [s.read_text() for s in sorted(SEEDS.glob("*.txt"))[:2]]
    records = [{"title": "First wire story", "text": seeds[0]}, {"title": "Second story", "text": seeds[1]},
               {"title": "Newsletter sign-up page", "text": "Get Breaking News\n\nSign up now"},
               {"title": "Reprint of the first", "text": seeds[0] + "\nReporting by our correspondent."},
               {"title": "Second story, posted twice", "text": seeds[1]}]
    (src / "records.json").write_text(json.dumps(records))
    report = summarise_paths([src], Settings(), None, fake_bundle).report
    assert len(report.articles) == 3
    skipped = [w for w in report.warnings if "no complete sentences" in w]
    assert len(skipped) == 1 and '("Newsletter sign-up page"' in skipped[0]
    copies = [w for w in report.warnings if "near-copy" in w]
    assert len(copies) == 1
    assert copies[0].index('"Reprint of the first"') < copies[0].index("near-copy") < copies[0].index('"First wire story"')
    twice = [w for w in report.warnings if "same text as" in w]
    assert len(twice) == 1
    assert twice[0].index('"Second story, posted twice"') < twice[0].index("same text as") < twice[0].index('"Second story"')


def test_disk_full_exits_73_and_keeps_the_previous_latest(tmp_path, fake_bundle, monkeypatch):
    import errno

    import pytest

    from pipeline.errors import OutputError

    src, out = _seeds(tmp_path, 2), tmp_path / "out"
    first = summarise_paths([src], Settings(), out, fake_bundle).run_dir
    before = (out / "latest" / "digest.json").read_text()

    def full_disk(path, text):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output, "_write_file", full_disk)
    with pytest.raises(OutputError) as exc:
        summarise_paths([src], Settings(), out, fake_bundle)
    assert exc.value.exit_code == 73 and "No space left" in str(exc.value)
    assert (out / "latest").resolve() == first.resolve()
    assert (out / "latest" / "digest.json").read_text() == before
    assert not list((out / "runs").glob(".tmp-*"))
