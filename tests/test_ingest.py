"""pipeline/ingest.py: finding files and reading them; every bad file is a warning, never a crash."""

from __future__ import annotations

import hashlib
import re
import tempfile
import threading
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.ingest.discover import discover
from pipeline.ingest.read import read_articles, read_one
from pipeline.ingest.clean import clean_body, split_title
from pipeline.nlp.tokens import normalise

EXTS = [".txt", ".md"]
ARTICLE = (
    "Blinken Presses for Ceasefire\n"
    "Mediators have previously called for high-level talks to resume in Cairo this week.\n"
    "Two Israeli officials said it was unclear where and when they would next convene.\n"
)
OTHER_ARTICLE = (
    "Hamas Rejects Proposal\n"
    "Hamas accused the United States of bowing to what it called new conditions from Israel.\n"
)


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --- discover ------------------------------------------------------------------------

def test_discover_recurses_and_filters_extensions(tmp_path):
    keep = [
        _write(tmp_path / "top.txt", ARTICLE),
        _write(tmp_path / "a" / "notes.md", ARTICLE),
        _write(tmp_path / "a" / "b" / "c" / "deep.txt", ARTICLE),
        _write(tmp_path / "a" / "LOUD.TXT", ARTICLE),
    ]
    _write(tmp_path / "a" / "image.png", b"\x89PNG")
    _write(tmp_path / "a" / "b" / "data.json", "{}")
    _write(tmp_path / "noext", ARTICLE)
    files, warnings = discover([tmp_path], EXTS)
    assert sorted(files) == sorted(keep)
    assert files == sorted(files, key=str)
    assert warnings == []


def test_discover_skips_hidden_files_and_folders(tmp_path):
    visible = _write(tmp_path / "visible.txt", ARTICLE)
    _write(tmp_path / ".hidden.txt", ARTICLE)
    _write(tmp_path / ".git" / "draft.txt", ARTICLE)
    _write(tmp_path / "sub" / ".cache" / "x.txt", ARTICLE)
    files, _ = discover([tmp_path], EXTS)
    assert files == [visible]


def test_discover_lists_each_file_once(tmp_path):
    f = _write(tmp_path / "a" / "x.txt", ARTICLE)
    files, _ = discover([tmp_path, tmp_path / "a", f], EXTS)
    assert files == [f]


def test_discover_explicit_file_is_taken(tmp_path):
    f = _write(tmp_path / "article.text", ARTICLE)
    files, warnings = discover([f], EXTS)
    assert files == [f] and warnings == []


def test_discover_missing_path_is_a_warning(tmp_path):
    present = _write(tmp_path / "here.txt", ARTICLE)
    missing = tmp_path / "nowhere"
    files, warnings = discover([missing, present], EXTS)
    assert files == [present]
    assert len(warnings) == 1
    assert str(missing) in warnings[0]


def test_discover_symlink_loop_does_not_hang(tmp_path):
    f = _write(tmp_path / "d" / "x.txt", ARTICLE)
    (tmp_path / "d" / "loop").symlink_to(tmp_path / "d", target_is_directory=True)
    (tmp_path / "d" / "up").symlink_to(tmp_path, target_is_directory=True)
    result: list = []
    worker = threading.Thread(target=lambda: result.append(discover([tmp_path], EXTS)), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "discover() did not return: symlink loop followed"
    files, _ = result[0]
    assert files == [f]


# --- read_articles ---------------------------------------------------------------------

def test_reads_a_plain_article(tmp_path):
    f = _write(tmp_path / "gaza-talks.txt", ARTICLE)
    result = read_articles([f], 5.0)
    assert result.warnings == []
    (a,) = result.articles
    assert a.id == "gaza-talks"
    assert a.title == "Blinken Presses for Ceasefire"
    assert a.path == str(f)
    assert a.body.splitlines()[0].startswith("Mediators have previously called")
    assert a.sha256 == hashlib.sha256(a.body.encode("utf-8")).hexdigest()


def test_empty_file_is_skipped_with_warning(tmp_path):
    f = _write(tmp_path / "empty.txt", b"")
    result = read_articles([f], 5.0)
    assert result.articles == []
    assert len(result.warnings) == 1
    assert str(f) in result.warnings[0] and "empty" in result.warnings[0]


def test_whitespace_only_file_is_skipped(tmp_path):
    f = _write(tmp_path / "blank.txt", " \n\t\n   \n")
    result = read_articles([f], 5.0)
    assert result.articles == []
    assert len(result.warnings) == 1 and str(f) in result.warnings[0]


def test_title_only_file_is_skipped(tmp_path):
    f = _write(tmp_path / "title.txt", "Just A Headline\n")
    result = read_articles([f], 5.0)
    assert result.articles == []
    assert "no article text" in result.warnings[0]


def test_binary_file_is_skipped(tmp_path):
    f = _write(tmp_path / "photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    result = read_articles([f], 5.0)
    assert result.articles == []
    assert len(result.warnings) == 1
    assert str(f) in result.warnings[0] and "binary" in result.warnings[0]


def test_cp1252_file_is_decoded_with_warning(tmp_path):
    data = b"Caf\xe9 owners protest new tax.\nCaf\xe9 owners in Lisbon marched against the \x93terrace tax\x94 on Tuesday.\n"
    f = _write(tmp_path / "cafe.txt", data)
    result = read_articles([f], 5.0)
    (a,) = result.articles
    assert a.title == "Café owners protest new tax."
    assert a.body == "Café owners in Lisbon marched against the “terrace tax” on Tuesday."
    assert len(result.warnings) == 1
    assert str(f) in result.warnings[0] and "UTF-8" in result.warnings[0]


def test_utf8_bom_is_not_part_of_the_title(tmp_path):
    f = _write(tmp_path / "bom.txt", "\ufeff" + ARTICLE)
    result = read_articles([f], 5.0)
    assert result.warnings == []
    assert result.articles[0].title == "Blinken Presses for Ceasefire"


def test_file_over_size_limit_is_skipped(tmp_path):
    big = _write(tmp_path / "big.txt", "Headline\n" + "Words in a long body of text. " * 100)  # ~3 KB
    small = _write(tmp_path / "small.txt", ARTICLE)
    result = read_articles([big, small], max_file_mb=0.001)  # ~1 KB
    assert [a.id for a in result.articles] == ["small"]
    assert len(result.warnings) == 1
    assert str(big) in result.warnings[0] and "limit" in result.warnings[0]


def test_exact_duplicate_is_skipped_naming_the_first(tmp_path):
    first = _write(tmp_path / "first.txt", ARTICLE)
    second = _write(tmp_path / "second.txt", ARTICLE)
    result = read_articles([first, second], 5.0)
    assert [a.id for a in result.articles] == ["first"]
    (warning,) = result.warnings
    assert str(second) in warning
    after = warning.split(str(second), 1)[1]  # the reason, without the skipped path
    assert re.search(r"\bfirst\b", after) or str(first) in after


def test_same_stem_in_two_folders_keeps_both_with_distinct_ids(tmp_path):
    a = _write(tmp_path / "reuters" / "story.txt", ARTICLE)
    b = _write(tmp_path / "ap" / "story.txt", OTHER_ARTICLE)
    result = read_articles([a, b], 5.0)
    assert result.warnings == []
    ids = [x.id for x in result.articles]
    assert len(ids) == 2 and len(set(ids)) == 2
    assert all(i.startswith("story") for i in ids)
    assert {x.path for x in result.articles} == {str(a), str(b)}


def test_duplicate_warning_names_the_kept_copy_after_id_renaming(tmp_path):
    # a/story.txt and b/story.txt differ, so b's article is renamed story_<hash>.
    # c/copy.txt repeats b's text: the warning must point at b's article, not a's.
    a = _write(tmp_path / "a" / "story.txt", ARTICLE)
    b = _write(tmp_path / "b" / "story.txt", OTHER_ARTICLE)
    c = _write(tmp_path / "c" / "copy.txt", OTHER_ARTICLE)
    result = read_articles([a, b, c], 5.0)
    kept = {x.path: x for x in result.articles}
    assert set(kept) == {str(a), str(b)}
    b_article = kept[str(b)]
    (warning,) = result.warnings
    assert str(c) in warning
    assert str(b) in warning or re.search(rf"\b{re.escape(b_article.id)}\b", warning), warning


def test_unreadable_file_is_a_warning(tmp_path, monkeypatch):
    # chmod 000 does not stop root (CI containers often run as root), so the read itself is
    # refused: the OS error a permission-denied file raises, from the real call site.
    locked = _write(tmp_path / "locked.txt", ARTICLE)
    good = _write(tmp_path / "good.txt", OTHER_ARTICLE)
    real_read_bytes = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = read_articles([locked, good], 5.0)
    assert [a.id for a in result.articles] == ["good"]
    (warning,) = result.warnings
    assert str(locked) in warning and "cannot read (Permission denied)" in warning


def test_folder_named_like_a_file_is_a_warning(tmp_path):
    # A real read error, no permissions involved: the "file" is a folder.
    folder = tmp_path / "story.txt"
    folder.mkdir()
    good = _write(tmp_path / "good.txt", ARTICLE)
    result = read_articles([folder, good], 5.0)
    assert [a.id for a in result.articles] == ["good"]
    (warning,) = result.warnings
    assert str(folder) in warning and "cannot read" in warning


def test_file_names_with_spaces_and_non_ascii(tmp_path):
    f = _write(tmp_path / "Gaza talks – día 2 (Ελλάδα).txt", ARTICLE)
    files, _ = discover([tmp_path], EXTS)
    assert files == [f]
    result = read_articles(files, 5.0)
    (a,) = result.articles
    assert a.id == "Gaza talks – día 2 (Ελλάδα)"
    assert a.path == str(f)
    assert result.warnings == []


def test_unreadable_and_good_files_mixed_keep_going(tmp_path):
    good = _write(tmp_path / "good.txt", ARTICLE)
    result = read_articles([tmp_path / "vanished.txt", good], 5.0)
    assert [a.id for a in result.articles] == ["good"]
    assert len(result.warnings) == 1 and "vanished.txt" in result.warnings[0]


# --- properties ---------------------------------------------------------------------------

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=3000))
def test_random_bytes_never_raise(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "random.txt"
        path.write_bytes(data)
        articles, warnings = read_one(path, 5.0)
        assert len(articles) <= 1 and (articles or warnings)  # skipped files always say why
        for article in articles:
            assert article.body.strip()
            assert article.sha256 == hashlib.sha256(article.body.encode("utf-8")).hexdigest()
        result = read_articles([path, path], 5.0)
        assert len(result.articles) <= 1  # the second read is a duplicate of the first


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=500))
def test_random_text_through_cleaning_never_raises(text):
    title, body = split_title(text)
    assert "\n" not in title and "\r" not in title
    cleaned = clean_body(body)
    assert all(line and line == line.strip() for line in cleaned.splitlines())
    once = normalise(text)
    assert once == once.strip()
    assert normalise(once) == once
