"""pipeline/evaluate.py and `newsdigest eval`: loading, ROUGE wiring, bootstrap, peers, CLI, a real run."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

import pipeline.eval.evaluate as ev
from pipeline.eval.datasets import detect_format, load_clusters
from pipeline.eval.evaluate import cluster_budget, evaluate
from pipeline.eval.peers import generator_peer, lead_peer, lexrank_peer
from pipeline.eval.render import render_markdown
from pipeline.eval.scoring import bootstrap_ci, count_unsupported, paired_difference, rouge_scores, source_sentences
from pipeline.cli import app
from pipeline.config import Budget, Settings
from pipeline.errors import ConfigError
from pipeline.models.loaders import ModelBundle
from pipeline.eval.datasets import articles_from_texts
from tests.conftest import DATA
from tests.fakes import FakeGenerator

MULTINEWS = DATA / "multinews_3.csv"
ALLSIDES = DATA / "allsides_3.source"
JSONL = DATA / "clusters_3.jsonl"


# --- formats and loading -----------------------------------------------------

def test_slices_stay_small():
    slices = [MULTINEWS, ALLSIDES, DATA / "allsides_3.target", JSONL]
    assert sum(p.stat().st_size for p in slices) < 100_000


@pytest.mark.parametrize(("path", "fmt"), [
    (MULTINEWS, "multinews"),
    (ALLSIDES, "allsides"),
    (DATA / "allsides_3.target", "allsides"),
    (DATA / "allsides_3", "allsides"),  # the pair's common stem
    (JSONL, "jsonl"),
])
def test_detect_format(path, fmt):
    assert detect_format(path) == fmt


def test_detect_format_sniffs_content_when_the_name_says_nothing(tmp_path):
    lines = JSONL.read_text(encoding="utf-8")
    (tmp_path / "clusters.data").write_text(lines, encoding="utf-8")
    assert detect_format(tmp_path / "clusters.data") == "jsonl"


def test_unknown_format_and_missing_path_are_config_errors(tmp_path):
    odd = tmp_path / "notes.txt"
    odd.write_text("just some prose, not a dataset\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot tell the format"):
        load_clusters(odd)
    with pytest.raises(ConfigError, match="not found"):
        load_clusters(tmp_path / "nope.csv")
    assert ConfigError.exit_code == 2


def test_load_multinews_csv():
    fmt, clusters = load_clusters(MULTINEWS)
    assert fmt == "multinews"
    assert len(clusters) == 3
    assert [len(c.documents) for c in clusters] == [3, 3, 3]
    assert clusters[0].documents[0].startswith("Good Country Index Is Released")
    # The list literal is parsed, not kept as one string; the reference loses its leading dash.
    assert not any(d.startswith("[") or d.startswith("'") for c in clusters for d in c.documents)
    assert all(not c.reference.startswith("–") and len(c.reference.split()) > 50 for c in clusters)


def test_load_multinews_legacy_separator(tmp_path):
    path = tmp_path / "old.csv"
    path.write_text(
        'documents,num_documents,summary\n'
        '"First article text here. ||||| Second article NEWLINE_CHAR text here.",2,"– The summary."\n',
        encoding="utf-8",
    )
    _, clusters = load_clusters(path)
    assert clusters[0].documents == ("First article text here.", "Second article \n text here.")
    assert clusters[0].reference == "The summary."


def test_load_allsides_pair():
    fmt, clusters = load_clusters(ALLSIDES)
    assert fmt == "allsides"
    assert [len(c.documents) for c in clusters] == [3, 3, 3]
    assert clusters[0].documents[0].startswith('"In 30-plus years of politics')
    assert clusters[0].reference.startswith("Moderate Democrats and Democratic Party loyalists")
    text = " ".join(d for c in clusters for d in c.documents) + " ".join(c.reference for c in clusters)
    assert "TITLE=>" not in text and "ARTICLE=>" not in text and "[SEP]" not in text


def test_allsides_line_counts_must_match(tmp_path):
    (tmp_path / "x.source").write_text("TITLE=> a. ARTICLE=> b.\nTITLE=> c. ARTICLE=> d.\n", encoding="utf-8")
    (tmp_path / "x.target").write_text("TITLE=> r. ARTICLE=> s.\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="lines"):
        load_clusters(tmp_path / "x.source")


def test_load_jsonl_and_limit():
    fmt, clusters = load_clusters(JSONL)
    assert fmt == "jsonl" and len(clusters) == 3
    assert clusters[0].documents[0].startswith("Florida on Sunday reported")
    assert len(load_clusters(JSONL, limit=2)[1]) == 2


def test_missing_columns_are_config_errors(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text,label\nhello,1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="summary"):
        load_clusters(path)


# --- scoring ------------------------------------------------------------------

def test_rouge_matches_hand_computed_f1():
    # Three-letter words: rouge_score stems only tokens longer than three characters.
    reference = "the big red dog sat on the mat"  # 8 unigrams, 7 bigrams
    prediction = "the red dog sat on a mat"       # 7 unigrams, 6 bigrams
    # Unigram overlap (clipped counts): the, red, dog, sat, on, mat = 6.
    r1 = 2 * (6 / 7) * (6 / 8) / (6 / 7 + 6 / 8)
    # Bigram overlap: red dog, dog sat, sat on = 3.
    r2 = 2 * (3 / 6) * (3 / 7) / (3 / 6 + 3 / 7)
    # Longest common subsequence: the red dog sat on mat = 6.
    rl = r1
    scores = rouge_scores(prediction, reference)
    assert scores["rouge1"] == pytest.approx(100 * r1)
    assert scores["rouge2"] == pytest.approx(100 * r2)
    assert scores["rougeL"] == pytest.approx(100 * rl)
    assert scores["rouge2"] == pytest.approx(100 * 6 / 13)


def test_rouge_uses_the_stemmer():
    assert rouge_scores("dogs jumped", "dog jumping")["rouge1"] == pytest.approx(100.0)


def test_bootstrap_interval_contains_the_mean():
    values = [10.0, 20.0, 35.0, 40.0, 95.0, 12.0]
    lo, hi = bootstrap_ci(values)
    mean = sum(values) / len(values)
    assert lo < mean < hi
    assert min(values) <= lo and hi <= max(values)
    assert bootstrap_ci(values) == (lo, hi)  # fixed seed: repeatable


def test_paired_difference_counts_wins_ties_and_losses_per_cluster():
    d = paired_difference([50.0, 40.0, 30.0, 20.0], [45.0, 40.0, 35.0, 10.0])
    assert d["diff"] == 2.5
    assert (d["wins"], d["ties"], d["losses"]) == (0.5, 0.25, 0.25)
    assert d["diff_ci"][0] <= 2.5 <= d["diff_ci"][1]


def test_bootstrap_interval_is_degenerate_for_identical_scores():
    assert bootstrap_ci([42.5] * 12) == (42.5, 42.5)
    assert bootstrap_ci([7.0]) == (7.0, 7.0)


def test_unsupported_counts_facts_missing_from_all_sources(nlp):
    sources = ["The council met on Monday.", "Mayor Jane Doe said 40 people attended."]
    assert count_unsupported(["Mayor Jane Doe said 40 people attended."], sources, nlp) == 0
    # A new number and a new name.
    assert count_unsupported(["Mayor Jane Doe said 75 people came from Paris."], sources, nlp) >= 2


# --- budgets and peers ----------------------------------------------------------

def test_cluster_budget_rules():
    settings = Settings()
    reference = " ".join(["word"] * 230)
    assert cluster_budget(settings, reference, None, False) == settings.summary.story
    assert cluster_budget(settings, reference, 90, False) == Budget(max_sentences=6, max_words=90)
    assert cluster_budget(settings, reference, None, True) == Budget(max_sentences=15, max_words=230)
    assert cluster_budget(settings, "a b c", None, True).max_words == 5  # the config's floor


_DOC_A = ("Alpha one opens the first article today. Alpha two follows the opening sentence here. "
          "Alpha three closes the first article now.")
_DOC_B = ("Beta one opens the second article today. Beta two follows the opening sentence here. "
          "Beta three closes the second article now.")


def test_lead_is_round_robin_whole_sentences(fake_bundle):
    articles = articles_from_texts([_DOC_A, _DOC_B], fake_bundle)
    out = lead_peer(articles, Budget(max_sentences=10, max_words=21))
    assert out == ["Alpha one opens the first article today.", "Beta one opens the second article today.",
                   "Alpha two follows the opening sentence here."]
    assert lead_peer(articles, Budget(max_sentences=2, max_words=500)) == out[:2]


def test_lexrank_picks_whole_sentences_in_source_order(fake_bundle):
    articles = articles_from_texts([_DOC_A, _DOC_B], fake_bundle)
    everything = [s.text for a in articles for s in a.sentences]
    out = lexrank_peer(articles, Budget(max_sentences=10, max_words=15))
    assert 1 <= len(out) <= 2 and sum(len(s.split()) for s in out) <= 15
    assert all(s in everything for s in out)
    assert [everything.index(s) for s in out] == sorted(everything.index(s) for s in out)


def test_generator_peer_is_cut_at_the_budget(fake_bundle):
    out = generator_peer([_DOC_A, _DOC_B], fake_bundle, max_words=9)
    assert len(out.split()) == 9


class _Inventor(FakeGenerator):
    """Every answer invents a name and a number that no source has."""

    def rewrite(self, sentences, max_words):
        return "Napoleon counted 1999 votes in the first article today."

    def summarise(self, text, max_words):
        return "Napoleon counted 1999 votes. Alpha one opens the first article today."


@pytest.fixture
def inventor_bundle(nlp, fake_embedder):
    generator = _Inventor()
    return ModelBundle(embedder=fake_embedder, nlp=nlp, generator=generator)


def test_unguarded_generator_peer_is_caught_and_the_guarded_system_is_not(inventor_bundle):
    settings = Settings()
    settings.summary.mode = "hybrid"
    result = evaluate(JSONL, settings, limit=2, peers=["generator"], models=inventor_bundle)
    assert result["system"]["unsupported"] == 0
    assert result["system"]["guard_replaced"] == 1.0  # every invented rewrite was put back
    assert result["peers"]["generator"]["unsupported"] >= 2 * 2  # a name and a number per cluster


def test_an_echoing_generator_rewrites_nothing(fake_bundle):
    # The fake generator hands each sentence back unchanged: no echo is kept as a rewrite, so the
    # hybrid digest is the extractive one and every "rewrite" counts as replaced.
    settings = Settings()
    settings.summary.mode = "hybrid"
    result = evaluate(JSONL, settings, limit=1, peers=[], models=fake_bundle)
    extractive = evaluate(JSONL, Settings(), limit=1, peers=[], models=fake_bundle)
    assert result["system"]["guard_replaced"] == 1.0 and result["system"]["unsupported"] == 0
    assert result["system"]["rouge1"] == extractive["system"]["rouge1"]


def test_bad_arguments_are_config_errors(fake_bundle):
    with pytest.raises(ConfigError, match="either"):
        evaluate(JSONL, Settings(), words=100, match_reference_length=True, models=fake_bundle)
    with pytest.raises(ConfigError, match="unknown peer"):
        evaluate(JSONL, Settings(), peers=["oracle"], models=fake_bundle)


# --- CLI ----------------------------------------------------------------------

@pytest.fixture
def cli_models(monkeypatch, real_bundle):
    """The CLI loads models itself; hand it the session's already loaded real ones."""
    monkeypatch.setattr(ev, "load_bundle", lambda *args, **kwargs: real_bundle)
    return real_bundle


def test_cli_json_shape(cli_models, tmp_path):
    out_md = tmp_path / "eval.md"
    result = CliRunner().invoke(app, [
        "eval", str(ALLSIDES), "--json", "--limit", "2", "--words", "60", "--peers", "lead,lexrank",
        "--mode", "extractive", "--out", str(out_md),
    ])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"dataset", "n", "budget", "system", "peers"} <= set(data)
    assert data["n"] == 2 and data["dataset"] == str(ALLSIDES)
    assert data["budget"]["max_words_mean"] == 60
    assert set(data["peers"]) == {"lead", "lexrank"}
    for entry in [data["system"], *data["peers"].values()]:
        assert {"rouge1", "rouge2", "rougeL", "unsupported", "s_per_cluster"} <= set(entry)
        assert all(isinstance(entry[k], float) for k in ("rouge1", "rouge2", "rougeL"))
        assert entry["words"] <= 60
    assert set(data["paired"]) == {"lead", "lexrank"}
    for peer, by_key in data["paired"].items():
        for key in ("rouge1", "rouge2", "rougeL"):
            d = by_key[key]
            assert d["diff"] == pytest.approx(data["system"][key] - data["peers"][peer][key], abs=0.011)
            assert d["wins"] + d["ties"] + d["losses"] == pytest.approx(1.0)
    table = out_md.read_text(encoding="utf-8")
    assert "| newsdigest (extractive) |" in table and "| lexrank |" in table and "| ROUGE-1 |" in table
    assert "| newsdigest minus | ROUGE-1 |" in table


def test_cli_markdown_by_default(cli_models):
    result = CliRunner().invoke(app, ["eval", str(JSONL), "--limit", "1", "--peers", "lead"])
    assert result.exit_code == 0, result.output
    assert "| newsdigest (extractive) |" in result.stdout and "| lead |" in result.stdout
    assert not result.stdout.lstrip().startswith("{")


@pytest.mark.parametrize("args", [
    ["eval", "no/such/file.csv"],
    ["eval", str(JSONL), "--words", "80", "--match-reference-length"],
    ["eval", str(JSONL), "--peers", "oracle"],
    ["eval", str(JSONL), "--mode", "poetry"],
])
def test_cli_usage_errors_exit_2(args, cli_models):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "newsdigest: error:" in result.stderr


# --- a real run -----------------------------------------------------------------

@pytest.mark.models
def test_real_run_on_three_multinews_clusters(real_bundle):
    result = evaluate(
        MULTINEWS, Settings(), match_reference_length=True, peers=["lead", "lexrank"], models=real_bundle,
    )
    assert result["n"] == 3 and result["format"] == "multinews"
    assert set(result["peers"]) == {"lead", "lexrank"}
    for entry in [result["system"], *result["peers"].values()]:
        for key in ("rouge1", "rouge2", "rougeL"):
            assert 0 < entry[key] < 100
            lo, hi = entry[f"{key}_ci"]
            assert lo <= entry[key] <= hi
        # Whole sentences within each cluster's budget (the reference's length).
        assert 0 < entry["words"] <= result["budget"]["max_words_mean"]
        assert entry["s_per_cluster"] > 0 and not math.isnan(entry["s_per_cluster"])
    assert result["system"]["unsupported"] == 0
    assert result["system"]["guard_replaced"] is None  # extractive: nothing generated
    assert result["system"]["rouge1"] > result["system"]["rouge2"]
    markdown = render_markdown(result)
    # Scores: header + system + two peers; paired differences: header + the two peers.
    assert markdown.count("\n| ") == 4 + 3
    paired = markdown.split("Paired, cluster by cluster")[1]
    assert "\n| lead | " in paired and "\n| lexrank | " in paired


def test_sources_are_sentences_so_glued_text_still_backs_facts(fake_bundle, nlp):
    documents = [
        "The individual started their trip in Liberia.They are now in isolation at a city hospital.",
        "Photo caption",  # no eligible sentence: dropped from the articles, still source text
    ]
    articles = articles_from_texts(documents, fake_bundle, prefix="k")
    sources = source_sentences(documents, articles, prefix="k")
    assert "Photo caption" in sources and len(articles) == 1
    assert count_unsupported(["The individual started their trip in Liberia."], sources, nlp) == 0
    assert count_unsupported(["The trip started in Guinea."], sources, nlp) >= 1


def test_peers_take_a_sentence_repeated_across_articles_once(fake_bundle):
    articles = articles_from_texts([_DOC_A, _DOC_A, _DOC_B], fake_bundle)
    budget = Budget(max_sentences=50, max_words=500)
    for out in (lead_peer(articles, budget), lexrank_peer(articles, budget)):
        assert len(out) == len(set(out)) == 6


def test_evaluate_scores_each_peer_with_its_own_function(fake_bundle):
    result = evaluate(JSONL, Settings(), limit=1, words=40, peers=["lead", "lexrank"], models=fake_bundle)
    _, (cluster,) = load_clusters(JSONL, limit=1)
    articles = articles_from_texts(cluster.documents, fake_bundle)
    budget = Budget(max_sentences=6, max_words=40)
    for name, peer in (("lead", lead_peer), ("lexrank", lexrank_peer)):
        expected = rouge_scores(" ".join(peer(articles, budget)), cluster.reference)
        assert result["peers"][name]["rouge1"] == pytest.approx(expected["rouge1"], abs=0.01)
        assert result["peers"][name]["rouge2"] == pytest.approx(expected["rouge2"], abs=0.01)
