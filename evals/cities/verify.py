#!/usr/bin/env python3
"""Mechanical checks for the city/county/district QA set (cities/).

Run from anywhere:  python3 verify.py      (standard library only)
Prints every must-not-exist grep it runs; the last line is ALL CHECKS PASSED when everything holds.

Checks:
  * documents: file names NNN_place.txt, UTF-8, 4-line header (Title/Date/URL/blank), Date is YYYY-MM-DD or None;
  * qa.jsonl: keys in order, ids c001.. consecutive and unique, questions unique, kinds valid;
  * answerable items: answer under 60 characters, quote an exact substring of its document, 1-3 short
    must_include strings, each an exact substring of the quote;
  * unanswerable items: answer "", quote "", must_include [], and every grep probe defined for them finds
    nothing, both in the named document and across ALL documents of this set and of ../provincial/docs.
    Probes run on a normalised copy of each text: inline pinyin such as "(huì)" removed, the traditional
    characters that occur in this set mapped to simplified ones (table below), spaces/no-break spaces removed.
"""
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.join(HERE, "docs")
PROV = os.path.normpath(os.path.join(HERE, "..", "provincial", "docs"))
QA = os.path.join(HERE, "qa.jsonl")
KEYS = ["id", "question", "answer", "must_include", "doc", "quote", "kind"]
KINDS = {"number", "name", "date", "list", "yesno", "what", "unanswerable"}
NAME_RE = re.compile(r"^\d{3}_[a-z0-9_]+\.txt$")
DATE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}|None)$")
PINYIN = re.compile(r"\([a-z\u00C0-\u024F\u1E00-\u1EFF]+\)")
# traditional -> simplified, for every traditional character that occurs in docs/ (pairs: trad, simp)
T2S_PAIRS = "來来個个偉伟傳传價价儀仪億亿優优兩两剛刚劃划劇剧劉刘動动務务勢势區区協协員员單单噸吨國国圓圆圖图團团執执堅坚報报場场孫孙學学實实寧宁對对導导屆届層层屬属廣广張张強强從从徹彻愛爱態态應应戰战揮挥撐撑據据數数時时暉晖曉晓書书會会東东楊杨業业極极榮荣構构標标樹树機机檢检欄栏歷历決决況况準准溫温滿满潛潜潤润濟济濱滨為为營营爭争牽牵現现環环產产當当發发監监確确礎础積积穩稳籌筹糧粮級级結结絕绝統统經经綿绵緊紧縣县總总績绩繪绘羅罗義义習习聞闻臺台莊庄華华萬万葉叶薦荐藍蓝處处虛虚規规觀观計计訊讯記记設设詠咏話话認认誠诚說说調调論论講讲議议變变豬猪負负貫贯責责資资賈贾質质踐践輿舆辦办農农這这進进運运過过達达遠远選选邁迈還还釩钒鋒锋鎮镇長长門门開开關关陳陈陽阳階阶險险難难項项順顺頔𬱖領领頭头顧顾顯显風风飛飞養养駐驻騰腾體体黃黄點点黨党龍龙"
T2S = {T2S_PAIRS[i]: T2S_PAIRS[i + 1] for i in range(0, len(T2S_PAIRS), 2)}

errors = []


def err(msg):
    errors.append(msg)
    print("FAIL:", msg)


def normalise(t):
    t = PINYIN.sub("", t)
    t = "".join(T2S.get(c, c) for c in t)
    return re.sub(r"[ \u00a0\u3000\t]", "", t)


# ---------------------------------------------------------------- documents
raw = {}
for fn in sorted(os.listdir(DOCS)):
    if not fn.endswith(".txt"):
        continue
    if not NAME_RE.match(fn):
        err(f"{fn}: file name is not NNN_place.txt")
    try:
        t = open(os.path.join(DOCS, fn), encoding="utf-8").read()
    except UnicodeDecodeError as e:
        err(f"{fn}: not UTF-8 ({e})")
        continue
    lines = t.split("\n", 4)
    if len(lines) < 5 or not lines[0].startswith("Title: ") or not lines[1].startswith("Date: ")             or not lines[2].startswith("URL: ") or lines[3] != "":
        err(f"{fn}: header is not Title/Date/URL/blank line")
    elif not DATE_RE.match(lines[1][6:]):
        err(f"{fn}: bad Date {lines[1]!r}")
    if t.endswith("\n"):
        err(f"{fn}: trailing newline")
    raw[fn] = t
prov = {}
if os.path.isdir(PROV):
    for fn in sorted(os.listdir(PROV)):
        if fn.endswith(".txt"):
            prov["provincial/" + fn] = open(os.path.join(PROV, fn), encoding="utf-8").read()
else:
    err(f"provincial documents not found at {PROV}")
print(f"{len(raw)} documents in docs/; {len(prov)} provincial documents for the must-not-exist greps ({PROV})")
norm = {fn: normalise(t) for fn, t in list(raw.items()) + list(prov.items())}

# ---------------------------------------------------------------- must-not-exist probes for unanswerable items
# question -> [(scope, regex)]; scope "ALL" = every document of this set and every provincial document
PROBES = {
    "武进区委书记是谁?": [("002_wujin.txt", r"(?<!总)书记"), ("ALL", r"武进[^。\n]{0,30}书记"),
                     ("ALL", r"沈东[^。\n]{0,8}书记|书记[^。\n]{0,8}沈东")],
    "芦山县2026年地区生产总值增长目标是多少?": [("003_lushan.txt", r"预期目标|增长[0-9.]+%(左右|以上)"),
                                  ("ALL", r"芦山[^。\n]{0,40}(2026年|今年)[^。\n]{0,40}(生产总值|GDP)")],
    "宜宾2026年GDP增长目标是多少": [("004_yibin.txt", r"生产总值|GDP|经济增长"), ("ALL", r"宜宾[^。\n]{0,40}(生产总值|GDP)")],
    "资阳2025年地区生产总值增长了多少(增速)?": [("006_chengdu_metro.txt", r"1150\.8亿元[^。\n;;]{0,15}增长"),
                                 ("ALL", r"资阳[^。\n;;]{0,30}(生产总值|GDP)[^。\n;;]{0,15}增长")],
    "平昌县2025年地区生产总值是多少": [("007_pingchang.txt", r"2025"), ("ALL", r"平昌[^。\n]{0,40}2025|2025[^。\n]{0,40}平昌")],
    "沧州市2026年GDP增长目标是多少?": [("009_cangzhou.txt", r"预期目标|%"), ("010_cangzhou_2025.txt", r"2026"),
                             ("ALL", r"沧州[^。\n]{0,40}(2026年|今年)[^。\n]{0,30}(生产总值|GDP|增长)")],
    "铜陵郊区区委书记是谁?": [("012_jiaoqu.txt", r"(?<!总)书记"), ("ALL", r"郊区[^。\n]{0,20}书记"),
                      ("ALL", r"王所宝[^。\n]{0,8}书记|书记[^。\n]{0,8}王所宝")],
    "青岛“九个新”具体是哪九个?": [("014_qingdao.txt", r"九个新"), ("ALL", r"九个新[”\"]?[^。\n]{0,4}(是|即|包括|:|:|分别)")],
    "历城区的“五大攻坚行动”分别是什么?": [("ALL", r"五大攻坚行动[”\"]?[^。\n]{0,4}(是|即|包括|:|:|分别)")],
    "宜昌市委书记是谁?": [("017_yichang.txt", r"市委书记"), ("ALL", r"宜昌[^。\n]{0,10}市委书记")],
    "大冶2025年地区生产总值是多少亿元?": [("018_daye.txt", r"生产总值|GDP|[0-9.]+亿元"), ("ALL", r"大冶[^。\n]{0,40}(生产总值|GDP)")],
    "湖南岳阳华容县县长是谁?": [("ALL", r"华容县"), ("ALL", r"岳阳[^。\n]{0,20}华容")],
    "宁夏中宁县2026年地区生产总值增长目标是多少?": [("020_zhongning.txt", r"预期目标|2026年[^。\n]{0,30}增长"),
                                    ("ALL", r"中宁[^。\n]{0,40}(预期目标|2026年[^。\n]{0,20}增长)")],
    "东川区2025年地区生产总值增长多少?": [("021_dongchuan.txt", r"2025年[^。\n]{0,60}(生产总值|GDP)"),
                              ("ALL", r"东川[^。\n]{0,60}2025年[^。\n]{0,40}(生产总值|GDP|增长)")],
    "宁波2026年GDP增长目标是多少?": [("024_ningbo.txt", r"生产总值|GDP"), ("ALL", r"宁波[^。\n]{0,40}(生产总值|GDP)")],
    "黔东南州州长是谁?": [("030_qiandongnan.txt", r"州长|(?<!总)书记"), ("ALL", r"黔东南[^。\n]{0,20}州长")],
    "开阳县县长是谁?": [("032_kaiyang.txt", r"(?<!副)县长"), ("ALL", r"开阳[^。\n]{0,10}县长")],
    "黄龙县县长是谁?": [("033_huanglong.txt", r"县长"), ("ALL", r"黄龙[^。\n]{0,10}县长")],
}

# ---------------------------------------------------------------- qa.jsonl
text = open(QA, encoding="utf-8").read()
rows = []
for n, line in enumerate(text.split("\n"), 1):
    if not line.strip():
        if n != len(text.split("\n")):
            err(f"qa.jsonl line {n}: empty line")
        continue
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        err(f"qa.jsonl line {n}: bad JSON ({e})")
        continue
    if list(obj.keys()) not in (KEYS, KEYS + ["tags"]):  # ragtool adds tags (dev / sealed)
        err(f"qa.jsonl line {n}: keys {list(obj.keys())}")
    rows.append(obj)
print(f"\nqa.jsonl: {len(rows)} items")
for n, it in enumerate(rows, 1):
    if it.get("id") != f"c{n:03d}":
        err(f"line {n}: id {it.get('id')!r}, expected c{n:03d}")
for k, c in collections.Counter(it.get("id") for it in rows).items():
    if c > 1:
        err(f"duplicate id {k}")
for k, c in collections.Counter(it.get("question") for it in rows).items():
    if c > 1:
        err(f"duplicate question {k!r}")

probe_runs = 0
for it in rows:
    i, kind, doc, q, mi, ans = it["id"], it["kind"], it["doc"], it["quote"], it["must_include"], it["answer"]
    if kind not in KINDS:
        err(f"{i}: bad kind {kind!r}")
    if doc not in raw:
        err(f"{i}: unknown doc {doc!r}")
        continue
    if not isinstance(it["question"], str) or not it["question"].strip():
        err(f"{i}: empty question")
    if not isinstance(mi, list):
        err(f"{i}: must_include is not a list")
        continue
    if kind == "unanswerable":
        if ans != "" or q != "" or mi != []:
            err(f"{i}: unanswerable items need answer '', quote '', must_include []")
        probes = PROBES.get(it["question"])
        if not probes:
            err(f"{i}: no must-not-exist probes for {it['question']!r}")
            continue
        print(f"{i} {it['question']}  (doc {doc})")
        for scope, rx in probes:
            targets = list(norm) if scope == "ALL" else [scope]
            for t in targets:
                if t not in norm:
                    err(f"{i}: probe scope {t} not found")
            hits = [(t, m.group(0)) for t in targets if t in norm for m in re.finditer(rx, norm[t])]
            probe_runs += 1
            where = f"ALL ({len(targets)} docs)" if scope == "ALL" else scope
            print(f"    grep /{rx}/ in {where}: {len(hits)} match(es)")
            if hits:
                err(f"{i}: probe /{rx}/ found {hits[:3]}")
        continue
    if not ans.strip():
        err(f"{i}: empty answer")
    if len(ans) >= 60:
        err(f"{i}: answer has {len(ans)} characters (must be under 60)")
    if not q:
        err(f"{i}: empty quote")
        continue
    if q not in raw[doc]:
        err(f"{i}: quote is not an exact substring of {doc}")
    if doc.endswith(".txt") and q in raw[doc].split("\n", 4)[:4]:
        err(f"{i}: quote comes from the header")
    if not 1 <= len(mi) <= 3:
        err(f"{i}: {len(mi)} must_include strings (need 1-3)")
    for m in mi:
        if not isinstance(m, str) or not m:
            err(f"{i}: empty must_include entry")
        elif m not in q:
            err(f"{i}: must_include {m!r} is not a substring of the quote")
        elif len(m) > 20:
            err(f"{i}: must_include {m!r} is longer than 20 characters")

kinds = collections.Counter(it["kind"] for it in rows)
eng = sum(1 for it in rows if re.match(r"[A-Za-z]", it["question"]))
print(f"\nkinds: {dict(sorted(kinds.items()))}; English questions: {eng}; probes run: {probe_runs}")
if kinds["unanswerable"] < 14:
    err(f"only {kinds['unanswerable']} unanswerable items (need at least 14)")
unused = sorted(set(raw) - {it["doc"] for it in rows})
if unused:
    err(f"documents without any item: {unused}")
if errors:
    print(f"\n{len(errors)} CHECK(S) FAILED")
    sys.exit(1)
print("ALL CHECKS PASSED")
