#!/usr/bin/env python3
"""Streaming benchmark: read a large JSON-lines file with newsim.iter_articles in bounded memory.

Generates a JSON-lines file of synthetic articles (1 GiB by default; lengths from a few
characters to 1.5 MB, a few extra fields per article that go to ``meta``), then streams it
with ``newsim.iter_articles``, counting articles and text bytes, and reports:

* generation time, read time and throughput (MB/s of file, and of article text);
* RSS just before reading, and the peak RSS during the read (VmHWM, reset just before the
  read by writing 5 to /proc/self/clear_refs; see bench/_memory.py), and their difference,
  "peak added", which must stay under 256 MiB: PASS or FAIL is printed.

With ``--gzip`` the same file is also gzip-compressed and streamed again.

    .venv/bin/python bench/read_stream.py                      # 1 GiB, ~1 minute
    .venv/bin/python bench/read_stream.py --size-mb 100        # quick look
    .venv/bin/python bench/read_stream.py --gzip --json /tmp/read_stream.json
    .venv/bin/python bench/read_stream.py --path /data/big.jsonl --keep    # keep the file

Sizes are in MiB (2**20 bytes); throughput is in MB/s with MB = 10**6 bytes.
The generated files are deleted afterwards unless --keep is given.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _memory  # noqa: E402  (the helper beside this file)

# Waiting for a quiet machine, others' CPU, finding newsim: shared with vectorize.py.
from _common import OthersCpu, import_newsim, source_state, wait_until_idle  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
LIMIT_ADDED = 256 * MIB  # the target: peak RSS added by streaming stays below this

SECTIONS = ("world", "business", "politics", "sport", "tech", "culture", "science")


# ---------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------


def _word_pool(rng: random.Random, n_chars: int) -> str:
    """A long text of pseudo-words in sentences and paragraphs, with some non-ASCII."""
    letters = "etaoinshrdlcumwfgypbvkjxqz"
    weights = [12, 9, 8, 8, 7, 7, 6, 6, 6, 4, 4, 3, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1]
    vocab = ["".join(rng.choices(letters, weights, k=rng.randint(2, 11))) for _ in range(20000)]
    vocab += ["café", "Zürich", "naïve", "São", "Kraków", "—", "“quoted”", "€5", "日本", "Ελλάδα"]
    parts: List[str] = []
    size = 0
    while size < n_chars:
        words = rng.choices(vocab, k=rng.randint(6, 30))
        words[0] = words[0].capitalize()
        sentence = " ".join(words) + rng.choice((". ", ". ", ". ", "? ", ", officials said. "))
        if rng.random() < 0.12:
            sentence += "\n\n"
        parts.append(sentence)
        size += len(sentence)
    return "".join(parts)


def _text_length(rng: random.Random, i: int) -> int:
    if i % 20011 == 7:
        return rng.randint(500_000, 1_500_000)  # a few very long lines
    if i % 97 == 3:
        return rng.randint(0, 40)  # and some almost empty ones
    return min(int(rng.lognormvariate(7.7, 0.9)), 200_000)  # median ~2,200 characters


def generate(path: Path, size_bytes: int, seed: int = 1) -> Dict[str, Any]:
    """Writes synthetic articles to path until it holds at least size_bytes; returns stats."""
    rng = random.Random(seed)
    pool = _word_pool(rng, 4 * MIB)
    pool2 = pool + pool  # so that a slice may wrap around
    n = 0
    written = 0
    text_bytes = 0
    longest = 0
    batch: List[bytes] = []
    batch_size = 0
    t0 = time.perf_counter()
    with open(path, "wb") as f:
        while written + batch_size < size_bytes:
            length = _text_length(rng, n)
            start = rng.randrange(len(pool))
            text = pool2[start:start + length] if length <= len(pool) else (
                pool * (length // len(pool) + 1))[:length]
            t = rng.randrange(len(pool))
            title = pool2[t:t + rng.randint(20, 90)].replace("\n", " ").strip()
            rec: Dict[str, Any] = {"id": f"art-{n:09d}", "title": title, "text": text}
            kind = n % 5
            if kind == 0:
                rec["date"] = f"2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}T{n % 24:02d}:15:00Z"
            elif kind == 1:
                rec["date"] = f"2023-{n % 12 + 1:02d}-{n % 28 + 1:02d} 08:30:00.250+02:00"
            elif kind == 2:
                rec["date"] = f"2022-{n % 12 + 1:02d}-{n % 28 + 1:02d}"
            if n % 3:
                rec["source"] = rng.choice(("Reuters", "AP", "AFP", "BBC", "The Daily Example"))
                rec["url"] = f"https://news.example.org/{rec['id']}"
            # extra fields, which go to meta
            rec["section"] = SECTIONS[n % len(SECTIONS)]
            rec["tags"] = rng.sample(SECTIONS, n % 4)
            rec["wordcount"] = text.count(" ") + 1
            if n % 4 == 0:
                rec["authors"] = [{"name": title[:12], "staff": bool(n % 8)}]
                rec["score"] = round(rng.random(), 4)
            line = (json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8")
            longest = max(longest, len(line))
            text_bytes += len(text.encode("utf-8"))
            batch.append(line)
            batch_size += len(line)
            n += 1
            if batch_size >= 8 * MIB:
                f.write(b"".join(batch))
                written += batch_size
                batch, batch_size = [], 0
        if batch:
            f.write(b"".join(batch))
            written += batch_size
    return {"articles": n, "file_bytes": written, "text_bytes": text_bytes,
            "longest_line_bytes": longest, "seconds": time.perf_counter() - t0}


def compress(src: Path, dst: Path, level: int) -> Dict[str, Any]:
    t0 = time.perf_counter()
    with open(src, "rb") as fin, gzip.open(dst, "wb", compresslevel=level) as fout:
        shutil.copyfileobj(fin, fout, 8 * MIB)
    return {"file_bytes": dst.stat().st_size, "seconds": time.perf_counter() - t0}


# ---------------------------------------------------------------------------------------
# Streaming
# ---------------------------------------------------------------------------------------


def stream(newsim: Any, path: Path, force_sampler: bool, max_wait: float) -> Dict[str, Any]:
    """Streams path with iter_articles once; time, counts and memory figures."""
    quiet = wait_until_idle(max_wait) if max_wait > 0 else None

    def run() -> Tuple[int, int, int, float]:
        n = 0
        text_bytes = 0
        with_meta = 0
        t0 = time.perf_counter()
        for a in newsim.iter_articles(path):
            n += 1
            text_bytes += len(a.text.encode("utf-8"))
            if a.meta:
                with_meta += 1
        return n, text_bytes, with_meta, time.perf_counter() - t0

    with OthersCpu() as o:
        (n, text_bytes, with_meta, seconds), mem = _memory.measure_call(run, force_sampler)
    others = o.seconds / seconds
    size = path.stat().st_size
    return {"file": str(path), "file_bytes": size, "articles": n, "text_bytes": text_bytes,
            "articles_with_meta": with_meta, "seconds": seconds,
            "file_mb_per_s": size / 1e6 / seconds, "text_mb_per_s": text_bytes / 1e6 / seconds,
            **mem, "pass": mem["added"] < LIMIT_ADDED, "quiet_before": quiet,
            "others_cpu_cores": others}


def report(label: str, r: Dict[str, Any], gen: Dict[str, Any]) -> None:
    ok = "PASS" if r["pass"] else "FAIL"
    print(f"\n{label}: {r['file']}")
    print(f"  file            {r['file_bytes'] / MIB:10.1f} MiB, {r['articles']:,} articles "
          f"({r['articles_with_meta']:,} with meta), text {r['text_bytes'] / MIB:.1f} MiB")
    print(f"  read time       {r['seconds']:10.2f} s")
    print(f"  throughput      {r['file_mb_per_s']:10.1f} MB/s of file, "
          f"{r['text_mb_per_s']:.1f} MB/s of text")
    print(f"  RSS before      {r['rss_before'] / MIB:10.1f} MiB")
    print(f"  peak RSS        {r['peak'] / MIB:10.1f} MiB   (method: {r['method']})")
    print(f"  peak added      {r['added'] / MIB:10.1f} MiB   "
          f"{ok}: target < {LIMIT_ADDED // MIB} MiB")
    print(f"  RSS after       {r['rss_after'] / MIB:10.1f} MiB")
    if r["others_cpu_cores"] is not None:
        flag = "  (disturbed: timing unreliable)" if r["others_cpu_cores"] > 0.15 else ""
        print(f"  others' CPU     {r['others_cpu_cores']:10.2f} cores while reading{flag}")
    if r["articles"] != gen["articles"] or r["text_bytes"] != gen["text_bytes"]:
        print(f"  MISMATCH: generated {gen['articles']:,} articles / {gen['text_bytes']:,} text "
              f"bytes, read {r['articles']:,} / {r['text_bytes']:,}")
        r["pass"] = False


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mb", type=float, default=1024.0,
                    help="size of the generated file in MiB (default 1024 = 1 GiB)")
    ap.add_argument("--path", type=Path, default=None,
                    help="where to write the file (default: a temporary folder)")
    ap.add_argument("--gzip", action="store_true", help="also compress it and stream the .gz")
    ap.add_argument("--gzip-level", type=int, default=6, help="gzip level (default 6)")
    ap.add_argument("--keep", action="store_true", help="keep the generated file(s)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--memory-sampler", action="store_true",
                    help="measure the peak with a 1 ms VmRSS sampler instead of clear_refs")
    ap.add_argument("--max-wait", type=float, default=600.0,
                    help="before each read, wait up to this many seconds while compilers run "
                         "or other processes keep > 0.2 cores busy (0 = don't wait)")
    ap.add_argument("--json", type=Path, default=None, help="write every figure to this file")
    args = ap.parse_args(argv)

    newsim, note = import_newsim()
    if newsim is None:
        print(note, file=sys.stderr)
        return 1
    tmpdir = None
    if args.path is None:
        tmpdir = tempfile.mkdtemp(prefix="newsim_read_stream_")
        path = Path(tmpdir) / "articles.jsonl"
    else:
        path = args.path
        path.parent.mkdir(parents=True, exist_ok=True)
    gz_path = path.with_name(path.name + ".gz")
    out: Dict[str, Any] = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "machine": {"nproc": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
        "newsim": f"{getattr(newsim, '__version__', '?')} from {newsim.__file__}",
        "source": source_state(),
        "limit_added_bytes": LIMIT_ADDED,
    }
    print(f"newsim {out['newsim']}; {os.cpu_count()} CPUs; {platform.platform()}")
    print(f"source: commit {out['source']}")
    created: List[Path] = []
    try:
        print(f"generating {args.size_mb:g} MiB of JSON lines at {path} ...", flush=True)
        created.append(path)
        gen = generate(path, int(args.size_mb * MIB), args.seed)
        out["generate"] = gen
        print(f"  {gen['articles']:,} articles, {gen['file_bytes'] / MIB:.1f} MiB "
              f"(text {gen['text_bytes'] / MIB:.1f} MiB), longest line "
              f"{gen['longest_line_bytes'] / MIB:.2f} MiB, in {gen['seconds']:.1f} s")
        _memory.trim_heap()
        r = stream(newsim, path, args.memory_sampler, args.max_wait)
        out["plain"] = r
        report("plain JSON lines", r, gen)
        ok = r["pass"]
        if args.gzip:
            print(f"\ncompressing (level {args.gzip_level}) to {gz_path} ...", flush=True)
            created.append(gz_path)
            gz = compress(path, gz_path, args.gzip_level)
            out["compress"] = gz
            print(f"  {gz['file_bytes'] / MIB:.1f} MiB in {gz['seconds']:.1f} s")
            _memory.trim_heap()
            rg = stream(newsim, gz_path, args.memory_sampler, args.max_wait)
            rg["uncompressed_mb_per_s"] = gen["file_bytes"] / 1e6 / rg["seconds"]
            out["gzip"] = rg
            report("gzip JSON lines", rg, gen)
            print(f"  (uncompressed   {rg['uncompressed_mb_per_s']:10.1f} MB/s)")
            ok = ok and rg["pass"]
        out["pass"] = ok
        print(f"\n{'PASS' if ok else 'FAIL'}: peak RSS added "
              f"{'<' if ok else '>='} {LIMIT_ADDED // MIB} MiB while streaming")
    finally:
        if args.keep:
            for p in created:
                if p.exists():
                    print(f"kept {p}")
        else:
            for p in created:
                p.unlink(missing_ok=True)
            if tmpdir is not None:
                shutil.rmtree(tmpdir, ignore_errors=True)
    if args.json is not None:
        args.json.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0 if out.get("pass") else 1


if __name__ == "__main__":
    sys.exit(main())
