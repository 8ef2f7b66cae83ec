// The API reference, rendered offline from /api/openapi.json (text only, no HTML from the schema).
"use strict";

function el(tag, cls, ...children) {
  const n = document.createElement(tag);
  if (cls) n.className = cls;
  for (const c of children.flat()) if (c !== null && c !== undefined) n.append(c instanceof Node ? c : String(c));
  return n;
}

function ref(schema) {
  if (!schema) return "";
  if (schema.$ref) return schema.$ref.split("/").pop();
  if (schema.type === "array") return ref(schema.items) + "[]";
  if (schema.anyOf) return schema.anyOf.map(ref).join(" | ");
  return schema.type || "object";
}

function body(op) {
  const content = (op.requestBody && op.requestBody.content) || {};
  return Object.entries(content).map(([kind, c]) => kind + ": " + ref(c.schema));
}

function responses(op) {
  return Object.entries(op.responses || {}).map(([code, r]) => {
    const content = r.content || {};
    const kinds = Object.entries(content).map(([k, c]) => k + " " + ref(c.schema)).join(", ");
    return code + " " + (r.description || "") + (kinds ? " — " + kinds : "");
  });
}

function render(spec) {
  document.getElementById("api-title").textContent = spec.info.title + " " + spec.info.version;
  document.getElementById("api-desc").textContent = spec.info.description || "";
  const box = document.getElementById("api-paths");
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = (op.parameters || []).map((p) => p.name + " (" + p.in + ", " + ref(p.schema) + (p.required ? ", required" : "") + ")");
      box.append(el("section", "candidate",
        el("h3", null, el("code", null, method.toUpperCase() + " " + path)),
        el("p", null, op.summary || ""),
        op.description ? el("p", "muted", op.description) : null,
        params.length ? el("p", null, "Parameters: " + params.join("; ")) : null,
        body(op).length ? el("p", null, "Body: " + body(op).join("; ")) : null,
        el("ul", "small", responses(op).map((r) => el("li", null, r)))));
    }
  }
  const schemas = document.getElementById("api-schemas");
  for (const [name, s] of Object.entries((spec.components || {}).schemas || {})) {
    const props = Object.entries(s.properties || {}).map(([k, v]) => k + ": " + ref(v));
    schemas.append(el("details", null, el("summary", null, name), el("p", "small", props.join(" · ") || s.type || "")));
  }
}

async function start() {
  const headers = {};
  const token = localStorage.getItem("ragtool.token");
  if (token) headers.Authorization = "Bearer " + token;
  try {
    const res = await fetch("/api/openapi.json", { headers });
    if (!res.ok) throw new Error(res.status + " " + res.statusText + " (open the app first to enter the token)");
    render(await res.json());
  } catch (e) {
    const box = document.getElementById("api-error");
    box.textContent = String(e.message || e);
    box.hidden = false;
  }
}

document.addEventListener("DOMContentLoaded", start);
