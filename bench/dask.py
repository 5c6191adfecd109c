#!/usr/bin/env python3
"""newsim.dask on one worker against two: time per stage, bytes moved, per-partition figures.

The 100,000-article synthetic archive (bench/_synthetic.py's ``archive(100_000)``, the file
bench/analyze.py caches) is split once into ``--partitions`` gzip JSON-lines files. Then, for
a LocalCluster of 1 and of 2 worker processes (one thread each; every C++ call inside a task
runs on one thread, so a worker is one core), each stage runs once on the same files:

* read: ``newsim.dask.read_articles`` (one partition per file);
* clean: ``clean`` (repetition statistics per partition, merged, then each partition cleaned;
  the audit brought to the client); the stages below take the cleaned articles;
* fit statistics: ``fit_vectorizer(TfidfVectorizer(min_df=2))`` (title and cleaned text);
* transform: ``transform`` (row blocks left on the workers);
* top-10: ``top_k(X, 10)``, every pair of blocks;
* near-duplicates: ``near_duplicates(threshold=0.8)``;
* stories: ``cluster_stories`` of the cleaned articles, with their dates (7-day window).

Per stage: wall time; bytes moved between workers (the sum of the workers' incoming transfer
logs) and bytes the workers sent in all (``transfer_outgoing_bytes_total``: to other
workers and to the client; the difference is what the client gathered); per task kind
(``get_task_stream``): tasks, and the compute seconds per task (mean, max), which for
per-partition tasks is the time per partition; and each worker's resident memory (RSS now
and VmHWM, its peak so far) after the stage. Bytes the client sends (task arguments, the
vectorizer broadcast) are not counted. The machine has 2 cores and other builds may run:
the table says how busy the other processes kept it.

    .venv/bin/python bench/dask.py                       # 100,000 articles, 1 and 2 workers
    .venv/bin/python bench/dask.py --articles 20000 --workers 2 --json /tmp/dask.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import socket
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional

HERE = Path(__file__).resolve().parent
from _common import OthersCpu, import_newsim, machine_info, print_rows, source_state  # noqa: E402
from analyze import CACHE, archive_file  # noqa: E402

# This file is named dask.py: its folder goes last on the path (analyze.py put it first), so
# that "dask" is the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]

MB = 1024 * 1024
STAGES = ("read", "clean", "fit statistics", "transform", "top-10", "near-duplicates", "stories")
# newsim.dask's task functions by the stage that runs them (getitem: a piece of a shuffle).
TASKS = {"read": ("_read_partition", "_summary"),
         "clean": ("_clean_statistics", "_merge_clean_statistics", "_clean_partition",
                   "_clean_corpus", "_clean_report"),
         "fit statistics": ("_statistics", "_merge_statistics"),
         "transform": ("_transform", "_shape"),
         "top-10": ("_block_top_k", "_merge_top_k"),
         "near-duplicates": ("_sketch", "_split_signatures", "_copies", "_split_bands",
                             "_bucket_pairs", "_verify", "_sketch_times", "_word_counts"),
         "stories": ("_story_statistics", "_merge_pairs", "_features_from_statistics",
                     "_story_rows", "_part_times", "_row_digests", "_split_nodes",
                     "_time_block", "_block_pairs", "_key_terms_local", "_rows_of",
                     "_titles_at")}


def partition_files(n: int, parts: int) -> List[Path]:
    """The first n articles of the 100,000-article archive (of archive(n) beyond it) split
    into `parts` files of consecutive articles, made once."""
    folder = CACHE / f"dask-{n}-{parts}"
    paths = [folder / f"part-{k:03d}.jsonl.gz" for k in range(parts)]
    if all(p.is_file() for p in paths):
        return paths
    folder.mkdir(parents=True, exist_ok=True)
    with gzip.open(archive_file(max(n, 100_000)), "rt", encoding="utf-8") as f:
        lines = [line for _, line in zip(range(n), f)]
    per = -(-len(lines) // parts)
    for k, p in enumerate(paths):
        tmp = p.with_suffix(".tmp")
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=1) as out:
            out.writelines(lines[k * per:(k + 1) * per])
        tmp.replace(p)
    return paths


def _worker_state(dask_worker: Any) -> Dict[str, Any]:
    """What a worker has moved so far and its memory (run on each worker)."""
    incoming = sum(int(e.get("total", 0)) for e in dask_worker.transfer_incoming_log)
    status = {}
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":")
                status[key] = int(value.split()[0]) * 1024
    return {"incoming": incoming, "outgoing": int(dask_worker.transfer_outgoing_bytes_total),
            "rss": status.get("VmRSS", 0), "peak": status.get("VmHWM", 0)}


def run(workers: int, paths: List[Path], n_jobs: int = 1) -> Dict[str, Any]:
    import distributed

    import newsim
    import newsim.dask as nd

    rows: List[Dict[str, Any]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # tornado's make_current
        with socket.socket() as s:  # the scheduler's HTTP server: a free port, not 8787
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1,
                                           processes=True, host="127.0.0.1",
                                           dashboard_address=f"127.0.0.1:{port}",
                                           silence_logs=logging.ERROR)
        client = distributed.Client(cluster)
    try:
        before = client.run(_worker_state)

        def stage(name: str, fn: Any) -> Any:
            nonlocal before
            with OthersCpu() as others:
                t = time.perf_counter()
                out = fn()
                wall = time.perf_counter() - t
            after = client.run(_worker_state)
            rows.append({
                "stage": name, "seconds": wall, "others_cpu_s": others.seconds,
                "worker_to_worker_bytes": sum(after[w]["incoming"] - before[w]["incoming"]
                                              for w in after if w in before),
                "worker_sent_bytes": sum(after[w]["outgoing"] - before[w]["outgoing"]
                                         for w in after if w in before),
                "workers": [{"rss_mb": after[w]["rss"] / MB, "peak_mb": after[w]["peak"] / MB}
                            for w in sorted(after)],
            })
            before = after
            print(f"  {workers} worker(s) {name}: {wall:.1f} s", file=sys.stderr)
            return out

        stream = distributed.get_task_stream(client)
        stream.__enter__()
        articles = stage("read", lambda: nd.read_articles(paths))
        cleaned = stage("clean", lambda: nd.clean(articles, n_jobs=n_jobs)).corpus
        vectorizer = stage("fit statistics", lambda: nd.fit_vectorizer(
            newsim.TfidfVectorizer(min_df=2, n_jobs=n_jobs), cleaned))
        X = stage("transform", lambda: nd.transform(vectorizer, cleaned))
        stage("top-10", lambda: nd.top_k(X, 10, n_jobs=n_jobs))
        dups = stage("near-duplicates", lambda: nd.near_duplicates(cleaned, 0.8))
        stories = stage("stories", lambda: nd.cluster_stories(cleaned, n_jobs=n_jobs))
        time.sleep(1)  # the last task records reach the stream
        stream.__exit__(None, None, None)
        times: Dict[str, List[float]] = {}
        for rec in stream.data:  # each task's compute seconds, by task function
            key = rec["key"] if isinstance(rec["key"], str) else str(rec["key"][0])
            for ss in rec["startstops"]:
                if ss["action"] == "compute":
                    times.setdefault(key.split("-")[0], []).append(ss["stop"] - ss["start"])
        for row in rows:
            row["tasks"] = {k: {"n": len(v), "mean_s": sum(v) / len(v), "max_s": max(v),
                                "total_s": sum(v)}
                            for k, v in sorted(times.items()) if k in TASKS[row["stage"]]}
        result = {"workers": workers, "articles": len(articles),
                  "partitions": articles.npartitions, "vocabulary": X.shape[1],
                  "near_duplicate_pairs": len(dups.pairs), "stories": stories.n_stories,
                  "stages": rows}
    finally:
        client.close()
        cluster.close()
    return result


def show(results: List[Dict[str, Any]]) -> None:
    by = {r["workers"]: {s["stage"]: s for s in r["stages"]} for r in results}
    counts = sorted(by)
    header = ["stage"] + [f"{w} worker(s) s" for w in counts]
    if len(counts) == 2:
        header.append("speedup")
    header += [f"w2w MB ({w})" for w in counts] + [f"sent MB ({w})" for w in counts]
    table = []
    for name in STAGES:
        row = [name] + [f"{by[w][name]['seconds']:.1f}" for w in counts]
        if len(counts) == 2:
            row.append(f"{by[counts[0]][name]['seconds'] / by[counts[1]][name]['seconds']:.2f}")
        row += [f"{by[w][name]['worker_to_worker_bytes'] / MB:.1f}" for w in counts]
        row += [f"{by[w][name]['worker_sent_bytes'] / MB:.1f}" for w in counts]
        table.append(row)
    table.append(["total"] + [f"{sum(s['seconds'] for s in by[w].values()):.1f}" for w in counts]
                 + ([""] if len(counts) == 2 else []) + [""] * (2 * len(counts)))
    print_rows(header, table, set(range(1, len(header))))
    for w in counts:
        print(f"\nper task kind, {w} worker(s): tasks, compute s per task (mean / max), total")
        rows = []
        for name in STAGES:
            for kind, t in by[w][name]["tasks"].items():
                rows.append([name, kind, str(t["n"]), f"{t['mean_s']:.3f}", f"{t['max_s']:.3f}",
                             f"{t['total_s']:.1f}"])
        print_rows(["stage", "task", "n", "mean s", "max s", "total s"], rows, {2, 3, 4, 5})
        print(f"\nworker memory after each stage, {w} worker(s): RSS / peak MB per worker")
        print_rows(["stage", "workers"],
                   [[name, "  ".join(f"{m['rss_mb']:.0f}/{m['peak_mb']:.0f}"
                                     for m in by[w][name]["workers"])] for name in STAGES],
                   set())
        busy = sum(s["others_cpu_s"] for s in by[w].values())
        print(f"(other processes used {busy:.0f} CPU s during the {w}-worker run)")


def main(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, default=100_000)
    p.add_argument("--partitions", type=int, default=8, help="files (partitions)")
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--json", type=Path, help="write every figure here")
    args = p.parse_args(argv)
    newsim, note = import_newsim()
    if newsim is None:
        print(note, file=sys.stderr)
        return 1
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("Dask.distributed is not installed (Debian: python3-distributed)", file=sys.stderr)
        return 1
    paths = partition_files(args.articles, args.partitions)
    m = machine_info()
    print(f"{note}; {args.articles} articles in {len(paths)} files; {m}")
    results = [run(w, paths) for w in args.workers]
    show(results)
    if args.json:
        args.json.write_text(json.dumps({"machine": m, "source": source_state(),
                                         "results": results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
