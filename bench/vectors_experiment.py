"""Word-vector experiment (issue 12 item 3), not part of `make bench`: it needs ja-ginza (spaCy) in a separate venv,
GINZA_SITE_PACKAGES=…/site-packages python -m bench.vectors_experiment examA|real1|real2 (VEC_T, VEC_W tune it).
Measured: loading 5.7 s and +299 MB RSS; every set scored lower (README) — not adopted.
: ja-ginza's word2vec vectors as an expansion of the resident's words.

For each query term, neighbours in the vector space among the words the index holds (cosine >= THRESHOLD) are
added to expand() at weight WEIGHT — only as extra ranking words; the exact words keep their weight 1.0.
Prints start-up time and memory of loading the vectors; then runs the sets in-process with the patch.
"""
import os, sys, time, resource, json
sys.path.append(os.environ.get('GINZA_SITE_PACKAGES', ''))  # a separate venv with ja-ginza installed
HERE = __import__('pathlib').Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
THRESHOLD = float(os.environ.get("VEC_T", "0.65")); WEIGHT = float(os.environ.get("VEC_W", "0.4"))
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
import numpy as np
import ja_ginza, glob
from spacy.vocab import Vocab
vocab_dir = glob.glob(os.path.join(os.path.dirname(ja_ginza.__file__), "ja_ginza-*", "vocab"))[0]
vocab = Vocab().from_disk(vocab_dir)
t1 = time.perf_counter()
rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"vectors: {vocab.vectors.shape} loaded in {t1 - t0:.2f} s, RSS +{(rss1 - rss0) / 1024:.0f} MB", flush=True)
from content.search import terms as T, index as I
_orig_expand = T.expand
_cache = {}
def neighbours(term, idx):
    key = (id(idx), term)
    if key in _cache: return _cache[key]
    mats = idx.__dict__.get("_vec_mat")
    if mats is None:
        words = [w for w in idx.words.postings if not w.startswith("cat:") and vocab.has_vector(w)]
        mat = np.array([vocab.get_vector(w) for w in words], dtype=np.float32)
        mat /= np.linalg.norm(mat, axis=1, keepdims=True) + 1e-9
        idx.__dict__["_vec_mat"] = mats = (words, mat)
    words, mat = mats
    out = {}
    if vocab.has_vector(term) and len(words):
        v = vocab.get_vector(term); v = v / (np.linalg.norm(v) + 1e-9)
        sims = mat @ v
        for i in np.argsort(-sims)[:5]:
            if sims[i] >= THRESHOLD and words[i] != term: out[words[i]] = WEIGHT
    _cache[key] = out
    return out
CURRENT = {"idx": None}
_orig_current = I.current_index
def current_index(session):
    idx = _orig_current(session); CURRENT["idx"] = idx; return idx
I.current_index = current_index
import content.search.ranking as R, content.search.answers as A
R.current_index = current_index; A.current_index = current_index
def expand(terms):
    w = _orig_expand(terms)
    idx = CURRENT["idx"]
    if idx is not None:
        for t in terms:
            for o, ww in neighbours(t, idx).items(): w.setdefault(o, ww)
    return w
T.expand = expand; R.expand = expand; I.expand = expand
os.environ.setdefault("REALEVAL_DIR", "/tmp/realeval_vectors")
from bench import real_eval
which = sys.argv[1]
if which == "real1": real_eval.main([])
elif which == "real2": real_eval.main(["--questions", str(HERE / "real_questions_2.yaml")])
elif which == "examA": real_eval.main(["--questions", str(HERE / "exam_a" / "questions.yaml"), "--opendata", str(HERE / "exam_a")])
elif which == "probe":
    for t in ["歌う", "散歩", "歌", "体操", "料理", "合唱", "ウォーキング"]:
        v = vocab.get_vector(t) if vocab.has_vector(t) else None
        print(t, None if v is None else float(np.linalg.norm(v)))
