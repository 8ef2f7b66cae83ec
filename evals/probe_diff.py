"""Ask the same questions of two code trees and print the questions whose answers differ.

    python evals/probe_diff.py BEFORE_TREE AFTER_TREE [--questions FILE] [--corpus DIR ...] [--places 北京,广东]

Each tree runs in its own process with PYTHONPATH=<tree> and RAGTOOL_EMBEDDER=hash, over a private index of the
corpus folders (default: evals/provincial/docs, as the provincial suite), so a code change's effect on answers
shows up before any labelled case exists. Without --questions, the built-in templates are asked for every place.
Differences go to stdout as `question / before / after` blocks; --json prints them as one JSON array.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

DEV_PROVINCES = ["北京", "广东", "贵州", "河南", "江西", "辽宁", "陕西", "四川"]

# One line per user habit: targets and results, averages, ranges, ratios, negatives, from→to, counts, 分别.
TEMPLATES = [
    "{p}2026年GDP增长目标?",
    "{p}今年地区生产总值预期增长多少",
    "{p}去年GDP是多少",
    "{p}去年地区生产总值增长多少",
    "{p}十五五期间地区生产总值年均增长目标",
    "{p}十四五期间GDP年均增长多少",
    "{p}一般公共预算收入增长目标",
    "{p}去年一般公共预算收入多少",
    "{p}居民消费价格涨幅目标",
    "{p}去年CPI涨了多少",
    "{p}城镇调查失业率控制在多少",
    "{p}城镇新增就业目标多少人",
    "{p}去年城镇新增就业多少",
    "{p}固定资产投资增长目标",
    "{p}去年固定资产投资增长多少",
    "{p}居民人均可支配收入增长目标",
    "{p}去年城镇居民人均可支配收入多少",
    "{p}农村居民人均可支配收入增长多少",
    "{p}进出口总额是多少",
    "{p}外贸进出口增长多少",
    "{p}实际使用外资多少",
    "{p}常住人口城镇化率达到多少",
    "{p}研发经费投入强度是多少",
    "{p}R&D经费占GDP比重",
    "{p}粮食产量多少",
    "{p}粮食总产量稳定在多少",
    "{p}单位地区生产总值能耗下降多少",
    "{p}社会消费品零售总额增长多少",
    "{p}规模以上工业增加值增长多少",
    "{p}数字经济核心产业增加值占GDP比重",
    "{p}高新技术企业有多少家",
    "{p}新增国家级专精特新小巨人企业多少家",
    "{p}十五五主要指标有多少项",
    "{p}民生实事有多少项",
    "{p}PM2.5平均浓度是多少",
    "{p}三次产业结构比例",
    "{p}人口自然增长率是多少",
    "{p}地方政府债务余额多少",
    "{p}经济总量突破多少",
    "{p}全省GDP从多少增长到多少",
    "{p}十五五时期GDP年均增速目标",
    "{p}十四五时期一般公共预算收入年均增长多少",
    "{p}十四五期间城乡居民收入年均增长多少",
    "{p}经济总量达到多少",
    "{p}GDP总量突破了多少亿元",
    "{p}人均地区生产总值是多少",
    "{p}城镇和农村居民人均可支配收入分别增长多少",
    "{p}进出口总额增长目标",
    "{p}出口增长多少",
    "{p}税收收入增长多少",
    "{p}居民消费价格涨幅控制在多少左右",
    "{p}城镇调查失业率目标",
    "{p}城镇新增就业人数",
    "{p}万元GDP能耗下降目标",
    "{p}单位GDP二氧化碳排放下降多少",
    "{p}空气质量优良天数比率",
    "{p}森林覆盖率是多少",
    "{p}研发投入强度提高到多少",
    "{p}城镇化率提高了多少个百分点",
    "{p}工业投资增长多少",
    "{p}房地产开发投资下降多少",
    "{p}民间投资增长多少",
    "{p}新开工重点项目多少个",
    "{p}重点项目完成投资多少亿元",
    "{p}外贸依存度",
    "{p}高技术制造业增加值增长多少",
    "{p}战略性新兴产业增加值占比",
    "{p}服务业增加值增长多少",
    "{p}农业增加值增长多少",
    "{p}全年接待游客多少人次",
    "{p}旅游收入多少",
    "{p}新增城镇就业多少万人",
    "{p}减税降费多少亿元",
    "{p}新建改造老旧小区多少个",
    "{p}专项债券额度多少",
    "{p}发电装机容量多少千瓦",
    "{p}新能源汽车产量多少辆",
    "{p}快递业务量多少件",
    "{p}经营主体多少户",
    "{p}上市公司有多少家",
]


def templated(places: list[str]) -> list[str]:
    return [t.format(p=p) for p in places for t in TEMPLATES]


def worker(corpus: list[Path], home: Path) -> None:
    """Child process: ask every stdin line and print one JSON line per answer."""
    from ragtool.api import Session
    from ragtool.config import load_settings
    from ragtool.eval.run import prepare_index, suite_settings

    settings = suite_settings(load_settings(home=home, embedder="hash"), corpus)
    prepare_index(settings, corpus)
    session = Session(settings, sync=False)
    for line in sys.stdin:
        question = line.strip()
        if not question:
            continue
        try:
            answer = session.ask(question, engine="extractive")
            shown = f"[{answer.status}] {answer.answer}"
        except Exception as exc:  # noqa: BLE001 - a crash is an answer worth diffing too
            shown = f"[error] {type(exc).__name__}: {exc}"
        print(json.dumps({"q": question, "a": shown}, ensure_ascii=False), flush=True)


def run_tree(tree: Path, questions: list[str], corpus: list[Path], home: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(tree), RAGTOOL_EMBEDDER="hash", RAGTOOL_HOME=str(home))
    env.pop("OPENAI_BASE_URL", None)
    args = [sys.executable, str(Path(__file__).resolve()), "--worker", "--home", str(home)]
    for folder in corpus:
        args += ["--corpus", str(folder.resolve())]
    proc = subprocess.Popen(args, env=env, cwd=tree, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None
    proc.stdin.write("\n".join(questions) + "\n")
    proc.stdin.close()
    return proc


def answers_of(proc: subprocess.Popen[str]) -> dict[str, str]:
    assert proc.stdout is not None
    out = {}
    for line in proc.stdout:
        row = json.loads(line)
        out[row["q"]] = row["a"]
    if proc.wait() != 0:
        raise SystemExit(f"probe worker failed (exit {proc.returncode})")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("trees", nargs="*", type=Path, help="BEFORE and AFTER code trees")
    ap.add_argument("--questions", type=Path, help="one question per line (default: templates × --places)")
    ap.add_argument("--places", default=",".join(DEV_PROVINCES), help="places for the templates, comma-separated")
    ap.add_argument("--corpus", type=Path, action="append", help="corpus folder (repeatable)")
    ap.add_argument("--home", type=Path, help="index home (default: a temp dir per tree)")
    ap.add_argument("--all", action="store_true", help="print every answer, not only differences")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    corpus = args.corpus or [Path(__file__).resolve().parent / "provincial" / "docs"]
    if args.worker:
        worker(corpus, args.home)
        return
    if len(args.trees) != 2:
        ap.error("give two code trees: BEFORE AFTER")
    if args.questions:
        questions = [q.strip() for q in args.questions.read_text(encoding="utf-8").splitlines() if q.strip()]
    else:
        questions = templated([p for p in args.places.split(",") if p])
    with tempfile.TemporaryDirectory(prefix="probe-") as tmp:
        homes = [args.home / f"t{i}" if args.home else Path(tmp) / f"t{i}" for i in range(2)]
        procs = [run_tree(tree.resolve(), questions, corpus, home) for tree, home in zip(args.trees, homes, strict=True)]
        before, after = (answers_of(p) for p in procs)
    rows = [
        {"question": q, "before": before.get(q, ""), "after": after.get(q, "")}
        for q in questions
        if args.all or before.get(q) != after.get(q)
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for row in rows:
        print(f"{row['question']}\n  before: {row['before']}\n  after:  {row['after']}")
    print(f"{len(rows)} of {len(questions)} questions differ" if not args.all else f"{len(rows)} questions")


if __name__ == "__main__":
    main()
