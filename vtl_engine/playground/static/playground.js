// vtl playground: the page. Plain JavaScript, no build step: it talks to the server's /api/
// (with the token the command printed), keeps its whole state in the URL fragment, and renders
// as you type.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const TOKEN_KEY = "vtl-playground-token";
  const DEBOUNCE_MS = 250;
  const query = new URLSearchParams(location.search);
  let token = query.get("token") || localStorage.getItem(TOKEN_KEY) || "";
  const channel = Math.random().toString(36).slice(2);   // this page's renders supersede each other

  ace.config.set("basePath", "/static/vendor/ace");
  const Range = ace.require("ace/range").Range;
  const THEME = "ace/theme/tomorrow_night";
  // what a scratch template starts with, when the playground was given no file
  const STARTER = [
    "## A request template: edit it, and the result on the right follows as you type.",
    "#set($body = $input.path('$'))",
    "{",
    "  \"name\": \"$util.escapeJavaScript($body.name).replaceAll(\"\\\\'\", \"'\")\",",
    "  \"items\": $input.json('$.items'),",
    "  \"requestId\": \"$context.requestId\"",
    "}",
    ""].join("\n");

  const state = {
    session: null,        // what /api/session said
    mode: "template",     // or "route"
    route: null,          // the route shown, "POST /orders"
    side: "request",      // the template tab shown
    sources: { request: "scratch:request", response: "scratch:response" },  // template mode
    variants: {},         // route mode: side -> template id shown
    sessions: new Map(),  // key -> Ace EditSession
    originals: new Map(), // key -> the text as the server gave it (files: as on disk)
    versions: new Map(),  // file key -> the version it was loaded or saved at
    answer: null,         // the last render's answer
    view: "result",
    pretty: { request: false, response: false },
    markers: [],
    pending: null, timer: null, started: 0,
  };

  // -- editors ----------------------------------------------------------------------------------

  const editor = ace.edit("editor", {
    theme: THEME, mode: "ace/mode/velocity", fontSize: 13, showPrintMargin: false,
    useWorker: false, tabSize: 2, useSoftTabs: true, scrollPastEnd: 0.3, wrap: true,
    indentedSoftWrap: false,
  });
  // the form's editors grow with their text, from minLines to maxLines
  const mini = (id, mode, minLines) => ace.edit(id, {
    theme: THEME, mode, fontSize: 12, showPrintMargin: false, useWorker: false,
    showGutter: false, highlightActiveLine: false, tabSize: 2, useSoftTabs: true, wrap: true,
    minLines, maxLines: 16,
  });
  const bodyEditor = mini("body-editor", "ace/mode/json", 6);
  const contextEditor = mini("context-editor", "ace/mode/json", 4);
  const backendEditor = mini("backend-body-editor", "ace/mode/json", 3);
  const pythonView = ace.edit("python-editor", {
    theme: THEME, mode: "ace/mode/python", readOnly: true, fontSize: 12,
    showPrintMargin: false, useWorker: false, highlightActiveLine: false,
  });

  function sessionFor(key, text) {
    let session = state.sessions.get(key);
    if (!session) {
      session = ace.createEditSession(text, "ace/mode/velocity");
      session.setOptions({ tabSize: 2, useSoftTabs: true, useWorker: false, wrap: true,
                           indentedSoftWrap: false });
      session.on("change", () => { showTemplateInfo(); changed(); });
      state.sessions.set(key, session);
    }
    return session;
  }

  const isFile = (key) => key.startsWith("file:");
  const fileOf = (key) => state.session.files[Number(key.slice(5))];
  const textOf = (key) => state.sessions.has(key) ? state.sessions.get(key).getValue() : "";
  const modified = (key) => state.sessions.has(key) && state.originals.has(key)
    && textOf(key) !== state.originals.get(key);

  // the key of the template shown on `side`
  function keyOn(side) {
    if (state.mode === "template") return state.sources[side];
    const id = state.variants[side];
    return id ? `route:${state.route}:${id}` : null;
  }

  // -- talking to the server --------------------------------------------------------------------

  async function api(path, body, signal) {
    const options = { headers: { "X-VTL-Token": token, "X-VTL-Channel": channel }, signal };
    if (body !== undefined) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, options);
    } catch (error) {
      if (error.name === "AbortError") throw error;
      throw Object.assign(new Error("the playground's server does not answer: is `vtl playground` still running?"), { offline: true });
    }
    let data;
    try {
      data = await response.json();
    } catch {
      throw new Error(`the server answered ${response.status} without JSON`);
    }
    if (!response.ok) {
      throw Object.assign(new Error(data.refused || data.error || `error ${response.status}`),
                          { status: response.status, data });
    }
    return data;
  }

  // -- the form ---------------------------------------------------------------------------------

  const FIELDS = { method: "method", resource_path: "resource-path", path: "path-params",
                   query: "query", headers: "headers", stage_variables: "stage-variables" };
  const BACKEND_FIELDS = { status: "backend-status", error_message: "backend-error",
                           headers: "backend-headers" };

  function readForm() {
    const request = {};
    for (const [name, id] of Object.entries(FIELDS)) request[name] = $(id).value;
    request.body = bodyEditor.getValue();
    request.context = contextEditor.getValue();
    const backend = {};
    for (const [name, id] of Object.entries(BACKEND_FIELDS)) backend[name] = $(id).value;
    backend.body = backendEditor.getValue();
    return { request, backend };
  }

  function fillForm(form) {
    for (const [name, id] of Object.entries(FIELDS)) {
      if (form.request && typeof form.request[name] === "string") $(id).value = form.request[name];
    }
    if (form.request && typeof form.request.body === "string") setQuietly(bodyEditor, form.request.body);
    if (form.request && typeof form.request.context === "string") setQuietly(contextEditor, form.request.context);
    for (const [name, id] of Object.entries(BACKEND_FIELDS)) {
      if (form.backend && form.backend[name] != null) $(id).value = form.backend[name];
    }
    if (form.backend && typeof form.backend.body === "string") setQuietly(backendEditor, form.backend.body);
  }

  function setQuietly(anEditor, text) {
    anEditor.session.setValue(text);
  }

  function job(extras = ["lint", "python", "coverage"]) {
    const form = readForm();
    const base = { dialect: $("dialect").value, request: form.request, backend: form.backend, extras };
    if (state.mode === "route") {
      const templates = {};
      for (const [key, session] of state.sessions) {
        const prefix = `route:${state.route}:`;
        if (key.startsWith(prefix) && modified(key)) templates[key.slice(prefix.length)] = session.getValue();
      }
      return { ...base, route: state.route, templates };
    }
    const requestKey = state.sources.request;
    return { ...base, file: isFile(requestKey) ? Number(requestKey.slice(5)) : null,
             templates: { request: textOf(requestKey), response: textOf(state.sources.response) } };
  }

  // -- rendering as you type --------------------------------------------------------------------

  function changed() {
    saveFragmentSoon();
    clearTimeout(state.timer);
    state.timer = setTimeout(render, DEBOUNCE_MS);
  }

  async function render() {
    clearTimeout(state.timer);
    if (!state.session) return;
    if (state.pending) state.pending.abort();
    const controller = new AbortController();
    state.pending = controller;
    state.started = performance.now();
    const slow = setTimeout(() => setStatus("busy", "rendering…"), 150);
    try {
      const answer = await api("/api/render", job(), controller.signal);
      if (answer.superseded) return;
      state.answer = answer;
      const roundTrip = performance.now() - state.started;
      showAnswer(answer, roundTrip);
      hideBanner("request");
    } catch (error) {
      if (error.name === "AbortError") return;
      setStatus("fail", "not rendered");
      showBanner(error.message, "request");
    } finally {
      clearTimeout(slow);
      if (state.pending === controller) state.pending = null;
    }
  }

  function setStatus(kind, text) {
    const status = $("status");
    status.className = `status ${kind}`;
    status.textContent = text;
  }

  // -- showing a render -------------------------------------------------------------------------

  function showAnswer(answer, roundTrip) {
    if (answer.form_error) {
      setStatus("fail", "fix the form");
      showBanner(`${label(answer.form_error.field)}: ${answer.form_error.message}`, "form");
      return;
    }
    hideBanner("form");
    if (answer.failure) {
      setStatus("fail", "render stopped");
      showBanner(answer.failure, "failure");
    } else {
      hideBanner("failure");
    }
    const timing = answer.timing || {};
    const renderMs = timing.render_ms || 0;
    if (!answer.failure) {
      const what = !answer.error ? `rendered in ${renderMs.toFixed(2)} ms`
        : answer.error.kind === "VtlSyntaxError" ? "syntax error" : `failed after ${renderMs.toFixed(2)} ms`;
      setStatus(answer.error ? "fail" : "ok", `${what} · ${Math.round(roundTrip)} ms round trip`);
    }
    markEditors(answer);
    showResult(answer);
    showLog(answer);
    showPython(answer);
    showCoverage(answer);
  }

  function label(field) {
    return { "request": "the request", "body": "Request body", "context": "$context",
             "headers": "Headers", "query": "Query string", "path": "Path parameters",
             "stage_variables": "Stage variables", "method": "Method",
             "resource_path": "Resource path", "backend.status": "Backend status",
             "backend.headers": "Backend headers", "backend.body": "Backend body",
             "route": "Route", "templates": "Templates" }[field] || field;
  }

  // the session key of a template id in the answer
  function keyOfId(id) {
    if (id == null) return null;
    if (state.mode === "route") return `route:${state.route}:${id}`;
    return state.sources[id] || null;
  }

  function problemsOf(answer, key) {
    const found = [];
    for (const [id, entry] of Object.entries(answer.templates || {})) {
      if (keyOfId(id) !== key) continue;
      if (entry.syntax_error) found.push({ ...entry.syntax_error, type: "error", code: "error" });
      for (const w of entry.lint || []) found.push({ ...w, type: "warning" });
    }
    const error = answer.error;
    if (error && keyOfId(error.template) === key && !found.some((p) => p.type === "error")) {
      found.push({ ...error, type: "error", code: error.limit ? "limit" : "error" });
    }
    return found.sort((a, b) => (a.line || 0) - (b.line || 0));
  }

  function markEditors(answer) {
    for (const { session, id } of state.markers) session.removeMarker(id);
    state.markers = [];
    for (const [key, session] of state.sessions) {
      const problems = problemsOf(answer, key);
      session.setAnnotations(problems.filter((p) => p.line).map((p) => ({
        row: p.line - 1, column: (p.column || 1) - 1, type: p.type,
        text: p.type === "error" ? p.message : `${p.code} ${p.message}`,
      })));
      for (const p of problems.filter((q) => q.type === "error" && q.line)) {
        const row = p.line - 1, column = (p.column || 1) - 1;
        state.markers.push({ session, id: session.addMarker(new Range(row, 0, row, 1), "error-line", "fullLine") });
        state.markers.push({ session, id: session.addMarker(new Range(row, column, row, column + 1), "error-column", "text") });
      }
    }
    showProblems();
    showTabCounts();
  }

  function showProblems() {
    const box = $("problems");
    box.textContent = "";
    if (!state.answer) return;
    const key = keyOn(state.side);
    for (const p of problemsOf(state.answer, key)) {
      const row = el("div", `problem ${p.type}`);
      row.append(el("span", "where", p.line ? `${p.line}:${p.column || 1}` : ""),
                 el("span", "code", p.type === "error" ? (p.limit ? "limit" : "error") : p.code),
                 el("span", "message", p.message));
      row.title = "Go to the line";
      row.addEventListener("click", () => goTo(p.line, p.column));
      box.append(row);
    }
  }

  function showTabCounts() {
    for (const button of document.querySelectorAll("#template-tabs button")) {
      const side = button.dataset.side;
      const problems = state.answer ? problemsOf(state.answer, keyOn(side)) : [];
      button.querySelector(".count")?.remove();
      if (problems.length) {
        const errors = problems.some((p) => p.type === "error");
        button.append(el("span", `count ${errors ? "err" : "warn"}`, String(problems.length)));
      }
    }
  }

  function goTo(line, column) {
    if (!line) return;
    editor.gotoLine(line, (column || 1) - 1, true);
    editor.focus();
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function section(title, meta, ...content) {
    const box = el("div", "section");
    const head = el("div", "section-head");
    head.append(el("h3", "", title));
    if (meta) for (const m of [].concat(meta)) head.append(m);
    box.append(head, ...content);
    return box;
  }

  function badge(text, kind) { return el("span", `badge ${kind || ""}`, text); }

  function jsonInfo(text) {
    try {
      return { value: JSON.parse(text) };
    } catch (error) {
      return { error: error.message };
    }
  }

  function bodySection(title, text, which) {
    const info = text.trim() === "" ? { empty: true } : jsonInfo(text);
    const bytes = new TextEncoder().encode(text).length;
    const meta = [el("span", "meta", `${bytes} bytes`)];
    meta.push(info.empty ? badge("empty") : info.error ? badge("not JSON", "notjson") : badge("JSON", "json"));
    if (info.error) meta[1].title = info.error;
    meta.push(el("span", "spacer"));
    if (!info.empty && !info.error) {
      const toggle = el("span", "toggle");
      for (const [name, pretty] of [["raw", false], ["pretty", true]]) {
        const button = el("button", state.pretty[which] === pretty ? "on" : "", name);
        button.title = pretty ? "Indented (parsed by the browser: numbers as JavaScript prints them)" : "The exact bytes";
        button.addEventListener("click", () => { state.pretty[which] = pretty; showResult(state.answer); });
        toggle.append(button);
      }
      meta.push(toggle);
    }
    const shown = state.pretty[which] && info.value !== undefined ? JSON.stringify(info.value, null, 2) : text;
    const pre = el("pre", `body${info.empty ? " empty" : ""}`, info.empty ? "(empty body)" : shown);
    pre.dataset.body = which;
    return section(title, meta, pre);
  }

  function mapTable(map) {
    const entries = Object.entries(map || {});
    if (!entries.length) return null;
    const table = el("table", "kv");
    for (const [k, v] of entries) {
      const row = el("tr");
      row.append(el("td", "", k), el("td", "", String(v)));
      table.append(row);
    }
    return table;
  }

  function mapsSection(title, maps) {
    const tables = maps.map(([name, map]) => [name, mapTable(map)]).filter(([, t]) => t);
    if (!tables.length) return null;
    const box = el("div");
    for (const [name, table] of tables) {
      box.append(el("div", "muted", name), table);
    }
    return section(title, null, box);
  }

  function templateName(id) {
    if (id == null) return "the template";
    if (state.mode === "template") return `the ${id} template`;
    const [side, ...rest] = id.split(" ");
    if (side === "request") return `the request template (${rest.join(" ")})`;
    return `the response template (integration response ${rest[0]}, ${rest.slice(1).join(" ")})`;
  }

  function showResult(answer) {
    const view = $("view-result");
    view.textContent = "";
    if (!answer || answer.form_error) {
      view.append(el("p", "muted", answer ? "Fix the form to render." : "Rendering…"));
      return;
    }
    if (answer.failure) {
      const box = el("div", "error-box");
      box.append(el("div", "title", "The render was stopped"), el("div", "", answer.failure));
      view.append(box);
      return;
    }
    if (answer.error) view.append(errorBox(answer.error));
    if (answer.gateway) {
      const box = el("div", "gateway-box");
      box.append(el("div", "title", `API Gateway answers ${answer.gateway.status} by itself`),
                 el("div", "muted", answer.gateway.reason));
      const pre = el("pre", "body", answer.gateway.body);
      pre.dataset.body = "gateway";
      box.append(pre);
      view.append(box);
    }
    const sent = answer.request_side;
    if (sent) {
      view.append(bodySection(state.mode === "route" ? "Endpoint request body (what the backend receives)"
                                                      : "Output (what the backend receives)", sent.body, "request"));
      const maps = mapsSection(state.mode === "route" ? "Endpoint request" : "Request overrides",
                               [["headers", sent.headers], ["query string", sent.querystring], ["path", sent.path]]);
      if (maps) view.append(maps);
      if (sent.status_override != null || Object.keys(sent.response_headers || {}).length) {
        const box = el("div");
        if (sent.status_override != null) box.append(el("div", "", `status override: ${sent.status_override}`));
        const table = mapTable(sent.response_headers);
        if (table) box.append(el("div", "muted", "response headers"), table);
        view.append(section("Response overrides", null, box));
      }
    }
    const response = answer.response;
    if (response && state.mode === "template" && !response.template) {
      view.append(section("Method response", [badge(String(response.status), `s${String(response.status)[0]}`),
        el("span", "meta", "the backend's body passes through: write a response template to shape it")]));
    } else if (response) {
      const status = badge(String(response.status), `s${String(response.status)[0]}`);
      view.append(section("Method response (what the client receives)", [status,
        el("span", "meta", response.template ? `from ${templateName(response.template)}` : "no response template: the backend's body")]));
      const headers = mapTable(response.headers);
      if (headers) view.append(section("Headers", null, headers));
      view.append(bodySection("Body", response.body, "response"));
    }
    if (state.mode === "route") view.append(integrationSection(routeInfo()));
  }

  // what the route's integration is made of, as the definition says
  function integrationSection(route) {
    const box = el("div");
    const facts = { type: route.type, uri: route.uri || "none", passthroughBehavior: route.passthrough };
    box.append(mapTable(facts));
    const mappings = mapTable(route.request_parameters);
    if (mappings) box.append(el("div", "muted", "request parameter mappings"), mappings);
    const responses = el("table", "kv");
    for (const r of route.responses) {
      const row = el("tr");
      const mapped = Object.entries(r.parameters || {}).map(([k, v]) => `${k} = ${v}`).join("\n");
      row.append(el("td", "", r.pattern ? `/${r.pattern}/` : "default"),
                 el("td", "", `${r.status}${r.templates.length ? ` · ${r.templates.map((t) => t.media_type).join(", ")}` : ""}${mapped ? `\n${mapped}` : ""}`));
      responses.append(row);
    }
    if (route.responses.length) box.append(el("div", "muted", "integration responses (selection pattern → status)"), responses);
    return section(`Integration of ${route.route}`, el("span", "meta", state.session.api.name), box);
  }

  function errorBox(error) {
    const box = el("div", "error-box");
    const kind = error.kind === "VtlSyntaxError" ? "Syntax error" : error.limit ? "Limit exceeded" : "Template error";
    box.append(el("div", "title", `${kind} in ${templateName(error.template)}`), el("div", "", error.message));
    if (error.line) {
      const link = el("a", "", `line ${error.line}, column ${error.column}`);
      link.addEventListener("click", () => showTemplate(error.template, error.line, error.column));
      const where = el("div", "muted");
      where.append("at ", link);
      box.append(where);
    }
    if (error.snippet) box.append(el("pre", "snippet", error.snippet));
    return box;
  }

  function showTemplate(id, line, column) {
    const key = keyOfId(id);
    if (!key) return;
    const side = id.startsWith("response") ? "response" : "request";
    if (state.mode === "route") state.variants[side] = id;
    selectSide(side);
    goTo(line, column);
  }

  // the execution log, as TestInvokeMethod writes it: "<time> : <what>: <value>"
  function showLog(answer) {
    const pre = $("log");
    pre.textContent = "";
    if (!answer.log) { pre.textContent = "(nothing ran)"; return; }
    for (const line of answer.log.split("\n")) {
      const found = /^(.*? UTC \d{4} : )([^:]*:(?= |$))?(.*)$/.exec(line);
      if (!found) { pre.append(`${line}\n`); continue; }
      pre.append(el("span", "stamp", found[1]));
      if (found[2]) pre.append(el("span", "label", found[2]));
      pre.append(`${found[3]}\n`);
    }
  }

  function currentId() {
    if (state.mode === "route") return state.variants[state.side];
    return state.side;
  }

  function showPython(answer) {
    const entry = (answer.templates || {})[currentId()] || {};
    $("python-info").textContent = entry.python ? `the Python ${templateName(currentId())} compiles to`
      : entry.syntax_error ? "the template does not parse" : "no template";
    pythonView.session.setValue(entry.python || "");
  }

  function showCoverage(answer) {
    const view = $("view-coverage");
    view.textContent = "";
    const id = currentId();
    const entry = (answer.templates || {})[id] || {};
    const coverage = entry.coverage;
    if (!coverage) {
      view.append(el("p", "muted", answer.error ? "No coverage: the render failed." : "No coverage for this template."));
      return;
    }
    const head = el("div", "coverage-head");
    head.append(el("span", "percent", `${coverage.percent}%`),
                el("span", "muted", `of the lines and branches of ${templateName(id)} ran in the last render`));
    const legend = el("div", "legend");
    for (const [name, colour] of [["covered", "var(--green)"], ["partial", "var(--yellow)"], ["missed", "var(--red)"]]) {
      const item = el("span");
      const swatch = el("i");
      swatch.style.background = colour;
      item.append(swatch, name);
      legend.append(item);
    }
    const pre = el("pre", "coverage");
    const lines = textOf(keyOfId(id)).split("\n");
    if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
    lines.forEach((text, i) => {
      const number = String(i + 1);
      const line = el("span", `line ${coverage.lines[number] || ""}`);
      line.append(el("span", "number", number), text);
      if (coverage.notes[number]) line.title = coverage.notes[number].join("; ");
      pre.append(line);
    });
    view.append(head, legend, pre);
  }

  // -- the templates' tabs ----------------------------------------------------------------------

  function selectSide(side) {
    state.side = side;
    for (const button of document.querySelectorAll("#template-tabs button")) {
      button.classList.toggle("active", button.dataset.side === side);
    }
    const key = keyOn(side);
    if (key) {
      editor.setSession(sessionFor(key, ""));
      editor.setReadOnly(false);
    } else {
      editor.setSession(ace.createEditSession("", "ace/mode/velocity"));
      editor.setReadOnly(true);
    }
    showVariants();
    showTemplateInfo();
    showProblems();
    if (state.answer) { showPython(state.answer); showCoverage(state.answer); }
    saveFragmentSoon();
  }

  function showVariants() {
    const select = $("variant-select");
    select.textContent = "";
    if (state.mode === "template") {
      const none = el("option", "", state.side === "request" ? "scratch (not saved)" : "scratch: no file");
      none.value = `scratch:${state.side}`;
      select.append(none);
      state.session.files.forEach((file, i) => {
        const option = el("option", "", file.name);
        option.value = `file:${i}`;
        select.append(option);
      });
      select.value = state.sources[state.side];
      select.hidden = false;
      return;
    }
    const route = routeInfo();
    const options = state.side === "request"
      ? (route.request_templates || []).map((t) => [t.id, t.media_type])
      : (route.responses || []).flatMap((r) => r.templates.map((t) =>
          [t.id, `${r.status} ${r.pattern ? `/${r.pattern}/` : "default"} · ${t.media_type}`]));
    for (const [id, text] of options) {
      const option = el("option", "", text);
      option.value = id;
      select.append(option);
    }
    select.hidden = options.length === 0;
    if (state.variants[state.side]) select.value = state.variants[state.side];
  }

  function showTemplateInfo() {
    const info = $("template-info");
    info.textContent = "";
    const key = keyOn(state.side);
    if (state.mode === "route") {
      $("save").disabled = true;
      $("save").title = "The templates of an API definition stay in its file: copy them there";
      const route = routeInfo();
      if (!key) {
        info.append(el("span", "", state.side === "request"
          ? (route.type.endsWith("_PROXY") ? "a proxy integration takes no templates"
             : `no request template: the body passes through (passthroughBehavior ${route.passthrough})`)
          : "no response template for this route: the backend's body passes through"));
        return;
      }
      const template = allTemplates(route).find((t) => t.id === state.variants[state.side]);
      const where = template && template.at ? `${state.session.api.name}, line ${template.at[0]}` : state.session.api.name;
      info.append(el("span", "", `in ${where}`));
      if (modified(key)) info.append(el("span", "modified", "● changed here (the file is not changed)"));
      return;
    }
    if (isFile(key)) {
      const file = fileOf(key);
      info.append(el("span", "", file.name));
      if (state.versions.get(key) === "absent") info.append(el("span", "muted", "new file"));
      if (modified(key)) info.append(el("span", "modified", "● unsaved"));
    } else {
      info.append(el("span", "", state.side === "request" ? "a scratch template (no file)"
        : "optional: runs over the backend's answer, as a default integration response"));
    }
    $("save").disabled = !(isFile(key) && (modified(key) || state.versions.get(key) === "absent"));
  }

  function routeInfo() {
    return state.session.api.routes.find((r) => r.route === state.route);
  }

  function allTemplates(route) {
    return [...(route.request_templates || []), ...(route.responses || []).flatMap((r) => r.templates)];
  }

  // -- routes -----------------------------------------------------------------------------------

  function selectRoute(route, fromFragment) {
    state.route = route;
    const info = routeInfo();
    $("route-select").value = route;
    if (info.error) {
      showBanner(`${route}: ${info.error}`, "route");
      return;
    }
    hideBanner("route");
    for (const t of allTemplates(info)) {
      const key = `route:${route}:${t.id}`;
      if (!state.originals.has(key)) state.originals.set(key, t.text);
      sessionFor(key, t.text);
    }
    if (!fromFragment) {
      state.variants = {
        request: (info.request_templates.find((t) => t.media_type.toLowerCase() === "application/json")
                  || info.request_templates[0] || {}).id,
        response: ((info.responses.find((r) => !r.pattern) || info.responses[0] || { templates: [] })
                   .templates[0] || {}).id,
      };
      $("method").value = info.method === "ANY" ? "GET" : info.method;
      $("resource-path").value = info.path;
      const names = [...info.path.matchAll(/\{([^{}+]+)\+?\}/g)].map((m) => m[1]);
      $("path-params").value = names.map((n) => `${n}=`).join("\n");
    }
    $("method").disabled = info.method !== "ANY";
    $("resource-path").disabled = true;
    $("route-info").textContent = `${info.type}${info.lambda ? " (Lambda)" : ""}`;
    const mock = info.type === "MOCK";
    $("backend-fields").hidden = mock;
    $("error-message-label").hidden = !info.lambda;
    $("backend-note").textContent = mock ? "A MOCK integration answers by itself: the statusCode the request template writes picks the integration response."
      : info.lambda ? "A Lambda function's errorMessage picks the integration response (selectionPattern)."
      : "The backend's status picks the integration response (selectionPattern).";
    selectSide(state.side);
  }

  // -- saving, exporting, sharing ---------------------------------------------------------------

  async function save(force) {
    const key = keyOn(state.side);
    if (state.mode !== "template" || !isFile(key)) {
      showBanner(state.mode === "route" ? "The templates of an API definition are saved in the definition file: copy them there (the playground writes only template files)."
        : "This is a scratch template: start `vtl playground FILE.vtl` to edit a file.", "save", "info");
      return;
    }
    const file = fileOf(key);
    const text = textOf(key);
    try {
      const answer = await api("/api/save", { file: file.id, text, version: force || state.versions.get(key) });
      state.versions.set(key, answer.version);
      state.originals.set(key, text);
      showTemplateInfo();
      saveFragmentSoon();
      setStatus("ok", `saved ${file.name}`);
      hideBanner("save");
    } catch (error) {
      if (error.status === 409 && error.data && error.data.version) {
        showBanner(error.message, "save", "error", [
          ["Reload from disk", () => reloadFile(key)],
          ["Overwrite", () => save(error.data.version)]]);
      } else {
        showBanner(`Not saved: ${error.message}`, "save");
      }
    }
  }

  async function reloadFile(key) {
    const file = fileOf(key);
    const answer = await api(`/api/file/${file.id}`);
    const session = sessionFor(key, "");
    // an undoable replacement: Ctrl-Z brings back what was typed
    session.replace(new Range(0, 0, session.getLength(), 0), answer.text);
    if (session.getValue() !== answer.text) session.setValue(answer.text);
    state.originals.set(key, answer.text);
    state.versions.set(key, answer.version);
    hideBanner("save");
    showTemplateInfo();
  }

  let exported = null;

  async function openExport() {
    const dialog = $("export-dialog");
    const route = state.mode === "route";
    $("case-side-label").hidden = !route;
    $("export-result").textContent = "";
    $("export-yaml").textContent = "…";
    if (!route && !isFile(state.sources.request)) {
      showBanner("A test case names a template file: choose a file in the request template's list (or start `vtl playground FILE.vtl`).", "export", "info");
      return;
    }
    $("case-beside").textContent = route ? state.session.api.name : fileOf(state.sources.request).name;
    $("case-file").value = "";
    dialog.showModal();
    await previewExport(true);
  }

  function exportRequest(fileName) {
    return { job: job([]), side: $("case-side").value, name: $("case-name").value, file_name: fileName };
  }

  async function previewExport(suggestFile) {
    try {
      exported = await api("/api/export", exportRequest(null));
      if (suggestFile === true && !$("case-file").value) $("case-file").value = exported.file_name;
      $("export-yaml").textContent = exported.yaml;
      $("export-warnings").textContent = exported.warnings.join(" ");
    } catch (error) {
      exported = null;
      $("export-yaml").textContent = "";
      $("export-warnings").textContent = error.message;
    }
  }

  async function saveExport() {
    try {
      const answer = await api("/api/export", exportRequest($("case-file").value));
      $("export-result").textContent = `${answer.saved}: run it with  vtl test ${answer.path}`;
    } catch (error) {
      $("export-result").textContent = `Not saved: ${error.message}`;
    }
  }

  function download(name, text) {
    const link = el("a");
    link.href = URL.createObjectURL(new Blob([text], { type: "application/yaml" }));
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
  }

  async function copy(text, what) {
    try {
      await navigator.clipboard.writeText(text);
      setStatus("ok", `${what} copied`);
    } catch {
      window.prompt(`Copy the ${what}:`, text);
    }
  }

  // -- the URL fragment: the whole session, so a link (or a reload) reproduces it -------------

  function snapshot() {
    const texts = {};
    for (const [key] of state.sessions) {
      if (!state.originals.has(key) || modified(key)) texts[key] = textOf(key);
    }
    return { v: 1, dialect: $("dialect").value, mode: state.mode, route: state.route, side: state.side,
             sources: state.sources, variants: state.variants, texts, ...readForm() };
  }

  const toBase64 = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const fromBase64 = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

  async function streamed(bytes, stream) {
    return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer());
  }

  function chunkedBase64(bytes) {
    let text = "";
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  async function encodeState() {
    const bytes = new TextEncoder().encode(JSON.stringify(snapshot()));
    if (typeof CompressionStream === "function") {
      return `z=${chunkedBase64(await streamed(bytes, new CompressionStream("deflate-raw")))}`;
    }
    return `j=${chunkedBase64(bytes)}`;
  }

  async function decodeState(fragment) {
    const [kind, data] = [fragment.slice(0, 2), fragment.slice(2)];
    if (kind !== "z=" && kind !== "j=") return null;
    let bytes = fromBase64(data);
    if (kind === "z=") bytes = await streamed(bytes, new DecompressionStream("deflate-raw"));
    return JSON.parse(new TextDecoder().decode(bytes));
  }

  let fragmentTimer = null;
  function saveFragmentSoon() {
    clearTimeout(fragmentTimer);
    fragmentTimer = setTimeout(async () => {
      if (!state.session) return;
      history.replaceState(null, "", `${location.pathname}${location.search}#${await encodeState()}`);
    }, 400);
  }

  async function shareLink() {
    const link = `${location.origin}${location.pathname}#${await encodeState()}`;
    await copy(link, "link");
  }

  // -- messages ---------------------------------------------------------------------------------

  let bannerOwner = null;
  function showBanner(text, owner, kind = "error", actions = []) {
    bannerOwner = owner;
    $("banner").hidden = false;
    $("banner").className = `banner ${kind}`;
    $("banner-text").textContent = text;
    const box = $("banner-actions");
    box.textContent = "";
    for (const [name, action] of actions) {
      const button = el("button", "", name);
      button.addEventListener("click", action);
      box.append(button);
    }
  }

  function hideBanner(owner) {
    if (bannerOwner === owner) { $("banner").hidden = true; bannerOwner = null; }
  }

  // -- start ------------------------------------------------------------------------------------

  function wire() {
    for (const id of Object.values(FIELDS).concat(Object.values(BACKEND_FIELDS))) $(id).addEventListener("input", changed);
    $("method").addEventListener("change", changed);
    for (const e of [bodyEditor, contextEditor, backendEditor]) e.session.on("change", changed);
    $("dialect").addEventListener("change", changed);
    for (const button of document.querySelectorAll("#template-tabs button")) {
      button.addEventListener("click", () => selectSide(button.dataset.side));
    }
    for (const button of document.querySelectorAll("#result-tabs button")) {
      button.addEventListener("click", () => {
        state.view = button.dataset.view;
        for (const b of document.querySelectorAll("#result-tabs button")) b.classList.toggle("active", b === button);
        for (const view of ["result", "log", "python", "coverage"]) $(`view-${view}`).hidden = view !== state.view;
        if (state.view === "python") pythonView.resize();
      });
    }
    $("variant-select").addEventListener("change", (event) => {
      if (state.mode === "template") {
        const value = event.target.value;
        const file = value.startsWith("file:") ? fileOf(value) : null;
        if (file) sessionFor(value, file.text || "");
        state.sources[state.side] = value;
      } else {
        state.variants[state.side] = event.target.value;
      }
      selectSide(state.side);
      changed();
    });
    $("route-select").addEventListener("change", (event) => { selectRoute(event.target.value); changed(); });
    $("run").addEventListener("click", render);
    $("save").addEventListener("click", () => save());
    $("export").addEventListener("click", openExport);
    $("share").addEventListener("click", shareLink);
    $("banner-close").addEventListener("click", () => { $("banner").hidden = true; bannerOwner = null; });
    $("case-side").addEventListener("change", previewExport);
    $("case-name").addEventListener("change", previewExport);
    $("export-save").addEventListener("click", saveExport);
    $("export-copy").addEventListener("click", () => exported && copy(exported.yaml, "case"));
    $("export-download").addEventListener("click", () => exported && download($("case-file").value || exported.file_name, exported.yaml));
    editor.commands.addCommand({ name: "save", bindKey: { win: "Ctrl-S", mac: "Command-S" }, exec: () => save() });
    editor.commands.addCommand({ name: "render", bindKey: { win: "Ctrl-Enter", mac: "Command-Enter" }, exec: render });
    document.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key === "s") { event.preventDefault(); save(); }
    });
    window.addEventListener("beforeunload", (event) => {
      const unsaved = [...state.sessions.keys()].some((key) => isFile(key) && modified(key));
      if (unsaved) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  async function start() {
    wire();
    let session;
    try {
      session = await api("/api/session");
    } catch (error) {
      showBanner(error.status === 403 ? error.message : `Cannot start: ${error.message}`, "start");
      setStatus("fail", "not connected");
      return;
    }
    localStorage.setItem(TOKEN_KEY, token);
    state.session = session;
    for (const file of session.files) {
      const key = `file:${file.id}`;
      if (file.error) { showBanner(file.error, "file"); continue; }
      state.originals.set(key, file.text);
      state.versions.set(key, file.version);
    }
    let restored = null;
    if (location.hash.length > 1) {
      try {
        restored = await decodeState(location.hash.slice(1));
      } catch {
        showBanner("The link's saved state cannot be read: starting afresh.", "state", "info");
      }
    }
    if (session.api) {
      state.mode = "route";
      $("route-picker").hidden = false;
      for (const route of session.api.routes) {
        const option = el("option", "", route.route);
        option.value = route.route;
        $("route-select").append(option);
      }
      $("route-select").title = `Routes of ${session.api.name} (${session.api.kind})`;
    } else {
      state.mode = "template";
      $("error-message-label").hidden = true;
      $("backend-note").textContent = "What the backend answered: the response template (if any) runs over it.";
      if (session.files.length) state.sources.request = "file:0";
    }
    if (restored) {
      $("dialect").value = restored.dialect || "aws";
      state.side = restored.side || "request";
      if (state.mode === "template" && restored.sources) {
        state.sources = { ...state.sources, ...restored.sources };
      }
      for (const [key, text] of Object.entries(restored.texts || {})) sessionFor(key, text);
      fillForm(restored);
    }
    for (const side of ["request", "response"]) {
      const key = state.sources[side];
      if (state.mode === "template") {
        const file = isFile(key) ? fileOf(key) : null;
        const starter = !restored && key === "scratch:request" ? STARTER : "";
        sessionFor(key, file ? file.text || "" : starter);
      }
    }
    if (!restored && state.mode === "template" && !session.files.length) {
      setQuietly(bodyEditor, '{"name": "Ada O\'Brien", "items": [1, 2]}');
    }
    if (state.mode === "route") {
      const routes = session.api.routes.map((r) => r.route);
      const wanted = restored && routes.includes(restored.route) ? restored.route : routes[0];
      if (restored && restored.variants && wanted === restored.route) state.variants = restored.variants;
      if (wanted) selectRoute(wanted, Boolean(restored && wanted === restored.route));
    } else {
      selectSide(state.side);
    }
    if (!restored && !contextEditor.getValue()) setQuietly(contextEditor, "{\n  \"requestId\": \"req-1\"\n}");
    render();
  }

  start();
})();
