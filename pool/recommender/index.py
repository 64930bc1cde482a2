"""TopicIndex: ranks instructor documents for a free-text Chinese need.

Three sparse views of every instructor are kept, each a TF-IDF matrix over the instructor's fields
weighted BM25F-style (field weight x term count, then sublinear tf, idf, L2 norm):

* word     jieba tokens (search mode, with the domain vocabulary),
* char     character 2-3-grams (robust to unseen words and segmentation differences),
* concept  domain concepts and their sub-areas recognised by the lexicon (a colloquial need and a
           formal bio meet here: "留守老人" and "居家养老" are the same concept).

The vectors are scikit-learn's: word and char tokens are counted into a hashed feature space by
``FeatureHasher`` (no vocabulary to grow or keep in step when one instructor changes), and
``TfidfTransformer`` turns the field-weighted counts into TF-IDF rows. Counts are kept per field, so
field weights can change without re-analysis and explanations can split a score over the fields.

A need is analysed the same way. Its recognised concepts are its expansion: in the concept view
every term of a concept (and, more weakly, its sub-area) stands for the others; the same related
terms are also added to the word and char query vectors with reduced weight
(``TopicConfig.expansion_weight``). The three cosines are blended, a round of pseudo-relevance
feedback adds the strongest features of the first-pass top instructors, and the probability of each
instructor's category given the need is added as a small boost.

Scoring is a handful of sparse row slices and dot products: no Python loop over instructors.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import TfidfTransformer

from .config import FIELDS, VIEWS, TopicConfig
from .lexicon import Lexicon, TermHit, load_lexicon
from .schema import CATEGORIES, CategoryGuess, DocId, InstructorDoc, TopicExplanation, TopicMatch
from .text import MAX_QUERY_CHARS, Analyzer, normalize, split_request, strip_filler

_CAT_INDEX = {c: i for i, c in enumerate(CATEGORIES)}

#: Buckets of the hashed word and char feature spaces. 5,000 instructors have some 200,000 distinct
#: features; at 2^24 buckets two of them share one about once (at 2^20 collisions cost 0.001 NDCG@10).
HASH_FEATURES = 2**24
_HASHER = FeatureHasher(n_features=HASH_FEATURES, input_type="dict", alternate_sign=False)
_HASHED_VIEWS = ("word", "char")
_MAX_MATCHED_TERMS = 12


def _field_texts(doc: InstructorDoc) -> dict[str, str]:
    return {
        "category": normalize(doc.category),
        "subareas": normalize("；".join(doc.subareas)),
        "topics": normalize("；".join(t for t, _ in doc.topics)),
        "abstracts": normalize("；".join(a for _, a in doc.topics if a)),
        "bio": strip_filler(normalize(doc.bio)),
        "employer": normalize(doc.employer),
        "title": "" if normalize(doc.title) in ("", "无", "none") else normalize(doc.title),
        "lectures": normalize("；".join(doc.lecture_titles)),
    }


_ANALYZERS: dict[int, tuple[Lexicon, Analyzer]] = {}
_ANALYZERS_LOCK = threading.Lock()


def analyzer_for(lexicon: Lexicon) -> Analyzer:
    """One jieba tokenizer per lexicon (loading jieba's dictionary takes about a second)."""
    with _ANALYZERS_LOCK:
        entry = _ANALYZERS.get(id(lexicon))
        if entry is None or entry[0] is not lexicon:
            entry = (lexicon, Analyzer(lexicon.terms))
            _ANALYZERS[id(lexicon)] = entry
        return entry[1]


def _hashed(tokens: Iterable[str] | Counter) -> dict[int, float]:
    """Token counts (or weighted counts) in the hashed feature space, as ``{column: count}``."""
    counts = tokens if isinstance(tokens, Counter) else Counter(tokens)
    if not counts:
        return {}
    row = _HASHER.transform([counts])
    return dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))


_TERM_FEATURES: dict[int, dict[tuple[str, str], dict[int, float]]] = {}
_TERM_FEATURES_LOCK = threading.Lock()


def _term_features(lexicon: Lexicon, analyzer: Analyzer, view: str, term: str) -> dict[int, float]:
    """A lexicon term's hashed tokens in a view (the related terms a need is expanded with). They do
    not depend on the instructors: all terms are analysed once per lexicon, in one batch (0.1 s),
    and kept across index versions."""
    table = _TERM_FEATURES.get(id(analyzer))
    if table is None:
        with _TERM_FEATURES_LOCK:
            table = _TERM_FEATURES.get(id(analyzer))
            if table is None:
                terms = lexicon.terms
                words = _HASHER.transform([Counter(analyzer.words(t)) for t in terms])
                chars = _HASHER.transform([Counter(analyzer.chars(t, drop_stopwords=False)) for t in terms])
                table = {}
                for view, m in (("word", words), ("char", chars)):
                    for i, t in enumerate(terms):
                        lo, hi = m.indptr[i], m.indptr[i + 1]
                        table[(view, t)] = dict(zip(m.indices[lo:hi].tolist(), m.data[lo:hi].tolist(), strict=True))
                _TERM_FEATURES[id(analyzer)] = table
    features = table.get((view, term))
    if features is None:  # not a lexicon term
        tokens = analyzer.words(term) if view == "word" else analyzer.chars(term, drop_stopwords=False)
        features = _hashed(tokens)
    return features


def _unit(d: dict[int, float]) -> dict[int, float]:
    n = float(np.sqrt(sum(v * v for v in d.values())))
    return {j: v / n for j, v in d.items()} if n > 0 else {}


def _add(acc: dict[int, float], vec: dict[int, float], w: float) -> None:
    for j, v in vec.items():
        acc[j] = acc.get(j, 0.0) + w * v


@dataclass
class _QueryAnalysis:
    text: str
    words: list[str]
    chars: list[str]
    hits: list[TermHit]
    activations: dict[int, float]  # concept -> activation (context counts ``context_weight``)
    word_counts: Counter  # token -> weighted count
    char_counts: Counter


# --------------------------------------------------------------------------------------- corpus


def _analyse_doc(doc: InstructorDoc, lexicon: Lexicon, analyzer: Analyzer) -> tuple[dict[str, str], dict]:
    """One document's field texts and, per view and field, its ``{token or concept column: count}``."""
    texts = _field_texts(doc)
    counts: dict[str, list[dict]] = {v: [] for v in VIEWS}
    n_con = len(lexicon.concepts)
    for f in FIELDS:
        t = texts[f]
        if not t:
            for v in VIEWS:
                counts[v].append({})
            continue
        words, chars = analyzer.analyse(t)
        counts["word"].append(Counter(words))
        counts["char"].append(Counter(chars))
        concept: dict[int, float] = defaultdict(float)
        for ci, a in lexicon.activations(lexicon.find(t)).items():
            concept[ci] += a
            concept[n_con + lexicon.subarea_index[lexicon.concepts[ci].subarea]] += a
        counts["concept"].append(dict(concept))
    return texts, counts


class _Corpus:
    """Configuration-independent analysis of the documents: per view and field, one raw count matrix
    (instructors x features). Field weights are applied by the index; updating documents re-analyses
    those documents only. Immutable once built.

    Word and char tokens are hashed into 2^24 buckets (practically no collisions); the matrices keep
    only the columns some instructor has (``features[view]``, sorted hash buckets), so their width is
    the number of distinct features, not 2^24. Concept columns are the lexicon's concepts, then its
    sub-areas.
    """

    def __init__(
        self,
        lexicon: Lexicon,
        analyzer: Analyzer,
        docs: list[InstructorDoc],
        field_texts: list[dict[str, str]],
        hashed: dict[str, list[sp.csr_matrix]],
    ):
        self.lexicon = lexicon
        self.analyzer = analyzer
        self.n_concepts = len(lexicon.concepts)
        self.docs = docs
        self.ids: list[DocId] = [d.id for d in docs]
        self.row_of: dict[DocId, int] = {d: i for i, d in enumerate(self.ids)}
        if len(self.row_of) != len(self.ids):
            dupes = sorted({str(d) for d in self.ids if self.ids.count(d) > 1})
            raise ValueError(f"duplicate instructor id(s): {', '.join(dupes)}")
        self.field_texts = field_texts
        self.categories = np.array([_CAT_INDEX.get(d.category, -1) for d in docs], dtype=np.int64)
        self.features: dict[str, np.ndarray] = {}
        self.counts: dict[str, list[sp.csr_matrix]] = {}
        for view, per_field in hashed.items():
            if view in _HASHED_VIEWS:
                present = np.unique(np.concatenate([m.indices for m in per_field])).astype(np.int64)
                self.features[view] = present
                self.counts[view] = [
                    sp.csr_matrix(
                        (m.data, np.searchsorted(present, m.indices), m.indptr), shape=(len(docs), present.size)
                    )
                    for m in per_field
                ]
            else:
                self.features[view] = np.arange(per_field[0].shape[1], dtype=np.int64)
                self.counts[view] = per_field

    @classmethod
    def build(cls, docs: Sequence[InstructorDoc], lexicon: Lexicon, analyzer: Analyzer) -> _Corpus:
        docs = list(docs)
        texts, hashed = cls._analyse(docs, lexicon, analyzer)
        return cls(lexicon, analyzer, docs, texts, hashed)

    @classmethod
    def _analyse(
        cls, docs: list[InstructorDoc], lexicon: Lexicon, analyzer: Analyzer
    ) -> tuple[list[dict[str, str]], dict[str, list[sp.csr_matrix]]]:
        analysed = [_analyse_doc(d, lexicon, analyzer) for d in docs]
        concept_width = len(lexicon.concepts) + len(lexicon.subareas)
        hashed = {
            view: [cls._matrix(view, [a[1][view][fi] for a in analysed], concept_width) for fi in range(len(FIELDS))]
            for view in VIEWS
        }
        return [a[0] for a in analysed], hashed

    @staticmethod
    def _matrix(view: str, rows: list[dict], concept_width: int) -> sp.csr_matrix:
        width = HASH_FEATURES if view in _HASHED_VIEWS else concept_width
        if not rows:
            return sp.csr_matrix((0, width), dtype=np.float64)
        if view in _HASHED_VIEWS:
            m = _HASHER.transform(rows).tocsr()
        else:
            sizes = [len(r) for r in rows]
            indptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
            cols = np.fromiter((c for r in rows for c in r), dtype=np.int64, count=indptr[-1])
            vals = np.fromiter((v for r in rows for v in r.values()), dtype=np.float64, count=indptr[-1])
            m = sp.csr_matrix((vals, cols, indptr), shape=(len(rows), width))
        m.sum_duplicates()
        return m

    def _hashed(self, view: str, rows: Sequence[int]) -> list[sp.csr_matrix]:
        """The per-field matrices of these rows, back in hash-bucket columns."""
        out = []
        for m in self.counts[view]:
            sub = m[rows]
            if view in _HASHED_VIEWS:
                sub = sp.csr_matrix(
                    (sub.data, self.features[view][sub.indices], sub.indptr), shape=(sub.shape[0], HASH_FEATURES)
                )
            out.append(sub)
        return out

    def columns(self, view: str, hashed: dict[int, float]) -> dict[int, float]:
        """A hashed ``{bucket: value}`` vector in this corpus's columns; buckets no instructor has are dropped."""
        if view not in _HASHED_VIEWS or not hashed:
            return hashed
        features = self.features[view]
        if features.size == 0:
            return {}
        keys = np.fromiter(hashed.keys(), dtype=np.int64, count=len(hashed))
        pos = np.minimum(np.searchsorted(features, keys), features.size - 1)
        return {
            int(p): v for p, k, v in zip(pos.tolist(), keys.tolist(), hashed.values(), strict=True) if features[p] == k
        }

    def updated(self, upserts: Sequence[InstructorDoc] = (), removals: Collection[DocId] = ()) -> _Corpus:
        """A new corpus with ``upserts`` added (or replacing the documents with the same ids) and
        ``removals`` gone (unknown ids are ignored). Only the upserted documents are analysed."""
        fresh: dict[DocId, InstructorDoc] = {d.id: d for d in upserts}
        gone = set(removals) | set(fresh)
        keep = [r for r, doc_id in enumerate(self.ids) if doc_id not in gone]
        new_texts, new_hashed = self._analyse(list(fresh.values()), self.lexicon, self.analyzer)
        kept_hashed = {view: self._hashed(view, keep) for view in VIEWS}
        hashed = {
            view: [
                sp.vstack([old, new], format="csr")
                for old, new in zip(kept_hashed[view], new_hashed[view], strict=True)
            ]
            for view in VIEWS
        }
        docs = [self.docs[r] for r in keep] + list(fresh.values())
        texts = [self.field_texts[r] for r in keep] + new_texts
        return _Corpus(self.lexicon, self.analyzer, docs, texts, hashed)

    @property
    def width(self) -> dict[str, int]:
        return {view: int(f.size) for view, f in self.features.items()}

    def __len__(self) -> int:
        return len(self.ids)


# ---------------------------------------------------------------------------------------- index


def _field_weights(config: TopicConfig) -> dict[str, float]:
    return {f: max(0.0, float(config.field_weights.get(f, 0.0))) for f in FIELDS}


@dataclass
class _Scored:
    """Everything one need's scoring produces, in index order."""

    raw: np.ndarray  # text + boost
    text: np.ndarray
    boost: np.ndarray
    vectors: dict[str, dict[int, float]]  # final query vectors per view (after feedback)
    expansion: dict[str, float]  # related terms of the recognised concepts, relative weights
    category_probs: np.ndarray

    @cached_property
    def best(self) -> float:
        return float(self.raw.max()) if self.raw.size else 0.0


class NeedScores:
    """One need scored against every instructor of an index (index order; see ``TopicIndex.ids``).

    ``fit`` is the topic fit scaled so the best instructor of the whole index gets 1.0 (0.0 for one
    sharing nothing with the need), split into ``topic`` (text similarity) + ``category`` (the boost
    from the category inferred for the need). ``explain(rows)`` gives the explanations of a few rows.
    """

    def __init__(self, index: TopicIndex, qa: _QueryAnalysis, scored: _Scored):
        self._index = index
        self._qa = qa
        self._scored = scored
        scale = 1.0 / scored.best if scored.best > 0 else 0.0
        self.topic: np.ndarray = scored.text * scale
        self.category: np.ndarray = scored.boost * scale
        self.fit: np.ndarray = scored.raw * scale

    @property
    def raw(self) -> np.ndarray:
        return self._scored.raw

    @cached_property
    def category_guess(self) -> CategoryGuess:
        return self._index._category_guess(self._qa, self._scored)

    def explain(self, rows: Sequence[int]) -> list[TopicExplanation]:
        """Explanations of the instructors at these index rows (empty for a row with no fit)."""
        rows = [int(r) for r in rows]
        with_fit = [r for r in rows if self._scored.raw[r] > 0]
        done = dict(zip(with_fit, self._index._explanations(with_fit, self._qa, self._scored), strict=True))
        return [done.get(r, TopicExplanation()) for r in rows]


class TopicIndex:
    """Ranks instructors by topic fit for a free-text need. Build once, query many times; immutable,
    so readers need no lock (updates return a new index)."""

    def __init__(self, corpus: _Corpus, config: TopicConfig):
        self._corpus = corpus
        self.config = config
        self._lexicon = corpus.lexicon
        self._analyzer = corpus.analyzer
        self._lock = threading.Lock()
        self._fw = _field_weights(config)
        self._feature_weights = {v: self._per_feature(v) for v in VIEWS}
        self._x: dict[str, sp.csr_matrix] = {}
        self._xt: dict[str, sp.csr_matrix] = {}
        self._idf: dict[str, np.ndarray] = {}
        for view in VIEWS:
            self._x[view], self._idf[view] = self._tfidf(view)
            self._xt[view] = self._x[view].T.tocsr()
        vw = {v: max(0.0, float(config.view_weights.get(v, 0.0))) for v in VIEWS}
        total = sum(vw.values()) or 1.0
        self._view_weights = {v: w / total for v, w in vw.items()}
        self._concept_category = self._concept_category_table()
        self._expansion_cache: dict[tuple[str, str], dict[int, float]] = {}
        self._analyse = lru_cache(maxsize=512)(self._analyse_uncached)

    # ------------------------------------------------------------------ construction
    @classmethod
    def build(
        cls, docs: Sequence[InstructorDoc], *, config: TopicConfig | None = None, lexicon: Lexicon | None = None
    ) -> TopicIndex:
        lexicon = lexicon or load_lexicon()
        analyzer = analyzer_for(lexicon)
        if lexicon.terms:  # analyse the expansion terms now rather than in the first request
            _term_features(lexicon, analyzer, "word", lexicon.terms[0])
        return cls(_Corpus.build(docs, lexicon, analyzer), config or TopicConfig())

    def with_config(self, config: TopicConfig) -> TopicIndex:
        """Same documents, other parameters (re-uses the expensive text analysis)."""
        return TopicIndex(self._corpus, config)

    def updated(self, upserts: Sequence[InstructorDoc] = (), removals: Collection[DocId] = ()) -> TopicIndex:
        """A new index with instructors added or replaced (``upserts``) and removed (``removals``).
        Only those instructors' texts are analysed again; idf and the matrices are recomputed
        (0.1-0.3 s for 5,000 instructors, whatever the number of changes). The old index stays
        valid, so readers can keep using it meanwhile."""
        return TopicIndex(self._corpus.updated(upserts, removals), self.config)

    def with_document(self, doc: InstructorDoc) -> TopicIndex:
        return self.updated([doc])

    def without_document(self, doc_id: DocId) -> TopicIndex:
        """A new index without the instructor (KeyError if unknown)."""
        if doc_id not in self._corpus.row_of:
            raise KeyError(doc_id)
        return self.updated(removals=[doc_id])

    def documents(self) -> list[InstructorDoc]:
        return list(self._corpus.docs)

    def ids(self) -> list[DocId]:
        """Instructor ids in index order (the order of every per-instructor array)."""
        return list(self._corpus.ids)

    def row_of(self, doc_id: DocId) -> int | None:
        return self._corpus.row_of.get(doc_id)

    def __len__(self) -> int:
        return len(self._corpus)

    def size_bytes(self) -> int:
        """Memory of the sparse matrices and idf vectors (documents and texts excluded)."""
        total = sum(idf.nbytes for idf in self._idf.values())
        matrices = [*self._x.values(), *self._xt.values()]
        matrices += [m for per_field in self._corpus.counts.values() for m in per_field]
        for m in matrices:
            total += m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
        return total

    def _per_feature(self, view: str) -> np.ndarray | None:
        """Weights of the concept view's columns: the sub-area columns count ``subarea_weight``."""
        if view != "concept":
            return None
        w = np.ones(self._corpus.width[view])
        w[self._corpus.n_concepts :] = self.config.subarea_weight
        return w

    def _weighted_counts(self, view: str) -> list[sp.csr_matrix]:
        """Per field: the counts times the field weight (and the feature weights of the view)."""
        out = []
        per_feature = self._feature_weights[view]
        for fi, f in enumerate(FIELDS):
            m = self._corpus.counts[view][fi] * self._fw[f]
            if per_feature is not None:
                m = m @ sp.diags(per_feature)
            out.append(sp.csr_matrix(m))
        return out

    def _tfidf(self, view: str) -> tuple[sp.csr_matrix, np.ndarray]:
        """Sublinear tf (log1p of the field-weighted counts) with scikit-learn's smooth idf and L2
        norm. A feature no instructor has gets idf 0, so it cannot weigh in a need's vector either."""
        width = self._corpus.width[view]
        n = len(self._corpus)
        if n == 0:
            return sp.csr_matrix((0, width), dtype=np.float32), np.zeros(width)
        tf = sum(self._weighted_counts(view), sp.csr_matrix((n, width)))
        tf = sp.csr_matrix(tf)
        tf.eliminate_zeros()
        tf.sort_indices()
        tf.data = np.log1p(tf.data)
        transformer = TfidfTransformer(norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=False)
        x = transformer.fit_transform(tf)
        df = np.bincount(tf.indices, minlength=width)
        idf = np.where(df > 0, transformer.idf_, 0.0)
        return sp.csr_matrix(x, dtype=np.float32), idf

    # ------------------------------------------------------------------ query analysis
    def _analyse_uncached(self, query: str) -> _QueryAnalysis:
        text = normalize(query)[:MAX_QUERY_CHARS]
        context, focus = split_request(text)
        parts = [(focus, 1.0)] if not context else [(context, self.config.context_weight), (focus, 1.0)]
        words: Counter = Counter()
        chars: Counter = Counter()
        hits: list[TermHit] = []
        activations: dict[int, float] = defaultdict(float)
        all_words: list[str] = []
        for part, weight in parts:
            part_hits = self._lexicon.find(part)
            part_words, part_chars = self._analyzer.analyse(part)
            for w in part_words:
                words[w] += weight
            for c in part_chars:
                chars[c] += weight
            for ci, a in self._lexicon.activations(part_hits).items():
                activations[ci] += weight * a
            hits += part_hits
            all_words += part_words
        return _QueryAnalysis(text, all_words, list(chars), hits, dict(activations), words, chars)

    def _weighted(self, view: str, counts: dict[int, float]) -> dict[int, float]:
        idf = self._idf[view]
        return _unit({j: np.log1p(c) * idf[j] for j, c in counts.items() if idf[j] > 0})

    def _term_vector(self, view: str, term: str) -> dict[int, float]:
        key = (view, term)
        vec = self._expansion_cache.get(key)
        if vec is None:
            features = _term_features(self._lexicon, self._analyzer, view, term)
            vec = self._weighted(view, self._corpus.columns(view, features))
            with self._lock:
                self._expansion_cache[key] = vec
        return vec

    def _query_vectors(self, qa: _QueryAnalysis) -> tuple[dict[str, dict[int, float]], dict[str, float]]:
        """Per view: the need's own vector plus expansion; and the expansion terms with weights."""
        cfg = self.config
        vectors: dict[str, dict[int, float]] = {}
        act = qa.activations
        total_act = sum(act.values())
        expansion: dict[str, float] = {}
        if total_act > 0:
            for ci, a in act.items():
                terms = self._lexicon.concepts[ci].terms
                w = (a / total_act) / (len(terms) ** cfg.expansion_power)
                for t in terms:
                    expansion[t] = expansion.get(t, 0.0) + w
        for view in _HASHED_VIEWS:
            own = self._corpus.columns(view, _hashed(qa.word_counts if view == "word" else qa.char_counts))
            vec = dict(self._weighted(view, own))
            if cfg.expansion_weight > 0:
                for t, w in expansion.items():
                    _add(vec, self._term_vector(view, t), cfg.expansion_weight * w)
            vectors[view] = vec
        # Concept view: recognised concepts plus their sub-areas.
        con: dict[int, float] = {}
        n_con = self._corpus.n_concepts
        for ci, a in act.items():
            con[ci] = con.get(ci, 0.0) + a
            s = n_con + self._lexicon.subarea_index[self._lexicon.concepts[ci].subarea]
            con[s] = con.get(s, 0.0) + a * cfg.subarea_weight
        vectors["concept"] = self._weighted("concept", con)
        return vectors, expansion

    # ------------------------------------------------------------------ scoring
    def _view_scores(self, view: str, vec: dict[int, float]) -> np.ndarray:
        """Cosine of the need with every instructor: only the postings of the need's features
        are touched (rows of the transposed matrix)."""
        unit = _unit(vec)
        if not unit:
            return np.zeros(len(self), dtype=np.float64)
        idx = np.fromiter(unit.keys(), dtype=np.int64, count=len(unit))
        val = np.fromiter(unit.values(), dtype=np.float64, count=len(unit))
        return np.asarray(self._xt[view][idx].T @ val).ravel()

    def _blend(self, vectors: dict[str, dict[int, float]]) -> np.ndarray:
        total = np.zeros(len(self), dtype=np.float64)
        for v in VIEWS:
            if self._view_weights[v] > 0:
                total += self._view_weights[v] * self._view_scores(v, vectors[v])
        return total

    def _top_rows(self, scores: np.ndarray, m: int) -> np.ndarray:
        m = min(m, len(self))
        if m <= 0 or not np.any(scores > 0):
            return np.zeros(0, dtype=np.int64)
        top = np.argpartition(-scores, m - 1)[:m]
        return top[scores[top] > 0]

    def _feedback(self, vectors: dict[str, dict[int, float]], first: np.ndarray) -> dict[str, dict[int, float]]:
        cfg = self.config
        if cfg.prf_weight <= 0:
            return vectors
        top = self._top_rows(first, cfg.prf_docs)
        if top.size == 0:
            return vectors
        weights = sp.csr_matrix((first[top] / first[top].sum()).reshape(1, -1))
        out = {}
        for view, vec in vectors.items():
            centroid = sp.csr_matrix(weights @ self._x[view][top])
            centroid.eliminate_zeros()
            if centroid.nnz == 0:
                out[view] = vec
                continue
            k = min(cfg.prf_terms, centroid.nnz)
            data = centroid.data
            # Keep every feature tied with the k-th strongest, so the choice does not depend on
            # the order of the features (an updated index must rank like a rebuilt one).
            threshold = np.partition(data, data.size - k)[data.size - k]
            best = np.flatnonzero(data >= max(threshold, 1e-12))
            fb = _unit({int(centroid.indices[j]): float(data[j]) for j in best})
            merged = _unit(vec) if vec else {}
            _add(merged, fb, cfg.prf_weight)
            out[view] = merged
        return out

    def _category_probs(self, qa: _QueryAnalysis, first: np.ndarray) -> np.ndarray:
        cfg = self.config
        n_cat = len(CATEGORIES)
        lex = np.zeros(n_cat)
        for ci, a in qa.activations.items():
            lex += a * self._concept_category[ci]
        prf = np.zeros(n_cat)
        for r in self._top_rows(first, max(cfg.prf_docs, 5)):
            c = self._corpus.categories[r]
            if c >= 0:
                prf[c] += first[r]
        have_lex, have_prf = lex.sum() > 0, prf.sum() > 0
        if have_lex and have_prf:
            mu = cfg.category_lexicon_share
            p = mu * lex / lex.sum() + (1 - mu) * prf / prf.sum()
        elif have_lex:
            p = lex / lex.sum()
        elif have_prf:
            p = prf / prf.sum()
        else:
            return np.full(n_cat, 1.0 / n_cat)
        return (1 - cfg.category_floor) * p + cfg.category_floor / n_cat

    def _concept_category_table(self) -> np.ndarray:
        """P(category | concept): the lexicon's category, smoothed towards the categories of the
        indexed instructors whose text mentions the concept (so a pool whose 非公企业党建 teachers
        sit in 经济发展 is followed)."""
        n_con, n_cat = self._corpus.n_concepts, len(CATEGORIES)
        prior = np.zeros((n_con, n_cat))
        for c in self._lexicon.concepts:
            prior[c.index, _CAT_INDEX[c.category]] = 1.0
        cats = self._corpus.categories
        valid = cats >= 0
        onehot = np.zeros((len(cats), n_cat))
        onehot[np.arange(len(cats))[valid], cats[valid]] = 1.0
        # Mass of each concept in each category's instructors (rows are L2-normalised tf-idf).
        emp = np.asarray(self._x["concept"][:, :n_con].T @ onehot)
        return (emp + prior) / (emp.sum(axis=1, keepdims=True) + 1.0)

    def _score(self, qa: _QueryAnalysis) -> _Scored:
        vectors, expansion = self._query_vectors(qa)
        first = self._blend(vectors)
        final_vectors = self._feedback(vectors, first)
        text = self._blend(final_vectors) if final_vectors is not vectors else first
        probs = self._category_probs(qa, first)
        cats = self._corpus.categories
        boost = np.where(cats >= 0, probs[np.clip(cats, 0, None)], 0.0) * self.config.category_weight
        if not np.any(text > 0):
            boost = np.zeros_like(boost)  # nothing recognisable: no ranking by category alone
        return _Scored(text + boost, text, boost, final_vectors, expansion, probs)

    # ------------------------------------------------------------------ public API
    def assess(self, query: str | None) -> NeedScores:
        """Score the need against every instructor once; blend, rank and explain from the result."""
        qa = self._analyse(query or "")
        return NeedScores(self, qa, self._score(qa))

    def rank(
        self,
        query: str | None,
        *,
        candidates: Collection[DocId] | None = None,
        k: int | None = None,
        explain: int = 10,
    ) -> list[TopicMatch]:
        """Instructors best first with their topic fit.

        ``candidates`` restricts the result to these ids (unknown ids are ignored); ``k=None``
        returns every candidate (instructors that share nothing with the need get score 0).
        Explanations (matched terms, field scores) are filled for the first ``explain`` results.
        """
        need = self.assess(query)
        raw = need.raw
        if candidates is None:
            rows = np.arange(len(self))
        else:
            row_of = self._corpus.row_of
            rows = np.unique(np.fromiter((row_of[c] for c in candidates if c in row_of), dtype=np.int64))
        n_out = rows.size if k is None else max(0, min(int(k), rows.size))
        if n_out == 0:
            return []
        sub = raw[rows]
        if n_out < rows.size:
            part = np.argpartition(-sub, n_out - 1)[:n_out]
            order = part[np.lexsort((rows[part], -sub[part]))]
        else:
            order = np.lexsort((rows, -sub))
        out_rows = rows[order].tolist()
        ids = self._corpus.ids
        matches = [
            TopicMatch(ids[r], float(need.fit[r]), float(raw[r]), float(need._scored.boost[r])) for r in out_rows
        ]
        shown = out_rows[: max(0, explain)]
        for m, explanation in zip(matches, need.explain(shown), strict=False):
            if m.raw_score > 0:
                m.explanation = explanation
        return matches

    def fit_scores(self, query: str | None, *, candidates: Collection[DocId] | None = None) -> dict[DocId, float]:
        """``{id: score}`` for every candidate (same ``score`` as :meth:`rank`), without match objects."""
        fit = self.assess(query).fit
        ids = self._corpus.ids
        if candidates is None:
            return dict(zip(ids, fit.tolist(), strict=True))
        row_of = self._corpus.row_of
        return {c: float(fit[row_of[c]]) for c in candidates if c in row_of}

    def scores(self, query: str | None) -> np.ndarray:
        """Raw blended scores of all instructors in index order (for evaluation)."""
        return self.assess(query).raw

    def infer_category(self, query: str | None) -> CategoryGuess:
        """The need's category distribution: recognised concepts vote with P(category | concept),
        blended with the categories of the best-fitting instructors."""
        return self.assess(query).category_guess

    def explain(self, query: str | None, doc_id: DocId) -> TopicMatch:
        """Full explanation of one instructor's topic fit for the need (KeyError if unknown)."""
        row = self._corpus.row_of[doc_id]
        need = self.assess(query)
        match = TopicMatch(doc_id, float(need.fit[row]), float(need.raw[row]), float(need._scored.boost[row]))
        if match.raw_score > 0:
            match.explanation = need.explain([row])[0]
        return match

    # ------------------------------------------------------------------ explanations
    def _category_guess(self, qa: _QueryAnalysis, scored: _Scored) -> CategoryGuess:
        recognised = bool(qa.activations) or bool(np.any(scored.text > 0))
        prob_map = {c: float(p) for c, p in zip(CATEGORIES, scored.category_probs, strict=True)}
        if not recognised:
            return CategoryGuess(prob_map, None, 1.0 / len(CATEGORIES), [], [])
        sub: dict[str, float] = defaultdict(float)
        for ci, a in qa.activations.items():
            sub[self._lexicon.concepts[ci].subarea] += a
        total = sum(sub.values()) or 1.0
        subareas = sorted(((s, v / total) for s, v in sub.items()), key=lambda x: -x[1])
        concepts = [self._lexicon.concepts[ci].name for ci, _ in sorted(qa.activations.items(), key=lambda x: -x[1])]
        top = max(prob_map, key=prob_map.__getitem__)
        return CategoryGuess(prob_map, top, prob_map[top], subareas, concepts)

    def _explanations(self, rows: list[int], qa: _QueryAnalysis, scored: _Scored) -> list[TopicExplanation]:
        if not rows:
            return []
        # Terms of the need itself first (longest first, so 志愿者 is shown rather than 志愿),
        # then expansion terms by weight.
        seen: set[str] = set()
        candidates: list[tuple[str, str | None]] = []
        own = sorted({h.term for h in qa.hits} | {w for w in qa.words if len(w) >= 2}, key=lambda t: (-len(t), t))
        for t in own:
            if t not in seen:
                seen.add(t)
                candidates.append((t, None))
        origin = self._expansion_origins(qa)
        for t, _ in sorted(scored.expansion.items(), key=lambda x: -x[1]):
            if t not in seen:
                seen.add(t)
                candidates.append((t, origin.get(t)))
        out = []
        for row, fs in zip(rows, self._field_attributions(rows, scored.vectors), strict=True):
            texts = self._corpus.field_texts[row]
            everything = "\n".join(texts.values())
            by_field: dict[str, list[str]] = {}
            matched: list[str] = []
            expanded_from: dict[str, str] = {}
            for t, src in candidates:
                if t not in everything or any(t in longer for longer in matched):
                    continue  # absent, or covered by a longer matched term (养老 in 居家养老)
                matched.append(t)
                if src:
                    expanded_from[t] = src
                for f in FIELDS:
                    if t in texts[f]:
                        by_field.setdefault(f, []).append(t)
                if len(matched) >= _MAX_MATCHED_TERMS:
                    break
            # An expansion term may contain terms of the need found before it (纠纷调解 after 纠纷):
            # show the longer one only.
            covered = {t for t in matched if any(t != o and t in o for o in matched)}
            if covered:
                matched = [t for t in matched if t not in covered]
                by_field = {f: [t for t in ts if t not in covered] for f, ts in by_field.items()}
                by_field = {f: ts for f, ts in by_field.items() if ts}
                expanded_from = {t: src for t, src in expanded_from.items() if t not in covered}
            out.append(TopicExplanation(matched, by_field, expanded_from, fs))
        return out

    def _expansion_origins(self, qa: _QueryAnalysis) -> dict[str, str]:
        origin: dict[str, str] = {}
        for h in qa.hits:
            for ci in self._lexicon.term_concepts[h.term]:
                for t in self._lexicon.concepts[ci].terms:
                    origin.setdefault(t, h.term)
        return origin

    def _field_attributions(self, rows: list[int], vectors: dict[str, dict[int, float]]) -> list[dict[str, float]]:
        """Split each row's text score over its fields: a feature's contribution is shared by the
        fields in proportion to their weighted counts of that feature (exact decomposition)."""
        out = np.zeros((len(rows), len(FIELDS)))
        for view in VIEWS:
            wv = self._view_weights[view]
            unit = _unit(vectors.get(view) or {})
            if wv <= 0 or not unit:
                continue
            cols = np.array(sorted(unit), dtype=np.int64)
            q = np.array([unit[c] for c in cols.tolist()])
            per_feature = self._feature_weights[view]
            col_weight = per_feature[cols] if per_feature is not None else np.ones(cols.size)
            per_field = np.stack(
                [
                    _dense_columns(self._corpus.counts[view][fi], rows, cols) * (self._fw[f] * col_weight)
                    for fi, f in enumerate(FIELDS)
                ]
            )  # fields x rows x need features
            total = per_field.sum(axis=0)
            x = _dense_columns(self._x[view], rows, cols)
            share = np.divide(per_field, total, out=np.zeros_like(per_field), where=total > 0)
            out += (wv * share * (x * q)).sum(axis=2).T
        result = []
        for r in range(len(rows)):
            fs = {f: round(float(out[r, fi]), 6) for fi, f in enumerate(FIELDS) if out[r, fi] > 0}
            result.append(dict(sorted(fs.items(), key=lambda x: -x[1])))
        return result


def _dense_columns(m: sp.csr_matrix, rows: Sequence[int], cols: np.ndarray) -> np.ndarray:
    """``m[rows][:, cols].toarray()`` for a few rows and sorted ``cols``, read straight from the CSR
    arrays (scipy's indexing builds several intermediate matrices per call)."""
    rows = np.asarray(rows, dtype=np.int64)
    starts = m.indptr[rows]
    lengths = m.indptr[rows + 1] - starts
    out = np.zeros((rows.size, cols.size))
    total = int(lengths.sum())
    if total == 0 or cols.size == 0:
        return out
    row_pos = np.repeat(np.arange(rows.size), lengths)
    entry = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(total)
    found = m.indices[entry]
    pos = np.minimum(np.searchsorted(cols, found), cols.size - 1)
    hit = cols[pos] == found
    np.add.at(out, (row_pos[hit], pos[hit]), m.data[entry][hit])
    return out
