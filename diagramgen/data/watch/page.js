// The watch page: follows the server's event stream and shows one spec, or the index of a
// folder. Text from specs is only ever set as textContent; the SVG comes from diagramgen.
"use strict";

const $ = (id) => document.getElementById(id);
const views = new Map();
const fetching = new Set();
let index = null;
let session = null;
let shown = { id: null, svg: null };

function shownId() {
  const hash = decodeURIComponent(location.hash.slice(1));
  if (hash) return hash;
  if (index && !index.folder && index.specs.length) return index.specs[0].id;
  return null;
}

function fetchView(id) {
  if (fetching.has(id)) return;
  fetching.add(id);
  fetch("/spec/" + encodeURIComponent(id), { cache: "no-store" })
    .then((answer) => (answer.ok ? answer.json() : null))
    .then((view) => { if (view) accept(view, true); })
    .catch(() => {})
    .finally(() => fetching.delete(id));
}

function accept(view, fetched) {
  const known = views.get(view.id);
  if (fetched && known && known.version >= view.version) return;
  views.set(view.id, view);
  if (view.id === shownId()) show();
}

function icon(status) {
  const colour = { ok: "%2316a34a", invalid: "%23dc2626", missing: "%23dc2626" }[status];
  $("icon").href = colour
    ? `data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><circle cx='8' cy='8' r='7' fill='${colour}'/></svg>`
    : "/favicon.svg";
}

function item(parent, tag, text, className) {
  const element = document.createElement(tag);
  if (text !== undefined) element.textContent = text;
  if (className) element.className = className;
  parent.append(element);
  return element;
}

function showIndex() {
  $("view").hidden = true;
  $("index").hidden = false;
  $("home").hidden = true;
  $("where").textContent = "";
  document.title = "diagramgen watch";
  icon(index && index.specs.some((s) => s.status !== "ok") ? "invalid" : "ok");
  const list = $("specs");
  list.replaceChildren();
  const specs = index ? index.specs : [];
  $("empty").hidden = specs.length > 0;
  for (const spec of specs) {
    const link = item(item(list, "li"), "a", undefined, spec.status);
    link.href = "#" + encodeURIComponent(spec.id);
    item(link, "strong", spec.title || spec.id);
    item(link, "span", spec.name, "file");
    const state = {
      ok: spec.counts + (spec.warnings ? ` · ${spec.warnings} warning${spec.warnings > 1 ? "s" : ""}` : ""),
      invalid: "has errors",
      missing: "file is gone",
      pending: "rendering…",
    }[spec.status];
    item(link, "span", state, "state");
  }
}

function show() {
  if (!index) return;
  $("problem").hidden = !index.problem;
  $("problem").textContent = index.problem;
  const id = shownId();
  if (id === null) {
    shown = { id: null, svg: null };
    showIndex();
    return;
  }
  $("index").hidden = true;
  $("view").hidden = false;
  $("home").hidden = !index.folder;
  const view = views.get(id);
  if (!view) {
    $("title").textContent = index.specs.some((s) => s.id === id) ? "Loading…" : `No spec ${id} here`;
    return;
  }
  const top = window.scrollY;
  if (shown.id !== id) shown = { id, svg: null };
  $("where").textContent = view.file;
  $("title").textContent = view.title;
  $("counts").textContent = view.counts
    ? view.counts + (view.milliseconds ? ` · drawn in ${view.milliseconds} ms` : "")
    : "";
  const errors = $("error-list");
  errors.replaceChildren();
  for (const line of view.errors) item(errors, "li", line);
  $("errors").hidden = view.errors.length === 0;
  $("errors-heading").textContent = view.status === "missing"
    ? "The spec file is gone"
    : `${view.errors.length} error${view.errors.length === 1 ? "" : "s"}` +
      (view.svg ? ": the picture below is the last good one" : "");
  const picture = $("picture");
  if (view.svg !== shown.svg) {
    if (view.svg) {
      picture.innerHTML = view.svg;
    } else {
      picture.replaceChildren();
      item(picture, "p", "No picture yet: the spec has not been valid since the page opened.", "none");
    }
    shown.svg = view.svg;
  }
  picture.classList.toggle("stale", view.stale);
  $("totals").textContent = view.totals;
  $("totals-box").hidden = !view.totals;
  const warnings = $("warnings");
  warnings.replaceChildren();
  const serious = view.warnings.filter((w) => w.severity !== "info");
  const info = view.warnings.filter((w) => w.severity === "info");
  const entry = (parent, warning) => {
    const line = item(parent, "li", undefined, warning.severity);
    item(line, "code", warning.code);
    line.append(" ");
    item(line, "span", warning.pointer, "pointer");
    item(line, "div", warning.message);
  };
  for (const warning of serious) entry(warnings, warning);
  if (info.length) {
    const more = item(item(warnings, "li", undefined, "info"), "details");
    item(more, "summary", `${info.length} figure${info.length === 1 ? "" : "s"} not given: totals marked ≥`);
    const list = item(more, "ul");
    for (const warning of info) entry(list, warning);
  }
  if (view.totals && view.warnings.length === 0) item(warnings, "li", "No warnings", "none");
  $("warnings-heading").textContent = `Warnings (${serious.length})`;
  $("warnings-box").hidden = !view.totals;
  $("view").dataset.version = String(view.version);
  $("view").dataset.status = view.status;
  document.title = (view.status === "ok" ? "" : "✗ ") + view.title + " · diagramgen watch";
  icon(view.status);
  window.scrollTo(window.scrollX, top);
}

function connect() {
  const events = new EventSource("/events");
  events.onopen = () => {
    $("link").textContent = "live";
    $("link").className = "";
  };
  events.onerror = () => {
    $("link").textContent = "reconnecting…";
    $("link").className = "connecting";
  };
  events.addEventListener("index", (message) => {
    const data = JSON.parse(message.data);
    if (data.session !== session) {
      views.clear();
      session = data.session;
      shown = { id: null, svg: null };
    }
    index = data;
    const id = shownId();
    const entry = index.specs.find((s) => s.id === id);
    const view = views.get(id);
    if (entry && entry.status !== "pending" && (!view || view.version < entry.version)) fetchView(id);
    show();
  });
  events.addEventListener("spec", (message) => accept(JSON.parse(message.data), false));
}

window.addEventListener("hashchange", () => {
  window.scrollTo(0, 0);
  show();
  const id = shownId();
  if (id !== null && !views.has(id)) fetchView(id);
});
connect();
