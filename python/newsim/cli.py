"""The ``newsim`` command line: ``newsim analyze PATH...`` reads articles (a folder of .txt
files, JSON lines, plain or .gz, or CSV), cleans them, and reports per article its nearest
articles with the terms they share, near-duplicate groups and stories.

Exit codes: 0 success, 1 bad input (a one-line message, no traceback), 2 bad usage,
130 interrupted.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any, List, Optional, Sequence

FORMATS = ("text", "json", "html")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # usage errors: exit 2 with one line
        self.exit(2, f"{self.prog}: error: {message}\n")


def _unit(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < v <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1]; got {text}")
    return v


def _days(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}") from None
    if not math.isfinite(v) or v < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number of days >= 0; got {text}")
    return v


def _count(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0; got {text}")
    return v


def parser() -> argparse.ArgumentParser:
    from newsim.report import SEARCH_ABOVE

    p = _Parser(prog="newsim", description="Term vectors and similarity of news articles.")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    a = sub.add_parser(
        "analyze", help="report nearest articles, near-duplicates and stories",
        description="Read articles, clean them, and report per article its nearest articles "
                    "with the terms they share, near-duplicate groups and stories.",
        epilog="Exit codes: 0 success, 1 bad input, 2 bad usage, 130 interrupted. "
               "Example: newsim analyze data/seeds --format html --output report.html")
    a.add_argument("paths", nargs="+", metavar="PATH",
                   help="a folder of .txt articles, a JSON-lines file (.jsonl, .jsonl.gz) or a "
                        "CSV file; several are read in order")
    a.add_argument("--format", choices=FORMATS, default="text", help="report format (text)")
    a.add_argument("--output", "-o", type=Path, help="write the report here instead of stdout")
    a.add_argument("--top-k", type=_count, default=3, help="nearest articles per article (3)")
    a.add_argument("--threshold", type=_unit, default=None,
                   help="near-duplicates: Jaccard of 5-word shingles at least this (default: "
                        "by shared passages, which also finds edited copies and excerpts)")
    a.add_argument("--story-threshold", type=_unit, default=0.2,
                   help="stories: merge while the mean cosine is at least this (0.2)")
    a.add_argument("--time-window", metavar="DAYS", type=_days,
                   help="stories: articles further apart than this many days are unrelated "
                        "(7; 0 for no window)")
    a.add_argument("--text-field", default="text", help="JSON/CSV field with the text (text)")
    a.add_argument("--errors", choices=("raise", "skip", "report"), default="raise",
                   help="malformed input lines: stop (raise), or skip them and count them")
    a.add_argument("--no-clean", action="store_true", help="do not remove page furniture")
    a.add_argument("--neighbours", choices=("auto", "exact", "search"), default="auto",
                   help="nearest articles: score every pair (exact), or search, which is much "
                        "faster on large archives but can miss some (auto: search beyond "
                        f"{SEARCH_ABOVE:,} articles)")
    a.add_argument("--n-jobs", type=int, default=None, help="threads (all cores)")
    a.add_argument("--progress", dest="progress", action="store_true", default=None,
                   help="show progress (default: when stderr is a terminal)")
    a.add_argument("--no-progress", dest="progress", action="store_false")
    return p


def _read(paths: List[str], text_field: str, errors: str, progress: Any = None) -> Any:
    import warnings

    import newsim

    corpora = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise FileNotFoundError(f"{raw}: no such file or folder")
        fields = None if text_field == "text" else {"text": text_field}
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            corpora.append(newsim.read_articles(path, fields=fields, errors=errors))
        for w in caught:  # one line each on stderr, not Python's warning format
            print(f"newsim: warning: {w.message}", file=sys.stderr)
        if progress is not None:
            progress.read(len(corpora[-1]))
    if len(corpora) == 1:
        return corpora[0]
    merged = newsim.Corpus()
    for path, c in zip(paths, corpora):
        for article in c:
            if article.id in merged:
                raise ValueError(f"{path}: article id {article.id!r} was already read from an "
                                 f"earlier path")
            merged.append(article)
    return merged


class _Progress:
    """A progress bar on stderr that counts articles: those read, then, stage by stage, those
    the stage has done (each core stage works on all articles at once, so it completes in one
    step). Silent when not shown or when tqdm is missing."""

    def __init__(self, show: bool) -> None:
        self.bar = None
        self.articles = 0
        if show:
            try:
                from tqdm import tqdm
            except ImportError:  # progress is a nicety; python3-tqdm provides it
                return
            self.bar = tqdm(total=None, desc="reading", unit=" articles", file=sys.stderr,
                            leave=False, dynamic_ncols=True)

    def read(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count)

    def stage(self, name: str) -> None:
        if self.bar is None:
            return
        if self.bar.total:  # the previous stage has done every article
            self.bar.update(self.bar.total - self.bar.n)
            self.bar.refresh()
        self.bar.reset(total=self.articles)
        self.bar.set_description(name)

    def close(self) -> None:
        if self.bar is not None:
            if self.bar.total:
                self.bar.update(self.bar.total - self.bar.n)
                self.bar.refresh()
            self.bar.close()


def analyze(args: argparse.Namespace) -> int:
    import newsim
    from newsim.report import build_report, render_html, render_json, render_text

    show = args.progress if args.progress is not None else sys.stderr.isatty()
    progress = _Progress(show)
    try:
        corpus = _read(args.paths, args.text_field, args.errors, progress)
        if len(corpus) == 0:
            raise ValueError(f"no articles in {', '.join(args.paths)}")
        progress.articles = len(corpus)
        skipped = getattr(corpus, "skipped", 0)
        if not args.no_clean:
            # Cleaned here, so that the raw articles are freed before the report is built.
            progress.stage("cleaning")
            corpus = newsim.clean(corpus, n_jobs=args.n_jobs)
        report = build_report(corpus, top_k=args.top_k, threshold=args.threshold,
                              story_threshold=args.story_threshold,
                              time_window=args.time_window, clean=not args.no_clean,
                              neighbours=args.neighbours, n_jobs=args.n_jobs,
                              step=progress.stage)
    finally:
        progress.close()
    if skipped:
        print(f"newsim: {skipped} malformed input line(s) skipped", file=sys.stderr)
    text = {"text": render_text, "json": render_json, "html": render_html}[args.format](report)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"newsim: wrote {args.output} ({len(report['articles'])} articles)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    if args.version:
        import newsim

        print(f"newsim {newsim.__version__}")
        return 0
    if args.command is None:
        p.print_usage(sys.stderr)
        print("newsim: error: a command is required (try: newsim analyze --help)", file=sys.stderr)
        return 2
    try:
        return analyze(args)
    except KeyboardInterrupt:
        print("newsim: interrupted", file=sys.stderr)
        return 130
    except (OSError, ValueError, TypeError, KeyError, IndexError, UnicodeError) as e:
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        if isinstance(e, KeyError) and e.args:
            message = str(e.args[0])
        print(f"newsim: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
