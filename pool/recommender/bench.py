"""Speed and size of the topic index on a synthetic pool of 5,000 instructors.

    python -m recommender.bench /path/to/recsys-dev [--n 5000] [--repeat 5]

The pool is made by recombining the dev set's instructors (other names, codes, employers, a topic
borrowed from a same-category colleague, a few past lecture titles). Latency is measured warm
(jieba loaded, index built) on the dev needs, without the per-need analysis cache, for the three
calls the Django layer makes: the top 10 with explanations, the full ranking of every instructor
(scores for all, explanations for the top 10), the full ranking restricted to a pool filter, and
``fit_scores`` (the topic fit of all instructors as a dict, no match objects).

Python's cyclic garbage collector adds pauses of 10-20 ms whenever a full collection happens to
fall inside a call (it walks every long-lived object of the process: jieba, the documents, …). The
bench therefore reports each latency twice: as is, and after ``gc.freeze()`` — what a long-running
server does once after start-up to exclude start-up objects from collections.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

from .dataset import load_devset
from .index import TopicIndex
from .schema import InstructorDoc

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏飞斌宇浩凯峰波丹玲晨雪琳欣怡佳慧颖倩婷晓东海"
)


def synthetic_pool(base: list[InstructorDoc], n: int, seed: int = 7) -> list[InstructorDoc]:
    rng = random.Random(seed)
    by_category: dict[str, list[InstructorDoc]] = {}
    for d in base:
        by_category.setdefault(d.category, []).append(d)
    employers = [d.employer for d in base if d.employer]
    docs = []
    for i in range(n):
        src = base[i % len(base)] if i < len(base) else rng.choice(base)
        topics = list(src.topics)
        colleague = rng.choice(by_category[src.category])
        if colleague.topics and rng.random() < 0.6:
            topics.append(rng.choice(colleague.topics))
        rng.shuffle(topics)
        employer = src.employer if rng.random() < 0.5 else rng.choice(employers)
        lectures = [t for t, _ in rng.sample(topics, k=min(len(topics), rng.randint(0, 3)))]
        docs.append(
            replace(
                src,
                id=i + 1,
                code=f"S{i + 1:05d}",
                name=rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2))),
                topics=topics,
                employer=employer,
                lecture_titles=lectures,
            )
        )
    return docs


def _percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    idx = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[idx]


def run_bench(path: str | Path, *, n: int = 5000, repeat: int = 5) -> dict[str, float]:
    ds = load_devset(path)
    docs = synthetic_pool(ds.docs, n)
    t0 = time.perf_counter()
    TopicIndex.build(docs[:10])  # loads jieba and the lexicon once, outside the build timing
    t1 = time.perf_counter()
    index = TopicIndex.build(docs)
    build_s = time.perf_counter() - t1
    queries = list(ds.queries.values())
    rng = random.Random(3)
    pool = [d.id for d in docs if rng.random() < 0.3]  # a pool filter keeping ~30 %

    def timed(call) -> list[float]:
        out = []
        for _ in range(repeat):
            for q in queries:
                index._analyse.cache_clear()
                s = time.perf_counter()
                call(q)
                out.append((time.perf_counter() - s) * 1000.0)
        return out

    for q in queries:  # warm-up
        index.rank(q, k=10)
    calls = {
        "scores": lambda q: index.scores(q),
        "top10": lambda q: index.rank(q, k=10),
        "full": lambda q: index.rank(q, k=None, explain=10),
        "filtered": lambda q: index.rank(q, candidates=pool, k=None, explain=10),
        "fit": lambda q: index.fit_scores(q),
    }
    result = {
        "n_docs": float(len(index)),
        "startup_s": t1 - t0,
        "build_s": build_s,
        "size_mb": index.size_bytes() / 2**20,
    }
    for frozen in (False, True):
        if frozen:
            gc.collect()
            gc.freeze()
        suffix = "_frozen" if frozen else ""
        for name, call in calls.items():
            times = timed(call)
            result[f"{name}_p50_ms{suffix}"] = statistics.median(times)
            result[f"{name}_p95_ms{suffix}"] = _percentile(times, 95)
    gc.unfreeze()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m recommender.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("path", help="folder in the recsys-dev layout")
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    r = run_bench(args.path, n=args.n, repeat=args.repeat)
    print(f"instructors            {int(r['n_docs'])}")
    print(f"jieba + lexicon load   {r['startup_s']:.2f} s (once per process)")
    print(f"index build            {r['build_s']:.2f} s")
    print(f"index size             {r['size_mb']:.1f} MiB (sparse matrices)")
    print(f"{'latency (ms), ' + str(int(r['n_docs'])) + ' instructors':<36}{'p50':>7}{'p95':>7}{'p50*':>8}{'p95*':>7}")
    for key, label in (
        ("scores", "topic fit of all (scores only)"),
        ("top10", "rank, top 10 + explanations"),
        ("full", "rank, all + top-10 explanations"),
        ("filtered", "rank, ~30% pool filter, all"),
        ("fit", "fit_scores, all (dict id -> score)"),
    ):
        print(
            f"{label:<36}{r[key + '_p50_ms']:>7.2f}{r[key + '_p95_ms']:>7.2f}"
            f"{r[key + '_p50_ms_frozen']:>8.2f}{r[key + '_p95_ms_frozen']:>7.2f}"
        )
    print("* after gc.freeze() (start-up objects excluded from garbage collection)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
