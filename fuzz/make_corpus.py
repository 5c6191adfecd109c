#!/usr/bin/env python3
"""Writes the seed corpora fuzz/corpus/<target>/ from data/seeds and a few dozen lines of each
corpus in ../shared/corpora (skipped when absent), plus hand-made edge cases. Each input starts
with the option bytes its target reads (see the comment at the top of fuzz/<target>.cpp).

Usage: fuzz/make_corpus.py [fuzz_model_seeds binary]   (the binary writes the model seeds)
"""
import gzip
import json
import pathlib
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "fuzz" / "corpus"
SEEDS = sorted((ROOT / "data" / "seeds").glob("*.txt"))
CORPORA = ROOT.parent / "shared" / "corpora"
if not CORPORA.is_dir():
    CORPORA = pathlib.Path("/work/shared/corpora")


def cut(text, n):
    """At most n bytes of UTF-8, cut at a character boundary."""
    return text.encode()[:n].decode(errors="ignore")


def corpus_lines(name, n):
    path = CORPORA / name
    if not path.is_file():
        return []
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            out.append(json.loads(line))
            if len(out) == n:
                break
    return out


def texts_of(records):
    out = []
    for r in records:
        if "text" in r:
            out.append(r["text"])
        else:  # semeval pairs
            out += [r.get("text1", ""), r.get("text2", "")]
    return [t for t in out if t.strip()]


def write(target, name, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    seeds = [p.read_text(encoding="utf-8") for p in SEEDS]
    corpora = {n.split(".")[0]: corpus_lines(n, 24) for n in [
        "reuters21578.jsonl.gz", "20newsgroups.jsonl.gz", "bbc.jsonl.gz",
        "ecbplus_dev.jsonl.gz", "semeval2022_en_dev.jsonl.gz"]}
    texts = {k: texts_of(v) for k, v in corpora.items()}

    # jsonl_reader: flags byte (errors, require_text, max_line_bytes, gzip, title), then lines.
    for name, records in corpora.items():
        for part in range(0, len(records), 8):
            lines = []
            for r in records[part:part + 8]:
                r = {k: cut(v, 300) if isinstance(v, str) else v for k, v in r.items()}
                lines.append(json.dumps(r, ensure_ascii=part % 16 == 0))
            flags = [0, 1, 2, 17][part // 8 % 4]
            write("jsonl_reader", f"{name}_{part}", bytes([flags]) + "\n".join(lines).encode())
    edge = [
        '{"id": 1, "text": "a number beyond double", "x": 1e400}',
        '{"id": 123456789012345678901234567890, "text": "a long integer id"}',
        '{"id": "a", "text": "one"}\n{"id": "a", "text": "again"}',
        '{"id": "d", "text": "bad date", "date": "0204-13-45"}',
        '{"id": "n"}\n[1, 2]\n"text"\n\n{"text": null}',
        '{"id": "u", "text": "\\ud800 lone surrogate"}',
        '{"id": "t", "text": 12.5, "title": 3, "date": "2024-05-01T10:00:00+02:00"}',
        '{"id": "cut", "text": "unterminated',
    ]
    for i, line in enumerate(edge):
        for flags in (0, 1, 2):
            write("jsonl_reader", f"edge_{i}_{flags}", bytes([flags]) + line.encode())
    write("jsonl_reader", "invalid_utf8", b"\x01" + b'{"id": "x", "text": "caf\xe9"}')
    write("jsonl_reader", "max_line", b"\x09\x10" + b'{"id": "x", "text": "' + b"y" * 40 + b'"}')

    # folder_reader: flags byte, then "name\ntext" files separated by NUL.
    for i in range(0, len(seeds) - 1, 2):
        files = [f"{SEEDS[j].stem}\n{cut(seeds[j], 800)}" for j in (i, i + 1)]
        write("folder_reader", f"seeds_{i}", bytes([i % 3]) + "\0".join(files).encode())
    write("folder_reader", "links", b"\x1d" + b"a\nfirst\0b.md\nnot read\0c\ncaf\xe9")
    write("folder_reader", "bad_utf8_raise", b"\x00" + b"a\n\xff\xfe")

    # analyzer: two option bytes, then the text.
    samples = [cut(s, 600) for s in seeds] + [cut(t, 400) for v in texts.values() for t in v[:3]]
    samples += ["Café NAÏVE ΣΊΣΥΦΟΣ straße ﬁnance İstanbul 東京 😀 e\u0301",
                "U.S. officials — said: \"it's 10:30\" (AP) #tag @user http://x.y/z"]
    option_pairs = [(0, 0), (1, 0), (2, 0), (4, 16), (8, 5), (41, 36), (0, 128), (1, 129),
                    (2, 130), (96, 64), (16, 96)]
    for i, text in enumerate(samples):
        a, b = option_pairs[i % len(option_pairs)]
        write("analyzer", f"text_{i}", bytes([a, b]) + text.encode())
    write("analyzer", "invalid_utf8", b"\x00\x00caf\xe9 \xed\xa0\x80 ok")

    # cleaner: flags byte, then articles separated by NUL.
    write("cleaner", "seeds", b"\x00" + "\0".join(seeds).encode())
    write("cleaner", "seeds_sources", b"\xc3" + "\0".join(cut(s, 1500) for s in seeds).encode())
    for name, v in texts.items():
        if v:
            write("cleaner", name, bytes([len(name) % 256]) + "\0".join(cut(t, 700) for t in v[:6]).encode())
    write("cleaner", "icons", b"\x80" + "\0".join(
        "icon-facebook icon-twitter icon-mail\nStory %d\n\nBody text of story %d, said officials." % (i, i)
        for i in range(4)).encode())

    # near_duplicates: three option bytes, then documents separated by NUL.
    for name, v in texts.items():
        docs = [cut(t, 500) for t in v[:6]]
        docs += [docs[0], docs[0][:len(docs[0]) // 2], docs[1].replace(" the ", " a ")] if docs else []
        write("near_duplicates", name, bytes([4, 80, 0]) + "\0".join(docs).encode())
    write("near_duplicates", "copies", bytes([2, 50, 64]) + "\0".join(["same words in every copy here"] * 8).encode())
    write("near_duplicates", "seeds", bytes([28, 129, 9]) + "\0".join(cut(s, 1200) for s in seeds).encode())

    # text_reuse: three option bytes, then documents separated by NUL: cuts, quotes, edits.
    for name, v in texts.items():
        docs = [cut(t, 600) for t in v[:4]]
        if docs:
            half = docs[0][:len(docs[0]) // 2]
            docs += [half, "Quote: " + half + " end.", docs[0].replace(" the ", " a "),
                     "".join(ch if not ch.isdigit() else "7" for ch in docs[0])]
        write("text_reuse", name, bytes([4 | 56, 4 | 120, 2 | 16 | 4]) + "\0".join(docs).encode())
    write("text_reuse", "copies", bytes([2, 9, 64]) + "\0".join(["same words in every copy here"] * 6).encode())
    write("text_reuse", "seeds", bytes([4, 120, 12]) + "\0".join(cut(s, 1200) for s in seeds).encode())

    # model_loader: hand-made corrupt models; fitted ones come from fuzz_model_seeds.
    for kind in range(6):
        write("model_loader", f"junk_{kind}", bytes([kind]) + b'{"format": "newsim", "version": 1e400}')
    if len(sys.argv) > 1:
        subprocess.run([sys.argv[1], str(OUT / "model_loader")] + [str(p) for p in SEEDS], check=True)
    size = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    print(f"{sum(1 for p in OUT.rglob('*') if p.is_file())} seed files, {size / 1024:.0f} KiB in {OUT}")


if __name__ == "__main__":
    main()
