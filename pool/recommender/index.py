"""TopicIndex: ranks instructor documents for a free-text Chinese need.

Three sparse views of every instructor are kept, each a TF-IDF matrix over the instructor's fields
weighted BM25F-style (field weight x term count, then sublinear tf, idf, L2 norm):

* word     jieba tokens (search mode, with the domain vocabulary),
* char     character 2-3-grams (robust to unseen words and segmentation differences),
* concept  domain concepts and their sub-areas recognised by the lexicon (a colloquial need and a
           formal bio meet here: "留守老人" and "居家养老" are the same concept).

A need is analysed the same way. Its recognised concepts are its expansion: in the concept view
every term of a concept (and, more weakly, its sub-area) stands for the others; the same related
terms can also be added to the word and char query vectors with reduced weight
(``TopicConfig.expansion_weight``). The three cosines are blended, a round of pseudo-relevance feedback
adds the strongest features of the first-pass top instructors, and the probability of each
instructor's category given the need is added as a small boost.

Scoring is a handful of sparse row slices and dot products: no Python loop over instructors.
"""

from __future__ import annotations

import copy
import threading
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from .config import FIELDS, VIEWS, TopicConfig
from .lexicon import Lexicon, TermHit, load_lexicon
from .schema import CATEGORIES, CategoryGuess, DocId, InstructorDoc, TopicExplanation, TopicMatch
from .text import MAX_QUERY_CHARS, Analyzer, normalize, strip_filler

_CAT_INDEX = {c: i for i, c in enumerate(CATEGORIES)}


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


def _analyzer_for(lexicon: Lexicon) -> Analyzer:
    """One jieba tokenizer per lexicon (loading jieba's dictionary takes about a second)."""
    with _ANALYZERS_LOCK:
        entry = _ANALYZERS.get(id(lexicon))
        if entry is None or entry[0] is not lexicon:
            entry = (lexicon, Analyzer(lexicon.terms))
            _ANALYZERS[id(lexicon)] = entry
        return entry[1]


@dataclass
class _QueryAnalysis:
    text: str
    words: list[str]
    chars: list[str]
    hits: list[TermHit]
    activations: dict[int, float]


def _counts(tokens: Sequence[str], vocab: dict[str, int]) -> dict[int, float]:
    out: dict[int, float] = defaultdict(float)
    for t in tokens:
        j = vocab.get(t)
        if j is not None:
            out[j] += 1.0
    return out


#: One document's entries in one view: field index, feature index, count (parallel arrays).
_Entries = tuple[np.ndarray, np.ndarray, np.ndarray]


class _Corpus:
    """Configuration-independent analysis of the documents: per view, one count matrix with the
    fields side by side (field i owns columns [i * width, (i + 1) * width)). Raw counts; field
    weights are applied by the index. Updating one document re-analyses that document only."""

    def __init__(self, docs: Sequence[InstructorDoc], lexicon: Lexicon, analyzer: Analyzer):
        self.lexicon = lexicon
        self.analyzer = analyzer
        self.n_concepts = len(lexicon.concepts)
        self.docs: list[InstructorDoc] = []
        self.ids: list[DocId] = []
        self.row_of: dict[DocId, int] = {}
        self.field_texts: list[dict[str, str]] = []
        self.vocab: dict[str, dict[str, int]] = {"word": {}, "char": {}}
        entries: dict[str, list[_Entries]] = {v: [] for v in VIEWS}
        for d in docs:
            if d.id in self.row_of:
                raise ValueError(f"duplicate instructor id {d.id!r}")
            self.row_of[d.id] = len(self.ids)
            self.docs.append(d)
            self.ids.append(d.id)
            texts, doc_entries = self._analyse(d)
            self.field_texts.append(texts)
            for v in VIEWS:
                entries[v].append(doc_entries[v])
        self.categories = np.array([_CAT_INDEX.get(d.category, -1) for d in self.docs], dtype=np.int64)
        self.counts: dict[str, sp.csr_matrix] = {v: self._matrix(entries[v], self.width[v]) for v in VIEWS}

    @property
    def width(self) -> dict[str, int]:
        """Features per view; the concept view holds the concepts, then their sub-areas."""
        return {
            "word": len(self.vocab["word"]),
            "char": len(self.vocab["char"]),
            "concept": self.n_concepts + len(self.lexicon.subareas),
        }

    def _analyse(self, doc: InstructorDoc) -> tuple[dict[str, str], dict[str, _Entries]]:
        """Field texts and (field, feature, count) entries per view; extends the vocabularies."""
        texts = _field_texts(doc)
        out: dict[str, tuple[list[int], list[int], list[float]]] = {v: ([], [], []) for v in VIEWS}
        for fi, f in enumerate(FIELDS):
            t = texts[f]
            if not t:
                continue
            words, chars = self.analyzer.analyse(t)
            per_view: dict[str, dict[int, float]] = {}
            for view, tokens in (("word", words), ("char", chars)):
                vocab = self.vocab[view]
                counts: dict[int, float] = defaultdict(float)
                for tok in tokens:
                    j = vocab.get(tok)
                    if j is None:
                        j = vocab[tok] = len(vocab)
                    counts[j] += 1.0
                per_view[view] = counts
            per_view["concept"] = self._concept_row(self.lexicon.activations(self.lexicon.find(t)))
            for view, counts in per_view.items():
                fis, js, cs = out[view]
                fis.extend([fi] * len(counts))
                js.extend(counts.keys())
                cs.extend(counts.values())
        return texts, {
            v: (np.asarray(fis, dtype=np.int32), np.asarray(js, dtype=np.int32), np.asarray(cs, dtype=np.float32))
            for v, (fis, js, cs) in out.items()
        }

    def _concept_row(self, act: dict[int, float]) -> dict[int, float]:
        row: dict[int, float] = defaultdict(float)
        for ci, a in act.items():
            row[ci] += a
            row[self.n_concepts + self.lexicon.subarea_index[self.lexicon.concepts[ci].subarea]] += a
        return row

    @staticmethod
    def _matrix(entries: list[_Entries], width: int) -> sp.csr_matrix:
        n_rows = len(entries)
        if entries:
            sizes = [e[0].size for e in entries]
            rows = np.repeat(np.arange(n_rows, dtype=np.int64), sizes)
            cols = np.concatenate([e[0] for e in entries]).astype(np.int64) * width + np.concatenate(
                [e[1] for e in entries]
            )
            vals = np.concatenate([e[2] for e in entries]).astype(np.float64)
        else:
            rows = cols = np.zeros(0, dtype=np.int64)
            vals = np.zeros(0)
        m = sp.csr_matrix((vals, (rows, cols)), shape=(n_rows, width * len(FIELDS)))
        m.sum_duplicates()
        return m

    @staticmethod
    def _rewidth(m: sp.csr_matrix, old: int, new: int) -> sp.csr_matrix:
        if old == new:
            return m
        coo = m.tocoo()
        cols = (coo.col // old) * new + coo.col % old
        return sp.csr_matrix((coo.data, (coo.row, cols)), shape=(m.shape[0], new * len(FIELDS)))

    def _copy(self) -> _Corpus:
        new = copy.copy(self)
        new.docs, new.ids, new.field_texts = list(self.docs), list(self.ids), list(self.field_texts)
        new.row_of = dict(self.row_of)
        new.vocab = {v: dict(d) for v, d in self.vocab.items()}
        return new

    def with_doc(self, doc: InstructorDoc) -> _Corpus:
        """A copy with ``doc`` added, or replacing the document with the same id."""
        new = self._copy()
        old_width = self.width
        texts, entries = new._analyse(doc)
        row = new.row_of.get(doc.id)
        for v in VIEWS:
            m = self._rewidth(self.counts[v], old_width[v], new.width[v])
            r = self._matrix([entries[v]], new.width[v])
            if row is None:
                m = sp.vstack([m, r], format="csr")
            else:
                m = sp.vstack([m[:row], r, m[row + 1 :]], format="csr")
            new.counts = {**new.counts, v: m}
        if row is None:
            new.row_of[doc.id] = len(new.ids)
            new.ids.append(doc.id)
            new.docs.append(doc)
            new.field_texts.append(texts)
            new.categories = np.append(self.categories, _CAT_INDEX.get(doc.category, -1))
        else:
            new.docs[row] = doc
            new.field_texts[row] = texts
            new.categories = self.categories.copy()
            new.categories[row] = _CAT_INDEX.get(doc.category, -1)
        return new

    def without(self, doc_id: DocId) -> _Corpus:
        """A copy without the document (its words stay in the vocabulary, unused)."""
        row = self.row_of[doc_id]
        new = self._copy()
        keep = np.r_[0:row, row + 1 : len(self.ids)]
        new.counts = {v: m[keep] for v, m in self.counts.items()}
        new.categories = self.categories[keep]
        for lst in (new.docs, new.ids, new.field_texts):
            del lst[row]
        new.row_of = {d: i for i, d in enumerate(new.ids)}
        return new

    def __len__(self) -> int:
        return len(self.ids)


def _field_weights(config: TopicConfig) -> dict[str, float]:
    return {f: max(0.0, float(config.field_weights.get(f, 0.0))) for f in FIELDS}


def _column_weights(corpus: _Corpus, view: str, fw: dict[str, float], subarea_weight: float) -> np.ndarray:
    """Weight of every column of a view's field-stacked count matrix."""
    width = corpus.width[view]
    per_feature = np.ones(width)
    if view == "concept":
        per_feature[corpus.n_concepts :] = subarea_weight
    return np.concatenate([fw.get(f, 0.0) * per_feature for f in FIELDS])


def _fold_fields(stacked: sp.csr_matrix, col_weights: np.ndarray, width: int) -> sp.csr_matrix:
    """Weighted sum of the field blocks: (n, fields * width) -> (n, width)."""
    coo = stacked.tocoo()
    data = coo.data * col_weights[coo.col]
    keep = data > 0
    out = sp.csr_matrix((data[keep], (coo.row[keep], coo.col[keep] % width)), shape=(stacked.shape[0], width))
    out.sum_duplicates()
    return out


def _tfidf(raw: sp.csr_matrix) -> tuple[sp.csr_matrix, np.ndarray]:
    raw.eliminate_zeros()
    raw.sort_indices()
    x = raw.copy()
    x.data = np.log1p(x.data)
    n = x.shape[0]
    df = np.bincount(x.indices, minlength=x.shape[1])
    # A feature no instructor has (left in the vocabulary by an update) gets idf 0, so it cannot
    # weigh in a need's vector either: an updated index then ranks exactly like a rebuilt one.
    idf = np.where(df > 0, np.log((1.0 + n) / (1.0 + df)) + 1.0, 0.0)
    x.data *= idf[x.indices]
    _normalize_rows(x)
    return x.astype(np.float32), idf


def _normalize_rows(x: sp.csr_matrix) -> None:
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    x.data /= np.repeat(norms, np.diff(x.indptr))


@dataclass
class _Scored:
    """Everything one need's scoring produces, in index order."""

    raw: np.ndarray  # text + boost
    text: np.ndarray
    boost: np.ndarray
    vectors: dict[str, dict[int, float]]  # final query vectors per view (after feedback)
    expansion: dict[str, float]  # related terms of the recognised concepts, relative weights
    category_probs: np.ndarray


def _add(acc: dict[int, float], vec: dict[int, float], w: float) -> None:
    for j, v in vec.items():
        acc[j] = acc.get(j, 0.0) + w * v


def _unit(d: dict[int, float]) -> dict[int, float]:
    n = float(np.sqrt(sum(v * v for v in d.values())))
    return {j: v / n for j, v in d.items()} if n > 0 else {}


class TopicIndex:
    """Ranks instructors by topic fit for a free-text need. Build once, query many times."""

    def __init__(self, corpus: _Corpus, config: TopicConfig):
        self._corpus = corpus
        self.config = config
        self._lexicon = corpus.lexicon
        self._analyzer = corpus.analyzer
        self._lock = threading.Lock()
        fw = _field_weights(config)
        self._fw = fw
        self._x: dict[str, sp.csr_matrix] = {}
        self._xt: dict[str, sp.csr_matrix] = {}
        self._idf: dict[str, np.ndarray] = {}
        self._col_weights = {v: _column_weights(corpus, v, fw, config.subarea_weight) for v in VIEWS}
        for view in VIEWS:
            raw = _fold_fields(corpus.counts[view], self._col_weights[view], corpus.width[view])
            self._x[view], self._idf[view] = _tfidf(raw)
        for view in VIEWS:
            self._xt[view] = self._x[view].T.tocsr()
        vw = {v: max(0.0, float(config.view_weights.get(v, 0.0))) for v in VIEWS}
        total = sum(vw.values()) or 1.0
        self._view_weights = {v: w / total for v, w in vw.items()}
        self._concept_category = self._concept_category_table()
        self._expansion_cache: dict[tuple[str, int], dict[int, float]] = {}
        self._analyse = lru_cache(maxsize=512)(self._analyse_uncached)

    # ------------------------------------------------------------------ construction
    @classmethod
    def build(
        cls, docs: list[InstructorDoc], *, config: TopicConfig | None = None, lexicon: Lexicon | None = None
    ) -> TopicIndex:
        lexicon = lexicon or load_lexicon()
        corpus = _Corpus(docs, lexicon, _analyzer_for(lexicon))
        return cls(corpus, config or TopicConfig())

    def with_config(self, config: TopicConfig) -> TopicIndex:
        """Same documents, other parameters (re-uses the expensive text analysis)."""
        return TopicIndex(self._corpus, config)

    def with_document(self, doc: InstructorDoc) -> TopicIndex:
        """A new index with ``doc`` added, or replacing the instructor with the same id. Only that
        instructor's text is analysed again; idf and the matrices are recomputed (0.1-0.2 s for
        5,000 instructors). The old index stays valid, so readers can keep using it meanwhile."""
        return TopicIndex(self._corpus.with_doc(doc), self.config)

    def without_document(self, doc_id: DocId) -> TopicIndex:
        """A new index without the instructor (KeyError if unknown)."""
        return TopicIndex(self._corpus.without(doc_id), self.config)

    def documents(self) -> list[InstructorDoc]:
        return list(self._corpus.docs)

    def __len__(self) -> int:
        return len(self._corpus)

    def size_bytes(self) -> int:
        """Approximate memory of the scoring matrices (documents and vocabularies excluded)."""
        total = 0
        for group in (self._x, self._xt):
            for m in group.values():
                total += m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
        for m in self._corpus.counts.values():
            total += m.data.nbytes + m.indices.nbytes + m.indptr.nbytes
        return total

    # ------------------------------------------------------------------ query analysis
    def _analyse_uncached(self, query: str) -> _QueryAnalysis:
        text = normalize(query)[:MAX_QUERY_CHARS]
        hits = self._lexicon.find(text)
        words, chars = self._analyzer.analyse(text)
        return _QueryAnalysis(
            text=text,
            words=words,
            chars=chars,
            hits=hits,
            activations=self._lexicon.activations(hits),
        )

    def _term_vector(self, view: str, term: str) -> dict[int, float]:
        key = (view, term)
        vec = self._expansion_cache.get(key)
        if vec is None:
            tokens = self._analyzer.words(term) if view == "word" else self._analyzer.chars(term, drop_stopwords=False)
            vocab = self._corpus.vocab[view]
            idf = self._idf[view]
            raw = _counts(tokens, vocab)
            vec = _unit({j: np.log1p(c) * idf[j] for j, c in raw.items() if idf[j] > 0})
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
        for view in ("word", "char"):
            vocab = self._corpus.vocab[view]
            idf = self._idf[view]
            counts = _counts(qa.words if view == "word" else qa.chars, vocab)
            own = _unit({j: np.log1p(c) * idf[j] for j, c in counts.items() if idf[j] > 0})
            vec = dict(own)
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
        idf = self._idf["concept"]
        vectors["concept"] = _unit({j: np.log1p(v) * idf[j] for j, v in con.items() if idf[j] > 0})
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

    def _feedback(self, vectors: dict[str, dict[int, float]], first: np.ndarray) -> dict[str, dict[int, float]]:
        cfg = self.config
        m = min(cfg.prf_docs, len(self))
        if cfg.prf_weight <= 0 or m <= 0 or not np.any(first > 0):
            return vectors
        top = np.argpartition(-first, m - 1)[:m]
        top = top[first[top] > 0]
        weights = (first[top] / first[top].sum()).astype(np.float32)
        out = {}
        for view, vec in vectors.items():
            rows = self._x[view][top]
            centroid = np.asarray(rows.T @ weights).ravel() if rows.nnz else np.zeros(0)
            if centroid.size == 0 or not np.any(centroid > 0):
                out[view] = vec
                continue
            k = min(cfg.prf_terms, int(np.count_nonzero(centroid)))
            # Keep every feature tied with the k-th strongest, so the choice does not depend on
            # the order of the vocabulary (an updated index must rank like a rebuilt one).
            threshold = np.partition(centroid, centroid.size - k)[centroid.size - k]
            best = np.flatnonzero(centroid >= max(threshold, 1e-12))
            fb = _unit({int(j): float(centroid[j]) for j in best})
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
        m = min(max(cfg.prf_docs, 5), len(self))
        if m > 0 and np.any(first > 0):
            top = np.argpartition(-first, m - 1)[:m]
            for r in top:
                c = self._corpus.categories[r]
                if c >= 0 and first[r] > 0:
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
    def rank(
        self,
        query: str,
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
        qa = self._analyse(query or "")
        scored = self._score(qa)
        raw, boost = scored.raw, scored.boost
        best = float(raw.max()) if raw.size else 0.0
        if candidates is None:
            rows = np.arange(len(self))
        else:
            rows = np.fromiter((self._corpus.row_of[c] for c in candidates if c in self._corpus.row_of), dtype=np.int64)
            rows = np.unique(rows)
        if rows.size == 0:
            return []
        sub = raw[rows]
        n_out = rows.size if k is None else max(0, min(int(k), rows.size))
        if n_out == 0:
            return []
        if n_out < rows.size:
            part = np.argpartition(-sub, n_out - 1)[:n_out]
            order = part[np.lexsort((rows[part], -sub[part]))]
        else:
            order = np.lexsort((rows, -sub))
        out_rows = rows[order]
        scale = 1.0 / best if best > 0 else 0.0
        ids = self._corpus.ids
        scaled = (raw[out_rows] * scale).tolist()
        matches = [
            TopicMatch(ids[r], s, v, b)
            for r, s, v, b in zip(
                out_rows.tolist(), scaled, raw[out_rows].tolist(), boost[out_rows].tolist(), strict=True
            )
        ]
        explained = [
            (m, r)
            for m, r in zip(matches[: max(0, explain)], out_rows[: max(0, explain)].tolist(), strict=True)
            if raw[r] > 0
        ]
        if explained:
            self._explain_batch(explained, qa, scored)
        return matches

    def fit_scores(self, query: str, *, candidates: Collection[DocId] | None = None) -> dict[DocId, float]:
        """``{id: score}`` for every candidate (same ``score`` as :meth:`rank`), without match
        objects: the cheapest way to get the topic fit of a whole pool for blending."""
        raw = self._score(self._analyse(query or "")).raw
        best = float(raw.max()) if raw.size else 0.0
        scaled = raw / best if best > 0 else np.zeros_like(raw)
        ids = self._corpus.ids
        if candidates is None:
            return dict(zip(ids, scaled.tolist(), strict=True))
        row_of = self._corpus.row_of
        return {c: float(scaled[row_of[c]]) for c in candidates if c in row_of}

    def scores(self, query: str) -> np.ndarray:
        """Raw blended scores of all instructors in index order (for evaluation and blending)."""
        return self._score(self._analyse(query or "")).raw

    def ids(self) -> list[DocId]:
        """Instructor ids in index order (the order of :meth:`scores`)."""
        return list(self._corpus.ids)

    def infer_category(self, query: str) -> CategoryGuess:
        """The need's category distribution: recognised concepts vote with P(category | concept),
        blended with the categories of the best-fitting instructors."""
        qa = self._analyse(query or "")
        scored = self._score(qa)
        recognised = bool(qa.activations) or bool(np.any(scored.text > 0))
        prob_map = {c: float(p) for c, p in zip(CATEGORIES, scored.category_probs, strict=True)}
        sub: dict[str, float] = defaultdict(float)
        for ci, a in qa.activations.items():
            sub[self._lexicon.concepts[ci].subarea] += a
        total = sum(sub.values()) or 1.0
        subareas = sorted(((s, v / total) for s, v in sub.items()), key=lambda x: -x[1])
        concepts = [self._lexicon.concepts[ci].name for ci, _ in sorted(qa.activations.items(), key=lambda x: -x[1])]
        if not recognised:
            return CategoryGuess(prob_map, None, 1.0 / len(CATEGORIES), [], [])
        top = max(prob_map, key=prob_map.get)
        return CategoryGuess(prob_map, top, prob_map[top], subareas, concepts)

    def explain(self, query: str, doc_id: DocId) -> TopicMatch:
        """Full explanation of one instructor's topic fit for the need."""
        row = self._corpus.row_of[doc_id]  # KeyError for an unknown instructor
        qa = self._analyse(query or "")
        scored = self._score(qa)
        best = float(scored.raw.max())
        raw = float(scored.raw[row])
        match = TopicMatch(doc_id, raw / best if best > 0 else 0.0, raw, float(scored.boost[row]))
        if raw > 0:
            self._explain_batch([(match, row)], qa, scored)
        return match

    # ------------------------------------------------------------------ explanations
    def _explain_batch(self, items: list[tuple[TopicMatch, int]], qa: _QueryAnalysis, scored: _Scored) -> None:
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
        attributions = self._field_attributions([r for _, r in items], scored.vectors)
        for (m, row), fs in zip(items, attributions, strict=True):
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
                        lst = by_field.setdefault(f, [])
                        if t not in lst:
                            lst.append(t)
                if len(matched) >= 12:
                    break
            m.explanation = TopicExplanation(matched, by_field, expanded_from, fs)

    def _expansion_origins(self, qa: _QueryAnalysis) -> dict[str, str]:
        origin: dict[str, str] = {}
        for h in qa.hits:
            for ci in self._lexicon.term_concepts[h.term]:
                for t in self._lexicon.concepts[ci].terms:
                    origin.setdefault(t, h.term)
        return origin

    def _field_attributions(self, rows: list[int], vectors: dict[str, dict[int, float]]) -> list[dict[str, float]]:
        """Split each doc's text score over its fields: a feature's contribution is shared by the
        fields in proportion to their weighted counts of that feature (exact decomposition)."""
        out = np.zeros((len(rows), len(FIELDS)))
        for view in VIEWS:
            wv = self._view_weights[view]
            if wv <= 0 or not vectors.get(view):
                continue
            width = self._corpus.width[view]
            q = np.zeros(width)
            unit = _unit(vectors[view])
            q[list(unit.keys())] = list(unit.values())
            u = self._corpus.counts[view][rows].tocoo()
            feat = u.col % width
            val = u.data * self._col_weights[view][u.col]
            keep = (val > 0) & (q[feat] != 0)
            if not np.any(keep):
                continue
            r, f, t, val = u.row[keep], u.col[keep] // width, feat[keep], val[keep]
            key = r.astype(np.int64) * width + t
            uniq, inv = np.unique(key, return_inverse=True)
            total = np.bincount(inv, weights=val)  # weighted count of the feature over all fields
            x_rows = self._x[view][rows]
            x_val = np.asarray(x_rows[uniq // width, uniq % width]).ravel()
            np.add.at(out, (r, f), wv * q[t] * x_val[inv] * val / total[inv])
        result = []
        for r in range(len(rows)):
            fs: dict[str, float] = defaultdict(float)
            for fi, f in enumerate(FIELDS):
                if out[r, fi] > 0:
                    fs[f] += float(out[r, fi])
            result.append({f: round(v, 6) for f, v in sorted(fs.items(), key=lambda x: -x[1])})
        return result
