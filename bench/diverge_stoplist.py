"""Would diverge change if its own 45-word stop list became the shared one (spaCy's, nlp/tokens.py)? Runs
find_divergences on every labelled story and the recession set both ways and counts reports that differ.

    PYTHONPATH=. HF_HUB_OFFLINE=1 .venv/bin/python bench/diverge_stoplist.py
"""
import json
import pathlib
import sys
ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT)); sys.path.insert(0, str(ROOT / "bench"))
import divergence as B
from pipeline import diverge
from pipeline.diverge import view
from pipeline.config import DivergenceConfig
from spacy.lang.en.stop_words import STOP_WORDS
models = B.load_models(); cfg = DivergenceConfig()
rows = {json.loads(l)["id"]: json.loads(l) for l in open(B.STORIES)}
ids = []
for f in sorted((ROOT / "bench").glob("divergence_labels*.jsonl")):
    ids += [json.loads(l)["story_id"] if "story_id" in json.loads(l) else json.loads(l)["id"] for l in open(f)]
ids = list(dict.fromkeys(ids))
stories = []
for i in ids:
    row = rows[i]
    texts = ["\n".join(row["news"][s]["newBody"]) for s in B.SIDES]
    arts = B.articles_from_texts(texts, models, prefix="doc")
    stories.append((arts, B.vectors_for(arts, models)))
rec = json.load(open(B.RECESSION))
arts = B.articles_from_texts([r["content"] for r in rec if r["content"].strip()], models, prefix="r")
stories.append((arts, B.vectors_for(arts, models)))
def run():
    view.content_words.cache_clear()
    return [json.dumps([B.divergence_model(d).model_dump(mode="json") for d in diverge.find_divergences(a, v, cfg)]) for a, v in stories]
before = run()
orig = set(view._STOP)
view._STOP.clear(); view._STOP.update(STOP_WORDS)
after = run()
diff = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
print(f"{len(stories)} stories; outputs differ in {len(diff)}: {diff[:20]}")
