// ragtool web app: plain JS, no build step. Every text from a document goes into the page through
// textContent or text nodes (el() below), never as HTML.
"use strict";

const I18N = {
  zh: {
    skip: "跳到内容", nav: "主导航", "nav.ask": "问答", "nav.compare": "比较", "nav.docs": "文档",
    "nav.summaries": "摘要", "nav.eval": "评估",
    "ask.title": "问答", "ask.label": "问题", "ask.placeholder": "例如：凤岗2025年GDP目标?", "ask.button": "提问",
    "ask.places": "地点", "ask.years": "年份", "ask.all": "全部", "ask.working": "正在回答…",
    "status.answered": "已回答", "status.conflicting": "来源不一致", "status.not_found": "未找到",
    "ans.candidates": "各来源的说法", "ans.citations": "引用", "ans.notes": "说明", "ans.engine": "引擎",
    "ans.confidence": "置信度", "ans.comparison": "各地对比", "ans.page": "第{n}页", "ans.ocr": "OCR识别",
    "flag.injection": "注意：有文件中的句子试图向模型下达指令；该句未被当作答案或候选答案。",
    "compare.title": "比较各地", "compare.label": "比较的问题", "compare.placeholder": "例如：2025年GDP增长目标",
    "compare.button": "比较", "compare.all_docs": "每份文档一行", "compare.sort": "按数值排序",
    "compare.working": "正在逐地回答…", "compare.chart": "数值（区间以浅色显示）", "compare.none": "没有可画图的数值",
    "compare.click": "点击柱条查看原文", "compare.open": "在文档中查看",
    csv: "下载 CSV",
    "docs.title": "文档", "docs.upload_label": "上传 .txt .md .html .pdf .docx 及扫描图片", "docs.upload": "上传并索引",
    "docs.search": "搜索", "docs.search_ph": "搜索标题或地点", "docs.count": "共 {n} 份",
    "docs.view": "查看", "docs.delete": "删除", "docs.confirm": "确定删除《{t}》？此操作会把它从索引中移除。",
    "docs.uploading": "正在上传…", "docs.indexing": "正在索引 {done}/{total} {name}",
    "docs.done": "完成：新增 {added}，替换 {replaced}，未变 {unchanged}，跳过 {skipped}", "docs.pick": "请先选择文件",
    "docs.removed": "已删除《{t}》",
    "col.place": "地点", "col.date": "日期", "col.kind": "类型", "col.title": "标题", "col.chunks": "块",
    "col.actions": "操作", "col.level": "级别", "col.value": "数值", "col.status": "状态", "col.quote": "原文",
    "col.indicator": "指标", "col.unit": "单位", "col.year": "年份", "col.type": "类型", "col.qualifier": "限定",
    "col.role": "职务", "col.name": "姓名", "col.range": "区间", "col.doc": "文档",
    "doc.back": "← 返回", "doc.not_located": "未能在正文中定位引用。",
    "meta.doc_id": "编号", "meta.place": "地点", "meta.level": "级别", "meta.date": "日期", "meta.kind": "类型",
    "meta.source": "来源", "meta.chunks": "块数", "meta.url": "网址",
    "sum.title": "摘要", "sum.pick": "文档", "sum.officials": "领导", "sum.figures": "主要指标",
    "sum.priorities": "重点工作", "sum.meeting": "会议", "sum.abstract": "摘要", "sum.working": "正在生成摘要…",
    "fig.title": "各文档主要指标", "fig.indicator": "指标", "fig.indicator_ph": "指标，如 地区生产总值",
    "fig.all_places": "全部地点", "fig.count": "{n} 条指标",
    "type.actual": "实际", "type.target": "目标",
    "eval.title": "评估", "eval.suite": "测试集", "eval.filter": "筛选", "eval.filter_ph": "标签、类型或编号（可空）",
    "eval.run": "运行", "eval.running": "正在运行 {done}/{total}", "eval.done": "完成，用时 {s} 秒",
    "eval.failing": "未通过的用例", "eval.report": "下载 HTML 报告", "eval.none_failing": "全部通过",
    "eval.group": "分组", "eval.cases": "用例", "eval.pass": "通过率", "eval.answer": "答案准确率",
    "eval.abstain": "拒答准确率", "eval.conflict": "冲突识别", "eval.hit5": "hit@5", "eval.mrr": "MRR",
    "eval.cite": "引用有效", "eval.p50": "延迟 p50 (s)", "eval.expected": "期望", "eval.got": "得到",
    "token.prompt": "此服务器需要访问令牌。", "token.label": "令牌", "token.ok": "确定",
    "error.prefix": "出错：",
  },
  en: {
    skip: "Skip to content", nav: "Main", "nav.ask": "Ask", "nav.compare": "Compare", "nav.docs": "Documents",
    "nav.summaries": "Summaries", "nav.eval": "Evaluation",
    "ask.title": "Ask", "ask.label": "Question", "ask.placeholder": "e.g. 凤岗2025年GDP目标?", "ask.button": "Ask",
    "ask.places": "Places", "ask.years": "Years", "ask.all": "All", "ask.working": "Answering…",
    "status.answered": "Answered", "status.conflicting": "Sources disagree", "status.not_found": "Not found",
    "ans.candidates": "What each source says", "ans.citations": "Citations", "ans.notes": "Notes",
    "ans.engine": "engine", "ans.confidence": "confidence", "ans.comparison": "Places compared",
    "ans.page": "p. {n}", "ans.ocr": "read by OCR",
    "flag.injection": "Warning: a document holds a sentence that tries to instruct the model; it was not used as an answer or candidate.",
    "compare.title": "Compare places", "compare.label": "Question to compare", "compare.placeholder": "e.g. 2025年GDP增长目标",
    "compare.button": "Compare", "compare.all_docs": "One row per document", "compare.sort": "Sort by value",
    "compare.working": "Asking every place…", "compare.chart": "Values (ranges in a lighter shade)",
    "compare.none": "No numbers to chart", "compare.click": "Click a bar to see its quote",
    "compare.open": "Open in the document",
    csv: "Download CSV",
    "docs.title": "Documents", "docs.upload_label": "Upload .txt .md .html .pdf .docx or scanned images", "docs.upload": "Upload and index",
    "docs.search": "Search", "docs.search_ph": "Search title or place", "docs.count": "{n} documents",
    "docs.view": "View", "docs.delete": "Delete", "docs.confirm": "Delete “{t}”? It will be removed from the index.",
    "docs.uploading": "Uploading…", "docs.indexing": "Indexing {done}/{total} {name}",
    "docs.done": "Done: added {added}, replaced {replaced}, unchanged {unchanged}, skipped {skipped}",
    "docs.pick": "Choose files first", "docs.removed": "Deleted “{t}”",
    "col.place": "Place", "col.date": "Date", "col.kind": "Kind", "col.title": "Title", "col.chunks": "Chunks",
    "col.actions": "Actions", "col.level": "Level", "col.value": "Value", "col.status": "Status", "col.quote": "Quote",
    "col.indicator": "Indicator", "col.unit": "Unit", "col.year": "Year", "col.type": "Type",
    "col.qualifier": "Qualifier", "col.role": "Role", "col.name": "Name", "col.range": "Range", "col.doc": "Document",
    "doc.back": "← Back", "doc.not_located": "The quote could not be located in the text.",
    "meta.doc_id": "ID", "meta.place": "Place", "meta.level": "Level", "meta.date": "Date", "meta.kind": "Kind",
    "meta.source": "Source", "meta.chunks": "Chunks", "meta.url": "URL",
    "sum.title": "Summaries", "sum.pick": "Document", "sum.officials": "Officials", "sum.figures": "Key figures",
    "sum.priorities": "Priorities", "sum.meeting": "Meeting", "sum.abstract": "Abstract", "sum.working": "Summarising…",
    "fig.title": "Key figures across documents", "fig.indicator": "Indicator", "fig.indicator_ph": "Indicator, e.g. 地区生产总值",
    "fig.all_places": "All places", "fig.count": "{n} figures",
    "type.actual": "actual", "type.target": "target",
    "eval.title": "Evaluation", "eval.suite": "Suite", "eval.filter": "Filter", "eval.filter_ph": "tag, kind or id (optional)",
    "eval.run": "Run", "eval.running": "Running {done}/{total}", "eval.done": "Done in {s} s",
    "eval.failing": "Failing cases", "eval.report": "Download HTML report", "eval.none_failing": "All passed",
    "eval.group": "Group", "eval.cases": "Cases", "eval.pass": "Pass rate", "eval.answer": "Answer accuracy",
    "eval.abstain": "Abstention", "eval.conflict": "Conflicts", "eval.hit5": "hit@5", "eval.mrr": "MRR",
    "eval.cite": "Citations valid", "eval.p50": "Latency p50 (s)", "eval.expected": "Expected", "eval.got": "Got",
    "token.prompt": "This server needs an access token.", "token.label": "Token", "token.ok": "OK",
    "error.prefix": "Error: ",
  },
};

const state = {
  lang: localStorage.getItem("ragtool.lang") || "zh",
  docs: [], byId: {}, place: null, year: null, sort: { key: "date", desc: true },
  lastAnswer: null, lastCompare: null, compareBody: null, lastSummary: null, lastEval: null, pending: null,
};

function t(key, vars) {
  let s = (I18N[state.lang] && I18N[state.lang][key]) || I18N.zh[key] || key;
  for (const [k, v] of Object.entries(vars || {})) s = s.split("{" + k + "}").join(String(v));
  return s;
}

// el("div", {class: "x", onclick: fn}, "text", child): strings become text nodes, never HTML.
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "class") node.className = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

const $ = (sel) => document.querySelector(sel);
const clear = (node) => { node.replaceChildren(); return node; };

// ---- API --------------------------------------------------------------------------------------

function token() { return localStorage.getItem("ragtool.token") || ""; }

function askToken() {
  return new Promise((resolve) => {
    const dlg = $("#token-dialog");
    dlg.addEventListener("close", () => {
      localStorage.setItem("ragtool.token", $("#token-input").value.trim());
      resolve();
    }, { once: true });
    dlg.showModal();
  });
}

// Every POST and DELETE carries this server's CSRF token, read once from GET /api/csrf (same origin only).
let csrfToken = null;
async function csrf() {
  if (csrfToken === null) csrfToken = (await api("/api/csrf")).csrf;
  return csrfToken;
}

async function api(path, opts = {}, retried = false) {
  const headers = Object.assign({}, opts.headers || {});
  if (token()) headers.Authorization = "Bearer " + token();
  if (opts.json !== undefined) {
    headers["Content-Type"] = "application/json";
    opts = Object.assign({}, opts, { method: opts.method || "POST", body: JSON.stringify(opts.json) });
  }
  if ((opts.method || "GET") !== "GET") headers["X-Ragtool-CSRF"] = await csrf();
  const res = await fetch(path, Object.assign({}, opts, { headers }));
  if (res.status === 401 && !retried) {
    await askToken();
    return api(path, opts, true);
  }
  if (res.status === 403 && !retried && headers["X-Ragtool-CSRF"]) {  // a restarted server has a new token
    csrfToken = null;
    return api(path, opts, true);
  }
  if (!res.ok) {
    let message = res.status + " " + res.statusText;
    try { message = (await res.json()).error.message || message; } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  return opts.raw ? res : res.json();
}

async function download(path, opts, name) {
  const res = await api(path, Object.assign({ raw: true }, opts));
  const url = URL.createObjectURL(await res.blob());
  const a = el("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function showError(e) {
  const box = $("#error");
  box.textContent = t("error.prefix") + (e && e.message ? e.message : String(e));
  box.hidden = false;
}
function hideError() { $("#error").hidden = true; }

async function poll(jobId, onUpdate) {
  for (;;) {
    const job = await api("/api/jobs/" + encodeURIComponent(jobId));
    onUpdate(job);
    if (job.state === "done") return job;
    if (job.state === "failed") throw new Error(job.error ? job.error.message : "failed");
    await new Promise((r) => setTimeout(r, 300));
  }
}

// ---- language and routing -----------------------------------------------------------------------

function applyLang() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  for (const n of document.querySelectorAll("[data-i18n]")) n.textContent = t(n.dataset.i18n);
  for (const n of document.querySelectorAll("[data-i18n-ph]")) n.placeholder = t(n.dataset.i18nPh);
  for (const n of document.querySelectorAll("[data-i18n-label]")) n.setAttribute("aria-label", t(n.dataset.i18nLabel));
  $("#lang").textContent = state.lang === "zh" ? "EN" : "中文";
}

function rerender() {
  renderChips();
  renderDocs();
  if (state.lastAnswer) renderAnswer(state.lastAnswer);
  if (state.lastCompare) renderCompare(state.lastCompare);
  if (state.lastSummary) renderSummary(state.lastSummary);
  fillSelects();
  if (state.lastEval) renderEval(state.lastEval);
}

function route() {
  const hash = location.hash.replace(/^#/, "") || "ask";
  const [view, arg] = hash.split("/", 2);
  const name = view === "doc" ? "doc" : (["ask", "compare", "docs", "summaries", "eval"].includes(view) ? view : "ask");
  for (const s of document.querySelectorAll(".view")) s.hidden = s.id !== "view-" + name;
  for (const a of document.querySelectorAll("nav a")) {
    if (a.dataset.view === name || (name === "doc" && a.dataset.view === "docs")) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  hideError();
  if (name === "doc" && arg) openDoc(decodeURIComponent(arg)).catch(showError);
  if (name === "summaries") enterSummaries().catch(showError);
  if (name === "eval") enterEval().catch(showError);
}

// ---- documents catalogue (also feeds the chips and citations' place/date/kind) ---------------------

async function loadDocs() {
  state.docs = await api("/api/docs", { headers: { Accept: "application/json" } });
  state.byId = Object.fromEntries(state.docs.map((d) => [d.doc_id, d]));
  renderChips();
  renderDocs();
  fillSelects();
}

function uniq(values) { return [...new Set(values.filter((v) => v !== null && v !== undefined && v !== ""))]; }

function chip(label, pressed, onclick) {
  return el("button", { type: "button", class: "chip", "aria-pressed": pressed ? "true" : "false", onclick }, label);
}

function renderChips() {
  const places = uniq(state.docs.map((d) => d.place)).sort((a, b) => a.localeCompare(b, "zh"));
  const years = uniq(state.docs.map((d) => d.year)).sort((a, b) => b - a);
  const pick = (key, v) => () => { state[key] = state[key] === v ? null : v; renderChips(); };
  clear($("#place-chips")).append(chip(t("ask.all"), state.place === null, () => { state.place = null; renderChips(); }),
    ...places.map((p) => chip(p, state.place === p, pick("place", p))));
  clear($("#year-chips")).append(chip(t("ask.all"), state.year === null, () => { state.year = null; renderChips(); }),
    ...years.map((y) => chip(String(y), state.year === y, pick("year", y))));
}

function docLabel(docId, title) {
  const d = state.byId[docId] || {};
  return [d.place, "《" + (title || d.title || docId) + "》", d.date || d.year, d.kind].filter(Boolean).join(" · ");
}

// ---- ask ------------------------------------------------------------------------------------------

async function ask(question, push = true) {
  hideError();
  $("#q").value = question;
  if (push) history.replaceState(null, "", "?q=" + encodeURIComponent(question) + "#ask");
  const out = clear($("#answer"));
  out.append(el("p", { class: "muted" }, t("ask.working")));
  const body = { question };
  if (state.place) body.place = state.place;
  if (state.year) body.year = state.year;
  try {
    const answer = await api("/api/ask", { json: body });
    state.lastAnswer = answer;
    renderAnswer(answer);
  } catch (e) { clear(out); showError(e); }
}

function badge(status) {
  return el("span", { class: "badge badge-" + status, "data-status": status }, t("status." + status));
}

function renderAnswer(a) {
  const out = clear($("#answer"));
  out.append(el("div", { class: "answer-head" }, badge(a.status),
    el("p", { class: "answer-text" }, a.answer || t("status.not_found"))));
  if (a.candidates && a.candidates.length && a.status === "conflicting") {
    out.append(el("h2", {}, t("ans.candidates")), el("div", { class: "candidates" }, a.candidates.map((c) =>
      el("article", { class: "candidate" },
        el("p", { class: "cand-value" }, c.value),
        el("blockquote", {}, c.quote),
        el("p", { class: "muted" }, [state.byId[c.doc_id] ? state.byId[c.doc_id].place : "", "《" + c.title + "》",
          c.date, c.kind].filter(Boolean).join(" · "))))));
  }
  if (a.comparison && a.comparison.length) {
    out.append(el("h2", {}, t("ans.comparison")), compareTable(a.comparison));
  }
  if (a.citations && a.citations.length) {
    out.append(el("h2", {}, t("ans.citations")), el("ol", { class: "citations" }, a.citations.map((c, i) =>
      el("li", {}, el("button", {
        type: "button", class: "citation", "data-n": i + 1,
        onclick: () => showQuote(c.doc_id, c.quote, c.start, c.end),
      }, el("span", { class: "cite-n" }, "[" + (i + 1) + "]"), el("span", { class: "cite-src" }, docLabel(c.doc_id, c.title),
        c.page ? " · " + t("ans.page").replace("{n}", c.page) : null, c.ocr ? el("span", { class: "cite-ocr" }, t("ans.ocr")) : null),
      el("span", { class: "cite-quote" }, "「" + c.quote + "」"))))));
  }
  if (a.flags && a.flags.length) {
    out.append(el("p", { class: "notes flag", role: "alert" }, a.flags.map((f) => t("flag." + f)).join(" ")));
  }
  if (a.notes && a.notes.length) out.append(el("ul", { class: "notes" }, a.notes.map((n) => el("li", {}, n))));
  out.append(el("p", { class: "muted small" },
    t("ans.engine") + " " + a.engine + " · " + t("ans.confidence") + " " + Number(a.confidence || 0).toFixed(2)));
}

function showQuote(docId, quote, start, end) {
  state.pending = { docId, quote, start, end };
  location.hash = "#doc/" + encodeURIComponent(docId);
}

// ---- document view ---------------------------------------------------------------------------------

async function openDoc(docId) {
  const p = state.pending && state.pending.docId === docId ? state.pending : null;
  let path = "/api/docs/" + encodeURIComponent(docId);
  if (p) {
    const q = new URLSearchParams({ quote: p.quote });
    if (Number.isInteger(p.start)) q.set("start", p.start);
    if (Number.isInteger(p.end)) q.set("end", p.end);
    path += "?" + q.toString();
  }
  const view = await api(path);
  const m = view.meta;
  $("#h-doc").textContent = m.title || m.doc_id;
  const dl = clear($("#doc-meta"));
  for (const key of ["doc_id", "place", "level", "date", "kind", "chunks", "source", "url"]) {
    if (m[key] === null || m[key] === undefined || m[key] === "") continue;
    dl.append(el("div", {}, el("dt", {}, t("meta." + key)), el("dd", {}, String(m[key]))));
  }
  const text = clear($("#doc-text"));
  const h = view.highlight;
  if (h) {
    const mark = el("mark", { id: "highlight", tabindex: "-1" }, view.text.slice(h.start, h.end));
    text.append(view.text.slice(0, h.start), mark, view.text.slice(h.end));
    requestAnimationFrame(() => { mark.scrollIntoView({ block: "center" }); mark.focus({ preventScroll: true }); });
  } else {
    text.append(view.text);
    if (p) text.before(el("p", { class: "muted" }, t("doc.not_located")));
    window.scrollTo(0, 0);
  }
}

// ---- documents list, upload, delete -------------------------------------------------------------------

function renderDocs() {
  const tbody = clear($("#doc-table tbody"));
  const q = ($("#doc-search").value || "").trim().toLowerCase();
  const key = state.sort.key;
  const rows = state.docs.filter((d) => !q || [d.title, d.place, d.kind, d.date, d.doc_id].join(" ").toLowerCase().includes(q));
  rows.sort((a, b) => {
    const x = String(a[key] || ""), y = String(b[key] || "");
    const c = x.localeCompare(y, "zh");
    return state.sort.desc ? -c : c;
  });
  for (const th of document.querySelectorAll("#doc-table th")) th.removeAttribute("aria-sort");
  const active = document.querySelector(`#doc-table [data-sort="${key}"]`);
  if (active) active.parentElement.setAttribute("aria-sort", state.sort.desc ? "descending" : "ascending");
  for (const d of rows) {
    tbody.append(el("tr", { "data-doc": d.doc_id },
      el("td", {}, d.place || ""), el("td", {}, d.date || (d.year || "")), el("td", {}, d.kind),
      el("td", {}, el("a", { href: "#doc/" + encodeURIComponent(d.doc_id) }, d.title || d.doc_id)),
      el("td", { class: "num" }, d.chunks),
      el("td", { class: "actions" },
        el("button", { type: "button", class: "danger small", onclick: () => removeDoc(d) }, t("docs.delete")))));
  }
  $("#doc-count").textContent = t("docs.count", { n: rows.length });
}

async function removeDoc(d) {
  if (!window.confirm(t("docs.confirm", { t: d.title || d.doc_id }))) return;
  try {
    await api("/api/docs/" + encodeURIComponent(d.doc_id), { method: "DELETE" });
    $("#upload-status").textContent = t("docs.removed", { t: d.title || d.doc_id });
    await loadDocs();
  } catch (e) { showError(e); }
}

async function upload(ev) {
  ev.preventDefault();
  hideError();
  const files = $("#files").files;
  const status = $("#upload-status");
  if (!files.length) { status.textContent = t("docs.pick"); return; }
  const form = new FormData();
  for (const f of files) form.append("files", f, f.name);
  const bar = $("#upload-progress");
  bar.hidden = false;
  bar.removeAttribute("value");
  status.textContent = t("docs.uploading");
  try {
    const job = await api("/api/ingest", { method: "POST", body: form });
    const done = await poll(job.id, (j) => {
      if (j.total) { bar.max = j.total; bar.value = j.done; }
      status.textContent = t("docs.indexing", { done: Math.floor(j.done), total: j.total || "?", name: j.current || "" });
    });
    const r = done.result;
    status.textContent = t("docs.done", { added: r.added, replaced: r.replaced, unchanged: r.unchanged, skipped: r.skipped.length })
      + r.skipped.map((s) => " · " + s.path.split("/").pop() + ": " + s.reason).join("");
    $("#files").value = "";
    await loadDocs();
  } catch (e) { showError(e); status.textContent = ""; }
  bar.hidden = true;
}

// ---- compare --------------------------------------------------------------------------------------------

function compareTable(rows) {
  return el("div", { class: "table-wrap" }, el("table", { class: "grid" },
    el("thead", {}, el("tr", {}, ["col.place", "col.level", "col.value", "col.range", "col.status", "col.quote", "col.doc"]
      .map((k) => el("th", {}, t(k))))),
    el("tbody", {}, rows.map((r) => el("tr", {},
      el("td", {}, r.place || ""), el("td", {}, r.level || ""), el("td", {}, r.figure || r.value),
      el("td", { class: "num" }, rangeText(r)), el("td", {}, badge(r.status)),
      el("td", { class: "quote" }, r.quote ? el("button", { type: "button", class: "link",
        onclick: () => showQuote(r.doc_id, r.quote, r.citations[0] && r.citations[0].start, r.citations[0] && r.citations[0].end) },
      r.quote) : ""),
      el("td", { class: "doc" }, "《" + r.title + "》 " + (r.date || r.year || "")))))));
}

function rangeText(r) {
  if (r.low === null || r.low === undefined) return "";
  return (r.low === r.high ? String(r.low) : r.low + "–" + r.high) + (r.unit || "");
}

async function runCompare(ev) {
  if (ev) ev.preventDefault();
  hideError();
  const q = $("#cq").value.trim();
  if (!q) return;
  const body = { question: q, all_docs: $("#compare-all").checked, sort: $("#compare-sort").checked ? "value" : "place" };
  state.compareBody = body;
  const out = clear($("#compare-out"));
  out.append(el("p", { class: "muted" }, t("compare.working")));
  try {
    const rows = await api("/api/compare", { json: body });
    state.lastCompare = rows;
    $("#compare-csv").disabled = false;
    renderCompare(rows);
  } catch (e) { clear(out); showError(e); }
}

const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

function chartRows(rows) {
  const valued = rows.filter((r) => r.low !== null && r.low !== undefined);
  const units = {};
  for (const r of valued) units[r.unit] = (units[r.unit] || 0) + 1;
  const unit = Object.keys(units).sort((a, b) => units[b] - units[a])[0];
  return { unit, rows: valued.filter((r) => r.unit === unit) };
}

function renderCompare(rows) {
  const out = clear($("#compare-out"));
  const { unit, rows: bars } = chartRows(rows);
  const detail = el("div", { id: "bar-detail", class: "bar-detail", "aria-live": "polite" }, t("compare.click"));
  if (bars.length) {
    const max = Math.max(...bars.map((r) => r.high ?? r.low), 0) || 1;
    const width = Math.round(Math.max(320, Math.min(720, out.clientWidth || 720)));  // SVG units = CSS pixels
    const rowH = 34, labelW = width < 500 ? 76 : 110, valueW = width < 500 ? 78 : 90, plotW = width - labelW - valueW;
    const chart = svg("svg", { viewBox: `0 0 ${width} ${bars.length * rowH + 10}`, class: "chart", role: "img",
      "aria-label": t("compare.chart") + " (" + unit + ")" });
    bars.forEach((r, i) => {
      const y = i * rowH + 5, lowW = (r.low / max) * plotW, highW = ((r.high ?? r.low) / max) * plotW;
      const g = svg("g", { class: "bar", tabindex: "0", role: "button", "data-place": r.place || "",
        "aria-label": (r.place || "") + " " + (r.figure || r.value) });
      g.append(svg("text", { x: labelW - 8, y: y + rowH / 2 + 5, "text-anchor": "end", class: "bar-label" }, r.place || r.title));
      g.append(svg("rect", { x: labelW, y: y + 4, width: Math.max(lowW, 1), height: rowH - 10, class: "bar-low" }));
      if (highW > lowW) {
        g.append(svg("rect", { x: labelW + lowW, y: y + 4, width: highW - lowW, height: rowH - 10, class: "bar-range" }));
      }
      g.append(svg("text", { x: labelW + highW + 6, y: y + rowH / 2 + 5, class: "bar-value" }, r.figure || rangeText(r)));
      const open = () => showBar(r, detail);
      g.addEventListener("click", open);
      g.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); } });
      chart.append(g);
    });
    out.append(el("h2", {}, t("compare.chart") + (unit ? "（" + unit + "）" : "")), chart, detail);
  } else {
    out.append(el("p", { class: "muted" }, t("compare.none")));
  }
  out.append(compareTable(rows));
}

function showBar(r, detail) {
  for (const g of document.querySelectorAll(".chart .bar")) g.classList.toggle("selected", g.dataset.place === (r.place || ""));
  const c = r.citations[0] || {};
  clear(detail).append(
    el("p", {}, el("strong", {}, (r.place || "") + "：" + (r.figure || r.value)), " ", badge(r.status)),
    el("blockquote", { class: "bar-quote" }, r.quote),
    el("p", { class: "muted" }, "《" + r.title + "》 " + (r.date || r.year || ""), " ",
      el("button", { type: "button", class: "link", onclick: () => showQuote(r.doc_id, r.quote, c.start, c.end) },
        t("compare.open"))));
}

// ---- summaries and figures --------------------------------------------------------------------------------

function fillSelects() {
  const sel = $("#sum-doc");
  const current = sel.value;
  clear(sel).append(...state.docs.map((d) => el("option", { value: d.doc_id }, docLabel(d.doc_id, d.title))));
  if (current && state.byId[current]) sel.value = current;
  const fp = $("#fig-place");
  const place = fp.value;
  clear(fp).append(el("option", { value: "" }, t("fig.all_places")),
    ...uniq(state.docs.map((d) => d.place)).map((p) => el("option", { value: p }, p)));
  fp.value = place;
}

async function enterSummaries() {
  if (!state.docs.length) await loadDocs();
  if (!state.lastSummary && $("#sum-doc").value) await loadSummary();
  await loadFigures();
}

async function loadSummary() {
  const id = $("#sum-doc").value;
  if (!id) return;
  clear($("#sum-out")).append(el("p", { class: "muted" }, t("sum.working")));
  state.lastSummary = await api("/api/summaries/" + encodeURIComponent(id), { json: { engine: "auto" } });
  renderSummary(state.lastSummary);
}

function table(headers, rows) {
  return el("div", { class: "table-wrap" }, el("table", { class: "grid" },
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", {}, t(h))))),
    el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c, i) =>
      el("td", { class: headers[i] === "col.quote" ? "quote" : null }, c)))))));
}

function renderSummary(s) {
  const out = clear($("#sum-out"));
  out.append(el("h2", {}, s.title || s.doc_id),
    el("p", { class: "muted" }, [s.place, s.kind, s.date, s.meeting && t("sum.meeting") + "：" + s.meeting].filter(Boolean).join(" · ")));
  if (s.abstract) out.append(el("p", { class: "abstract" }, s.abstract));
  if (s.officials.length) {
    out.append(el("h3", {}, t("sum.officials")), table(["col.role", "col.name", "col.quote"],
      s.officials.map((o) => [o.role, o.name, o.quote])));
  }
  if (s.key_figures.length) {
    out.append(el("h3", {}, t("sum.figures")), table(
      ["col.indicator", "col.value", "col.unit", "col.year", "col.type", "col.qualifier", "col.quote"],
      s.key_figures.map((f) => [f.indicator, f.value, f.unit, f.year || "", t("type." + f.type), f.qualifier, f.quote])));
  }
  if (s.priorities.length) {
    out.append(el("h3", {}, t("sum.priorities")), el("ul", { class: "priorities" }, s.priorities.map((p) =>
      el("li", {}, el("span", {}, p.text), el("blockquote", {}, p.quote)))));
  }
}

function figureQuery(extra) {
  const ind = $("#fig-indicator").value.trim(), place = $("#fig-place").value;
  return Object.assign({ indicator: ind || null, place: place || null, engine: "auto" }, extra || {});
}

async function loadFigures() {
  const rows = await api("/api/figures", { json: figureQuery() });
  const out = clear($("#fig-out"));
  out.append(el("p", { class: "muted" }, t("fig.count", { n: rows.length })), table(
    ["col.place", "col.date", "col.indicator", "col.value", "col.unit", "col.year", "col.type", "col.quote"],
    rows.map((r) => [r.place, r.date, r.indicator, r.value, r.unit, r.year || "", t("type." + r.type), r.quote])));
}

// ---- evaluation ------------------------------------------------------------------------------------------------

async function enterEval() {
  const sel = $("#eval-suite");
  if (sel.options.length) return;
  const suites = await api("/api/eval/suites");
  sel.append(...suites.map((s) => el("option", { value: s }, s)));
  if (suites.includes("seeds.jsonl")) sel.value = "seeds.jsonl";
}

async function runEval(ev) {
  ev.preventDefault();
  hideError();
  const bar = $("#eval-progress"), status = $("#eval-status");
  bar.hidden = false;
  bar.removeAttribute("value");
  try {
    const job = await api("/api/eval", { json: { suite: $("#eval-suite").value, filter: $("#eval-filter").value.trim() || null } });
    const done = await poll(job.id, (j) => {
      if (j.total) { bar.max = j.total; bar.value = j.done; }
      status.textContent = t("eval.running", { done: j.done, total: j.total || "?" });
    });
    state.lastEval = { job: done.id, run: done.result };
    status.textContent = t("eval.done", { s: done.seconds });
    renderEval(state.lastEval);
  } catch (e) { showError(e); status.textContent = ""; }
  bar.hidden = true;
}

const pct = (v) => (v === null || v === undefined ? "—" : (100 * v).toFixed(1) + "%");
const num = (v, d) => (v === null || v === undefined ? "—" : Number(v).toFixed(d));

function renderEval({ job, run }) {
  const out = clear($("#eval-out"));
  const groups = [["all", run.metrics], ...Object.entries(run.per_kind).map(([k, m]) => ["kind: " + k, m])];
  out.append(el("h2", {}, run.suite + " · " + run.engine + " · " + run.embedder),
    el("button", { type: "button", class: "secondary", onclick: () => download("/api/eval/" + job + "/report.html", {}, "eval-report.html").catch(showError) },
      t("eval.report")),
    el("div", { class: "table-wrap" }, el("table", { class: "grid", id: "eval-metrics" },
      el("thead", {}, el("tr", {}, ["eval.group", "eval.cases", "eval.pass", "eval.answer", "eval.abstain", "eval.conflict",
        "eval.hit5", "eval.mrr", "eval.cite", "eval.p50"].map((k) => el("th", {}, t(k))))),
      el("tbody", {}, groups.map(([name, m]) => el("tr", {}, el("td", {}, name), el("td", { class: "num" }, m.cases),
        ...[m.pass_rate, m.answer_accuracy, m.abstention_accuracy, m.conflict_detection, m.hit_at_5].map((v) => el("td", { class: "num" }, pct(v))),
        el("td", { class: "num" }, num(m.mrr, 3)), el("td", { class: "num" }, pct(m.citation_validity)),
        el("td", { class: "num" }, num(m.latency_p50, 3))))))));
  const failing = run.cases.filter((c) => c.passed === false);
  out.append(el("h3", {}, t("eval.failing")));
  if (!failing.length) out.append(el("p", { class: "muted" }, t("eval.none_failing")));
  else out.append(table(["eval.group", "ask.label", "eval.expected", "eval.got"],
    failing.map((c) => [c.id + " (" + c.kind + ")", c.question, c.expected || (c.must_include || []).join("、"), c.got || c.status])));
}

// ---- start ----------------------------------------------------------------------------------------------------

function start() {
  applyLang();
  $("#lang").addEventListener("click", () => {
    state.lang = state.lang === "zh" ? "en" : "zh";
    localStorage.setItem("ragtool.lang", state.lang);
    applyLang();
    rerender();
  });
  $("#ask-form").addEventListener("submit", (e) => { e.preventDefault(); const q = $("#q").value.trim(); if (q) ask(q); });
  $("#compare-form").addEventListener("submit", runCompare);
  $("#compare-csv").addEventListener("click", () => {
    if (state.compareBody) download("/api/compare", { json: Object.assign({}, state.compareBody, { format: "csv" }) }, "compare.csv").catch(showError);
  });
  $("#upload-form").addEventListener("submit", upload);
  $("#doc-search").addEventListener("input", renderDocs);
  for (const b of document.querySelectorAll("#doc-table [data-sort]")) {
    b.addEventListener("click", () => {
      const key = b.dataset.sort;
      state.sort = { key, desc: state.sort.key === key ? !state.sort.desc : false };
      renderDocs();
    });
  }
  $("#sum-doc").addEventListener("change", () => loadSummary().catch(showError));
  let timer = null;
  $("#fig-indicator").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(() => loadFigures().catch(showError), 250); });
  $("#fig-place").addEventListener("change", () => loadFigures().catch(showError));
  $("#fig-csv").addEventListener("click", () => download("/api/figures", { json: figureQuery({ format: "csv" }) }, "key_figures.csv").catch(showError));
  $("#eval-form").addEventListener("submit", runEval);
  window.addEventListener("hashchange", route);
  const q = new URLSearchParams(location.search).get("q");
  loadDocs().catch(showError).then(() => {
    route();
    if (q) ask(q, false);
  });
}

document.addEventListener("DOMContentLoaded", start);
