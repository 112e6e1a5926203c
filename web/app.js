// offhunt's page. It holds no detection logic: the Go core runs in a Web
// Worker (worker.js) and this file only moves files to it and draws what
// comes back.
//
// Logs are hostile input. Every value from a file is put on the page as
// text (textContent, createTextNode, setAttribute): never as HTML.
"use strict";

(() => {
  // ---------------------------------------------------------------- helpers

  const $ = (id) => document.getElementById(id);

  // el builds an element. attrs sets attributes (values are text), except
  // "class" and on* handlers; children are nodes or strings (text nodes).
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    append(e, children);
    return e;
  }

  function append(parent, children) {
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      parent.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return parent;
  }

  const SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, ...children) {
    const e = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) e.setAttribute(k, String(v));
    }
    append(e, children);
    return e;
  }

  function clear(e) {
    while (e.firstChild) e.removeChild(e.firstChild);
    return e;
  }

  const nf = new Intl.NumberFormat("en-US");
  const fmtInt = (n) => nf.format(n);

  function fmtBytes(n) {
    if (!(n >= 0)) return "";
    const units = ["B", "KB", "MB", "GB", "TB"];
    let i = 0;
    while (n >= 1000 && i < units.length - 1) {
      n /= 1000;
      i++;
    }
    return (i === 0 ? String(n) : n.toFixed(n < 10 ? 1 : 0)) + " " + units[i];
  }

  function fmtDuration(s) {
    if (!isFinite(s) || s < 0) return "";
    if (s < 1) return "under a second";
    if (s < 90) return Math.round(s) + " s";
    if (s < 5400) return Math.round(s / 60) + " min";
    return (s / 3600).toFixed(1) + " h";
  }

  // cellText is how a JSON value of a result or an event is shown.
  function cellText(v) {
    if (v === null || v === undefined) return "";
    if (typeof v === "object") return JSON.stringify(v);
    return String(v);
  }

  // timeOf reads an ISO 8601 datetime to milliseconds (NaN if none).
  function timeOf(s) {
    return typeof s === "string" && s ? Date.parse(s) : NaN;
  }

  function say(text, kind) {
    const m = $("message");
    m.textContent = text || "";
    m.className = "message" + (kind ? " " + kind : "");
  }

  function download(name, text, type) {
    const url = URL.createObjectURL(new Blob([text], { type }));
    const a = el("a", { href: url, download: name, class: "visually-hidden" });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (_) {
      // file:// pages may lack the clipboard API: copy through a selection.
      const ta = el("textarea", { class: "visually-hidden", "aria-hidden": "true" });
      ta.value = text;
      document.body.appendChild(ta);
      ta.select();
      let ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (_) {
        ok = false;
      }
      ta.remove();
      return ok;
    }
  }

  function base64Bytes(text) {
    const s = text.replace(/\s+/g, "");
    if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(s);
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  // ----------------------------------------------------------------- engine

  // The offline single file carries the module and the worker inline; the
  // served page fetches them from its own origin when it loads, never later.
  const inlineWasm = $("offhunt-wasm");
  const inlineWorker = $("offhunt-worker");
  const offline = !!inlineWasm;

  async function loadModule() {
    if (!offline) {
      const resp = fetch("offhunt.wasm");
      if (WebAssembly.compileStreaming) {
        try {
          return await WebAssembly.compileStreaming(resp);
        } catch (_) {
          // a server without application/wasm: compile the bytes instead
        }
      }
      return WebAssembly.compile(await (await fetch("offhunt.wasm")).arrayBuffer());
    }
    const gz = new Blob([base64Bytes(inlineWasm.textContent)]);
    const raw = await new Response(gz.stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
    return WebAssembly.compile(raw);
  }

  let workerURL = null;
  function newWorker() {
    if (!offline) return new Worker("worker.js");
    if (!workerURL) {
      const src = new TextDecoder().decode(base64Bytes(inlineWorker.textContent));
      workerURL = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
    }
    return new Worker(workerURL);
  }

  // Engine talks to the worker: call() sends {id, type, ...} and settles
  // with the answer of the same id; answers to a terminated worker are
  // never seen. cancel() terminates the worker and its reader and starts
  // fresh ones.
  class Engine {
    constructor(modulePromise) {
      this.modulePromise = modulePromise;
      this.nextId = 1;
      this.pending = new Map();
      this.memory = 0;
      this.onstate = () => {};
      this.start();
    }

    start() {
      this.ready = false;
      // The engine reads files through a second worker, its reader, which
      // reads and hashes them and hands the bytes over a channel of their
      // own (worker.js says why): the page's thread takes no part.
      const w = newWorker();
      const reader = newWorker();
      const channel = new MessageChannel();
      reader.postMessage({ type: "reader", port: channel.port2 }, [channel.port2]);
      w.postMessage({ type: "port", port: channel.port1 }, [channel.port1]);
      this.worker = w;
      this.reader = reader;
      reader.onerror = (e) => {
        e.preventDefault();
        this.crashed(w, "the engine's reader failed: " + (e.message || "unknown error"));
      };
      this.readyPromise = new Promise((resolve, reject) => {
        this.readyResolve = resolve;
        this.readyReject = reject;
      });
      this.readyPromise.catch(() => {});
      w.onmessage = (e) => this.receive(w, e.data);
      w.onerror = (e) => {
        e.preventDefault();
        this.crashed(w, "the engine failed: " + (e.message || "unknown error"));
      };
      this.modulePromise.then(
        (module) => w.postMessage({ id: 0, type: "init", module }),
        (err) => this.crashed(w, "could not load the engine: " + err, true),
      );
    }

    receive(w, msg) {
      if (w !== this.worker || !msg) return; // a stale worker
      if (msg.memory) this.memory = msg.memory;
      if (msg.id === 0) {
        if (msg.type === "ready" && msg.ok) {
          this.ready = true;
          this.version = msg.result && msg.result.version;
          this.readyResolve();
          this.onstate("ready");
        } else {
          this.crashed(w, (msg.error && msg.error.message) || "the engine stopped");
        }
        return;
      }
      const p = this.pending.get(msg.id);
      if (!p) return;
      if (msg.type === "progress") {
        if (msg.progress && msg.progress.memory) this.memory = msg.progress.memory;
        if (p.onProgress) p.onProgress(msg.progress);
        return;
      }
      this.pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(msg.error || { message: "unknown error" });
    }

    // crashed ends a worker that failed and starts a fresh one, so that the
    // next run has an engine; fatal (the module itself did not load) stops.
    crashed(w, message, fatal) {
      if (w !== this.worker) return;
      this.readyReject({ message, kind: "internal" });
      this.fail({ message, kind: "internal" });
      this.onstate("crashed", message, fatal);
      w.terminate();
      this.reader.terminate();
      if (fatal) return;
      setTimeout(() => {
        if (w === this.worker) {
          this.start();
        }
      }, 100);
    }

    fail(error) {
      const pending = [...this.pending.values()];
      this.pending.clear();
      for (const p of pending) p.reject(error);
    }

    call(type, payload, onProgress) {
      const id = this.nextId++;
      return new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject, onProgress });
        this.worker.postMessage(Object.assign({}, payload, { id, type }));
      });
    }

    get busy() {
      return this.pending.size > 0;
    }

    cancel() {
      const w = this.worker;
      this.worker = null;
      w.terminate();
      this.reader.terminate();
      this.fail({ message: "cancelled", kind: "cancelled" });
      this.start();
      this.onstate("restarting");
    }
  }

  // ------------------------------------------------------------------ state

  const state = {
    inputs: [], // {key, file, name, size, report, rejected}
    rules: [], // built-in rules' metadata
    disabled: new Set(),
    userRules: [], // {name, text, rule, error}
    mode: "scan",
    findings: null, // parsed findings
    live: [], // findings streamed while a scan runs, before the full list
    shown: [], // the findings the table shows, by data-index
    findingsText: "", // the exact JSON bytes, for download
    query: null, // the last query result
    running: null, // "scan" | "query" while a run is on
    runs: 0, // runs finished (not cancelled), for tests and the bench
  };
  let inputKey = 0;

  const engine = new Engine(loadModule());
  engine.onstate = (s, message, fatal) => {
    if (s === "ready") {
      $("engine-status").textContent = "Engine ready (offhunt " + engine.version + ")" + (offline ? ", offline file" : "");
      $("engine-status").className = "engine ok";
      $("version").textContent = engine.version || "";
      if (!state.rules.length) loadRules();
      updateButtons();
    } else if (s === "crashed") {
      $("engine-status").textContent = fatal ? "The engine could not start: " + message : "The engine stopped: " + message + ". Restarting…";
      $("engine-status").className = "engine bad";
      if (state.running) endRun();
      say("The engine stopped: " + message, "bad");
    } else if (s === "restarting") {
      $("engine-status").textContent = "Restarting the engine…";
      $("engine-status").className = "engine";
    }
  };

  async function loadRules() {
    try {
      const res = await engine.call("rules", {});
      state.rules = res.rules || [];
      renderRules();
    } catch (err) {
      say("Could not list the rules: " + (err.message || err), "bad");
    }
  }

  // ----------------------------------------------------------------- inputs

  function isRuleFile(name) {
    return /\.kql$/i.test(name);
  }

  async function addFiles(entries) {
    const rules = [];
    let added = 0;
    for (const { file, name } of entries) {
      if (isRuleFile(name)) {
        rules.push(file);
        continue;
      }
      const base = name.split("/").pop();
      if (base.startsWith(".")) continue; // hidden files in a folder
      // The same file again replaces itself; another file of the same
      // name (from another folder) gets a number, so names stay apart.
      const same = state.inputs.find((i) => i.name === base && i.size === file.size && i.file.lastModified === file.lastModified);
      if (same) {
        same.file = file;
        added++;
        continue;
      }
      let unique = base;
      for (let n = 2; state.inputs.some((i) => i.name === unique); n++) unique = base + " (" + n + ")";
      state.inputs.push({ key: ++inputKey, file, name: unique, size: file.size, report: null, rejected: null });
      added++;
    }
    renderInputs();
    if (rules.length) await addRuleFiles(rules);
    if (added && state.mode === "scan") startScan();
    else if (added) say(added + " export" + (added > 1 ? "s" : "") + " added. Run the query to read them.");
  }

  function renderInputs() {
    const list = clear($("input-list"));
    list.hidden = state.inputs.length === 0;
    $("clear-inputs").disabled = state.inputs.length === 0;
    for (const inp of state.inputs) {
      const r = inp.report;
      const fact = (term, ...value) => el("div", {}, el("dt", {}, term), el("dd", {}, ...value));
      let facts;
      if (r) {
        facts = el("dl", { class: "facts" },
          fact("Format", r.format || "?"),
          fact("Schema", r.schema || "?"),
          fact("Rows", fmtInt(r.rows || 0)),
          fact("Bad rows", r.badRows > 0 ? badRowsDetails(inp) : "0"),
          r.duplicates ? fact("Duplicates", fmtInt(r.duplicates)) : null,
          fact("Time range", r.first ? el("span", { class: "time" }, r.first + " to " + r.last) : "no event times"));
      } else if (!inp.rejected) {
        facts = el("p", { class: "hint" }, inp.reported
          ? "The engine gave no report on this input."
          : "Format, schema, rows and time range show after a scan or a query.");
      }
      list.appendChild(el("li", { class: "input" + (inp.rejected ? " rejected" : "") },
        el("div", { class: "input-head" },
          el("span", { class: "name" }, inp.name),
          el("span", { class: "size" }, fmtBytes(inp.size)),
          el("button", { type: "button", class: "link", "aria-label": "Remove " + inp.name, onclick: () => removeInput(inp.key) }, "Remove")),
        inp.rejected ? el("p", { class: "reason" }, "Not read: " + inp.rejected.message) : null,
        facts,
        r && r.notices && r.notices.length ? el("p", { class: "hint" }, r.notices.join(" · ")) : null));
    }
    updateButtons();
  }

  function badRowsDetails(inp) {
    const r = inp.report;
    const samples = r.badRowSamples || [];
    const list = el("ol", { class: "bad-rows" }, samples.map((b) => el("li", {}, "line " + b.line + ": " + b.reason)));
    const dl = el("button", {
      type: "button",
      class: "link",
      onclick: async () => {
        try {
          const res = await engine.call("export", {
            what: "table-csv",
            columns: ["Input", "Line", "Reason"],
            rows: samples.map((b) => [inp.name, b.line, b.reason]),
          });
          download(inp.name + ".bad-rows.csv", res.text, "text/csv");
        } catch (err) {
          say("Could not export the bad rows: " + err.message, "bad");
        }
      },
    }, "Download");
    const more = r.badRows > samples.length ? el("p", { class: "hint" }, "The first " + samples.length + " of " + fmtInt(r.badRows) + " are listed.") : null;
    return el("details", {}, el("summary", {}, fmtInt(r.badRows)), list, more, dl);
  }

  function removeInput(key) {
    state.inputs = state.inputs.filter((i) => i.key !== key);
    renderInputs();
  }

  // applyReports puts the core's input reports next to the files.
  function applyReports(reports, rejected) {
    const byName = new Map((reports || []).map((r) => [r.name, r]));
    const bad = new Map((rejected || []).map((r) => [r.name, r.error]));
    for (const inp of state.inputs) {
      inp.report = byName.get(inp.name) || null;
      inp.rejected = bad.get(inp.name) || null;
      inp.reported = true;
    }
    renderInputs();
  }

  // Files dropped on the page: a folder is read with its files (and their
  // folders). The items must be read during the drop event.
  function droppedEntries(dt) {
    const items = dt.items ? [...dt.items].filter((i) => i.kind === "file") : [];
    if (!items.length) {
      return Promise.resolve([...dt.files].map((file) => ({ file, name: file.name })));
    }
    // Files are taken as they are; only folders are walked (a file's entry
    // cannot always be read, from file:// pages for one).
    const direct = [];
    const entries = [];
    for (const item of items) {
      const entry = item.webkitGetAsEntry ? item.webkitGetAsEntry() : null;
      if (entry && entry.isDirectory) {
        entries.push(entry);
      } else {
        const file = item.getAsFile();
        if (file) direct.push({ file, name: file.name });
      }
    }
    const out = [];
    const walk = (entry, path) =>
      new Promise((resolve) => {
        if (entry.isFile) {
          entry.file(
            (file) => {
              out.push({ file, name: path + file.name });
              resolve();
            },
            () => resolve(),
          );
        } else if (entry.isDirectory) {
          const reader = entry.createReader();
          const all = [];
          const more = () =>
            reader.readEntries(
              async (batch) => {
                if (!batch.length) {
                  for (const e of all) await walk(e, path + entry.name + "/");
                  resolve();
                  return;
                }
                all.push(...batch);
                more();
              },
              () => resolve(),
            );
          more();
        } else {
          resolve();
        }
      });
    return (async () => {
      for (const e of entries) await walk(e, "");
      out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return direct.concat(out);
    })();
  }

  function setupDropZone(zone, onEntries, picker) {
    zone.addEventListener("dragenter", (e) => {
      e.preventDefault();
      zone.classList.add("over");
    });
    zone.addEventListener("dragover", (e) => {
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
      zone.classList.add("over");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      e.stopPropagation();
      zone.classList.remove("over");
      droppedEntries(e.dataTransfer).then(onEntries);
    });
    zone.addEventListener("click", () => picker.click());
    zone.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        picker.click();
      }
    });
  }

  // A drop anywhere else on the page adds the files too, instead of the
  // browser opening them.
  document.addEventListener("dragover", (e) => e.preventDefault());
  document.addEventListener("drop", (e) => {
    e.preventDefault();
    droppedEntries(e.dataTransfer).then(addFiles);
  });

  setupDropZone($("drop"), addFiles, $("pick-files"));
  $("pick-files").addEventListener("change", (e) => {
    addFiles([...e.target.files].map((file) => ({ file, name: file.name })));
    e.target.value = "";
  });
  $("pick-folder").addEventListener("change", (e) => {
    addFiles([...e.target.files].map((file) => ({ file, name: file.webkitRelativePath || file.name })));
    e.target.value = "";
  });
  $("clear-inputs").addEventListener("click", () => {
    state.inputs = [];
    renderInputs();
  });

  $("sample").addEventListener("click", () => {
    const block = $("offhunt-sample");
    const text = block ? block.textContent.trim() : "";
    if (!text) {
      say("This build has no sample: run scripts/build.", "bad");
      return;
    }
    const name = block.getAttribute("data-name") || "sample.csv";
    const file = new File([base64Bytes(text)], name, { type: "text/csv" });
    // The sample is from September 2025: read it as of its newest event,
    // or the rules' time windows would pass over it.
    setNow("latest");
    state.inputs = state.inputs.filter((i) => i.name !== name);
    setMode("scan");
    addFiles([{ file, name }]);
  });

  // ------------------------------------------------------------------ rules

  function renderRules() {
    const list = clear($("rule-list"));
    for (const r of state.rules) list.appendChild(ruleItem(r, false));
    const user = clear($("user-rules"));
    for (const u of state.userRules) {
      if (u.rule) user.appendChild(ruleItem(u.rule, true, u));
      else {
        user.appendChild(
          el("li", { class: "rule bad" },
            el("span", {}, u.name + ": " + u.error.message),
            el("button", { type: "button", class: "link", onclick: () => removeUserRule(u) }, "Remove")),
        );
      }
    }
    const all = state.rules.concat(state.userRules.filter((u) => u.rule).map((u) => u.rule));
    $("rule-count").textContent = String(all.filter((r) => !state.disabled.has(r.id)).length) + " of " + all.length;
  }

  function ruleItem(r, isUser, u) {
    const id = "rule-" + (isUser ? "user-" : "") + r.id.replace(/[^A-Za-z0-9_-]/g, "_");
    const box = el("input", { type: "checkbox", id, checked: !state.disabled.has(r.id) });
    box.addEventListener("change", () => {
      if (box.checked) state.disabled.delete(r.id);
      else state.disabled.add(r.id);
      renderRules();
    });
    const copy = el("button", {
      type: "button",
      class: "link",
      onclick: async () => {
        const ok = await copyText(r.query);
        say(ok ? "Copied the KQL of " + r.id + ": it runs unchanged in Defender or Sentinel." : "Could not copy: select the KQL in the rule's details.", ok ? "" : "bad");
      },
    }, "Copy KQL");
    const info = el("details", { class: "rule-info" },
      el("summary", {}, "About"),
      r.description ? el("p", {}, r.description) : null,
      r.actions ? el("p", {}, el("strong", {}, "Next: "), r.actions) : null,
      r.falsePositives ? el("p", {}, el("strong", {}, "False positives: "), r.falsePositives) : null,
      r.mitre && r.mitre.length ? el("p", {}, "MITRE ATT&CK: " + r.mitre.join(", ")) : null,
      el("pre", { class: "kql" }, r.query));
    const li = el("li", { class: "rule" },
      box,
      el("label", { for: id }, el("span", { class: "sev sev-" + r.severity }, r.severity), " ", r.title, " ", el("code", {}, r.id)),
      copy,
      isUser ? el("button", { type: "button", class: "link", onclick: () => removeUserRule(u) }, "Remove") : null,
      info);
    return li;
  }

  function removeUserRule(u) {
    state.userRules = state.userRules.filter((x) => x !== u);
    renderRules();
  }

  async function addRuleFiles(files) {
    const texts = await Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() })));
    try {
      const res = await engine.call("parseRules", { files: texts });
      res.files.forEach((r, i) => {
        state.userRules = state.userRules.filter((u) => u.name !== r.name);
        state.userRules.push({ name: r.name, text: texts[i].text, rule: r.rule || null, error: r.error || null });
      });
      renderRules();
      const bad = res.files.filter((r) => r.error);
      if (bad.length) say(bad.map((b) => b.error.message).join("; "), "bad");
      else say("Added " + res.files.length + " rule file" + (res.files.length > 1 ? "s" : "") + ".");
    } catch (err) {
      say("Could not read the rules: " + err.message, "bad");
    }
  }

  setupDropZone($("rule-drop"), (entries) => addRuleFiles(entries.map((e) => e.file)), $("pick-rules"));
  $("pick-rules").addEventListener("change", (e) => {
    addRuleFiles([...e.target.files]);
    e.target.value = "";
  });

  // -------------------------------------------------------------------- now

  function nowMode() {
    const r = document.querySelector('input[name="now"]:checked');
    return r ? r.value : "wall";
  }

  function setNow(mode) {
    const r = document.querySelector('input[name="now"][value="' + mode + '"]');
    if (r) r.checked = true;
  }

  // nowOption is Options.Now: "" (wall clock), "latest" or RFC 3339.
  function nowOption() {
    switch (nowMode()) {
      case "latest":
        return "latest";
      case "fixed": {
        const v = $("now-time").value;
        if (!v) return "";
        return (v.length === 16 ? v + ":00" : v) + "Z";
      }
      default:
        return "";
    }
  }

  $("now-time").addEventListener("input", () => setNow("fixed"));

  $("use-latest").addEventListener("click", () => {
    setNow("latest");
    $("notice").hidden = true;
    if (state.mode === "scan") startScan();
    else startQuery();
  });

  // ------------------------------------------------------------------ modes

  function setMode(mode) {
    state.mode = mode;
    const scan = mode === "scan";
    $("tab-scan").setAttribute("aria-selected", String(scan));
    $("tab-query").setAttribute("aria-selected", String(!scan));
    $("tab-scan").tabIndex = scan ? 0 : -1;
    $("tab-query").tabIndex = scan ? -1 : 0;
    $("scan-panel").hidden = !scan;
    $("query-panel").hidden = scan;
    if (!scan) updateGutter();
  }
  $("tab-scan").addEventListener("click", () => setMode("scan"));
  $("tab-query").addEventListener("click", () => setMode("query"));
  for (const t of [$("tab-scan"), $("tab-query")]) {
    t.addEventListener("keydown", (e) => {
      if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
        const next = state.mode === "scan" ? "query" : "scan";
        setMode(next);
        $("tab-" + next).focus();
      }
    });
  }

  function updateButtons() {
    const idle = !state.running;
    $("run-scan").disabled = !idle || state.inputs.length === 0;
    $("run-query").disabled = !idle;
    $("scan-hint").textContent = state.inputs.length ? "Checks every export with the rules that are on." : "Drop an export or try the sample.";
  }

  // ------------------------------------------------------------------- runs

  const progressState = { start: 0, lastBytes: 0, total: 0, lastInput: "", lastPass: 0 };

  function beginRun(kind) {
    if (state.running) engine.cancel(); // a new run replaces the one going on
    dropLive();
    state.running = kind;
    Object.assign(progressState, { start: performance.now(), lastBytes: 0, total: 0, lastInput: "", lastPass: 0 });
    $("progress").hidden = false;
    $("progress-bar").removeAttribute("value");
    $("progress-text").textContent = kind === "scan" ? "Scanning…" : "Running the query…";
    $("notice").hidden = true;
    say("");
    updateButtons();
  }

  function endRun(cancelled) {
    state.running = null;
    if (!cancelled) state.runs++;
    $("progress").hidden = true;
    updateButtons();
  }

  function onProgress(p) {
    const ps = progressState;
    if (p.input !== ps.lastInput || p.pass !== ps.lastPass) {
      ps.lastInput = p.input;
      ps.lastPass = p.pass;
      ps.lastBytes = 0;
    }
    ps.total += Math.max(0, p.bytesRead - ps.lastBytes);
    ps.lastBytes = p.bytesRead;
    const secs = (performance.now() - ps.start) / 1000;
    const rate = secs > 0 ? ps.total / secs : 0;
    const bar = $("progress-bar");
    if (p.size > 0) bar.value = Math.min(1, p.bytesRead / p.size);
    const parts = [];
    if (p.input) parts.push("Reading " + p.input + (p.pass > 1 ? " (pass " + p.pass + ")" : ""));
    if (p.size > 0) parts.push(fmtBytes(p.bytesRead) + " of " + fmtBytes(p.size));
    if (p.rows > 0) parts.push(fmtInt(p.rows) + " rows");
    if (rate > 0) parts.push(fmtBytes(rate) + "/s");
    if (rate > 0 && p.size > 0 && p.bytesRead < p.size) parts.push("about " + fmtDuration((p.size - p.bytesRead) / rate) + " left in this pass");
    $("progress-text").textContent = parts.join(" · ");
  }

  // dropLive takes away the findings shown while a scan ran that did not
  // finish: they are no result.
  function dropLive() {
    state.live = [];
    if (!$("findings").dataset.live) return;
    delete $("findings").dataset.live;
    for (const id of ["dl-findings-json", "dl-findings-csv", "dl-ioc"]) $(id).disabled = false;
    clear($("findings-table").tBodies[0]);
    $("findings").hidden = true;
  }

  $("cancel").addEventListener("click", () => {
    engine.cancel();
    endRun(true);
    dropLive();
    say("Cancelled. The engine was restarted; nothing was kept.");
  });

  function filesPayload() {
    return state.inputs.map((i) => ({ file: i.file, name: i.name }));
  }

  function showError(err, where) {
    if (err && err.kind === "cancelled") return;
    const msg = (err && err.message) || String(err);
    say((where ? where + ": " : "") + msg, "bad");
  }

  async function startScan() {
    if (!state.inputs.length) {
      say("Add an export first.", "bad");
      return;
    }
    beginRun("scan");
    const payload = {
      files: filesPayload(),
      now: nowOption(),
      dedupe: $("dedupe").checked,
      disabled: [...state.disabled],
      userRules: state.userRules.filter((u) => u.rule).map((u) => ({ name: u.name, text: u.text })),
    };
    const t0 = performance.now();
    state.live = [];
    try {
      const res = await engine.call("scan", payload, onScanProgress);
      endRun();
      const f = JSON.parse(res.json);
      state.findingsText = res.json;
      state.findings = f;
      applyReports(f.inputs, res.rejected);
      renderFindings(f, res);
      $("findings").scrollIntoView({ block: "start" });
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      say(fmtInt(f.findings.length) + " finding" + (f.findings.length === 1 ? "" : "s") + " in " + secs + " s (now = " + f.now + ").", f.findings.length ? "found" : "");
      document.body.dataset.state = "findings";
    } catch (err) {
      if (err && err.kind === "cancelled") return;
      endRun();
      dropLive();
      showError(err, "The scan failed");
      if (err && err.kind === "rule" && err.file) say("Rule " + err.file + ", line " + err.line + ", column " + err.col + ": " + err.msg, "bad");
    }
  }

  $("run-scan").addEventListener("click", startScan);

  // onScanProgress also shows the findings the engine streams while it
  // reads (the first at once, at most a few hundred), so that an analyst
  // can start on them before the last byte is read. The full, sorted list
  // replaces them when the scan ends.
  function onScanProgress(p) {
    onProgress(p);
    if (typeof p.findings !== "string" || state.running !== "scan") return;
    let found;
    try {
      found = JSON.parse(p.findings);
    } catch (e) {
      return; // the full list still comes at the end
    }
    if (p.findingsReset) state.live = [];
    state.live = state.live.concat(found);
    renderLive();
  }

  function renderLive() {
    $("results").hidden = true;
    $("findings").hidden = false;
    $("findings").dataset.live = "true";
    for (const id of ["dl-findings-json", "dl-findings-csv", "dl-ioc"]) $(id).disabled = true;
    const cards = clear($("cards"));
    cards.appendChild(el("div", { class: "card" }, el("h3", {}, "Found so far"), el("p", { class: "big" }, fmtInt(state.live.length)),
      el("p", { class: "hint" }, "The scan is still reading; the full list, sorted by time, follows when it ends.")));
    clear($("scan-notices"));
    $("timeline-fig").hidden = true;
    renderFindingsTable(state.live, true);
  }

  // --------------------------------------------------------------- findings

  const MAX_FINDING_ROWS = 5000;

  function ruleTitle(id) {
    const f = state.findings;
    const r = (f && (f.rules || []).find((x) => x.id === id)) || state.rules.find((x) => x.id === id);
    return r ? r.title : id;
  }

  function renderFindings(f, res) {
    $("results").hidden = true;
    $("findings").hidden = false;
    delete $("findings").dataset.live;
    for (const id of ["dl-findings-json", "dl-findings-csv", "dl-ioc"]) $(id).disabled = false;
    state.live = [];
    renderCards(f);
    const notices = clear($("scan-notices"));
    for (const n of f.notices || []) notices.appendChild(el("li", {}, n));
    for (const r of res.rejected || []) notices.appendChild(el("li", { class: "bad" }, r.name + " was not read: " + r.error.message));
    if (res.timeNotice && f.findings.length === 0) showNotice(res.timeNotice);
    renderTimeline(f);
    renderFindingsTable(f.findings, false);
    const d = clear($("details"));
    d.appendChild(el("p", { class: "hint" }, "Select a finding to see every column of its event."));
  }

  function renderCards(f) {
    const cards = clear($("cards"));
    const s = f.summary || {};
    const sev = s.bySeverity || {};
    const card = (title, value, ...rest) => el("div", { class: "card" }, el("h3", {}, title), el("p", { class: "big" }, value), ...rest);
    cards.appendChild(card("Findings", fmtInt(f.findings.length),
      el("p", { class: "sevs" }, ["high", "medium", "low", "informational"].filter((k) => sev[k]).map((k) => el("span", { class: "sev sev-" + k }, k + " " + sev[k])))));
    const byRule = Object.entries(s.byRule || {}).sort((a, b) => b[1] - a[1]);
    cards.appendChild(card("Rules that fired", String(byRule.length),
      el("ul", {}, byRule.slice(0, 6).map(([id, n]) => el("li", {}, ruleTitle(id) + ": " + fmtInt(n))))));
    const list = (xs) => el("ul", {}, (xs || []).slice(0, 6).map((x) => el("li", {}, x)), (xs || []).length > 6 ? el("li", {}, "and " + ((xs || []).length - 6) + " more") : null);
    cards.appendChild(card("Devices", String((s.devices || []).length), list(s.devices)));
    cards.appendChild(card("Accounts", String((s.accounts || []).length), list(s.accounts)));
    cards.appendChild(card("Time range", s.first ? "" : "none", s.first ? el("p", { class: "time" }, s.first) : null, s.last ? el("p", { class: "time" }, "to " + s.last) : null));
  }

  // highlighted returns the text with the byte spans [start, end) marked.
  // Offsets are bytes of UTF-8 (as the core counts them), so the text is
  // encoded, cut, and decoded piece by piece.
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  function highlighted(text, spans) {
    const frag = document.createDocumentFragment();
    if (!spans || !spans.length) {
      frag.appendChild(document.createTextNode(text));
      return frag;
    }
    const bytes = enc.encode(text);
    const sorted = spans
      .map((m) => [Math.max(0, Math.min(bytes.length, m.start)), Math.max(0, Math.min(bytes.length, m.end))])
      .filter(([a, b]) => b > a)
      .sort((x, y) => x[0] - y[0]);
    const merged = [];
    for (const [a, b] of sorted) {
      const lastSpan = merged[merged.length - 1];
      if (lastSpan && a <= lastSpan[1]) lastSpan[1] = Math.max(lastSpan[1], b);
      else merged.push([a, b]);
    }
    let pos = 0;
    for (const [a, b] of merged) {
      if (a > pos) frag.appendChild(document.createTextNode(dec.decode(bytes.subarray(pos, a))));
      frag.appendChild(el("mark", {}, dec.decode(bytes.subarray(a, b))));
      pos = b;
    }
    if (pos < bytes.length) frag.appendChild(document.createTextNode(dec.decode(bytes.subarray(pos))));
    return frag;
  }

  function commandColumnOf(fd) {
    const row = fd.row || {};
    if ("ProcessCommandLine" in row) return "ProcessCommandLine";
    if ("CommandLine" in row) return "CommandLine";
    return "ProcessCommandLine";
  }

  // renderFindingsTable shows findings (the scan's, or those found so far
  // while it runs: live) in the table.
  function renderFindingsTable(findings, live) {
    const body = clear($("findings-table").tBodies[0]);
    const shown = findings.slice(0, MAX_FINDING_ROWS);
    state.shown = findings;
    shown.forEach((fd, i) => {
      const col = commandColumnOf(fd);
      const spans = (fd.matches || []).filter((m) => m.column === col);
      const other = (fd.matches || []).filter((m) => m.column !== col);
      const cmd = el("td", { class: "cmd" }, highlighted(fd.commandLine || "", spans));
      if (other.length) {
        // Spans in other columns: each column once, its value with the
        // spans marked in place.
        const byCol = new Map();
        for (const m of other) byCol.set(m.column, (byCol.get(m.column) || []).concat([m]));
        const chips = [...byCol].map(([c, ms]) => {
          const value = fd.row && c in fd.row ? cellText(fd.row[c]) : null;
          return el("span", { class: "chip" }, c + ": ", value === null ? el("mark", {}, ms.map((m) => m.text).join(" ")) : highlighted(value, ms));
        });
        cmd.appendChild(el("div", { class: "also" }, chips));
      }
      const tr = el("tr", { tabindex: 0, "data-index": i, "aria-selected": "false", "data-live": live ? "true" : null },
        el("td", { class: "time" }, fd.time),
        el("td", {}, el("span", { class: "sev sev-" + fd.severity }, fd.severity), el("span", { class: "rule-name" }, ruleTitle(fd.ruleId))),
        el("td", { class: "who" }, fd.device, el("span", {}, fd.account)),
        cmd);
      tr.addEventListener("click", () => selectFinding(i));
      tr.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          selectFinding(i);
        } else if (e.key === "ArrowDown" && tr.nextElementSibling) {
          e.preventDefault();
          tr.nextElementSibling.focus();
        } else if (e.key === "ArrowUp" && tr.previousElementSibling) {
          e.preventDefault();
          tr.previousElementSibling.focus();
        }
      });
      body.appendChild(tr);
    });
    const more = $("findings-more");
    more.hidden = !live && findings.length <= MAX_FINDING_ROWS;
    more.textContent = live
      ? "Found so far, in the order found; the scan goes on."
      : "Showing the first " + fmtInt(MAX_FINDING_ROWS) + " of " + fmtInt(findings.length) + " findings; the downloads hold them all.";
    if (!findings.length) {
      body.appendChild(el("tr", {}, el("td", { colspan: 4, class: "empty" }, "No findings.")));
    }
  }

  function selectFinding(i) {
    const fd = state.shown[i];
    if (!fd) return;
    for (const tr of $("findings-table").tBodies[0].rows) tr.setAttribute("aria-selected", String(tr.dataset.index === String(i)));
    const d = clear($("details"));
    const f = state.findings;
    const rule = (f && (f.rules || []).find((r) => r.id === fd.ruleId)) || state.rules.find((r) => r.id === fd.ruleId) || {};
    const full = state.rules.concat(state.userRules.filter((u) => u.rule).map((u) => u.rule)).find((r) => r.id === fd.ruleId);
    d.appendChild(el("h3", {}, rule.title || fd.ruleId));
    d.appendChild(el("p", {}, el("span", { class: "sev sev-" + fd.severity }, fd.severity), " ", el("code", {}, fd.ruleId), rule.mitre && rule.mitre.length ? " · MITRE " + rule.mitre.join(", ") : ""));
    if (full && full.actions) d.appendChild(el("p", {}, el("strong", {}, "Next: "), full.actions));
    if (fd.input) d.appendChild(el("p", { class: "hint" }, "From " + fd.input + (fd.line ? ", line " + fd.line : "")));
    const byCol = new Map();
    for (const m of fd.matches || []) {
      if (!byCol.has(m.column)) byCol.set(m.column, []);
      byCol.get(m.column).push(m);
    }
    const dl = el("dl", { class: "columns" });
    for (const [k, v] of Object.entries(fd.row || {})) {
      const text = cellText(v);
      dl.appendChild(el("dt", {}, k));
      dl.appendChild(el("dd", { class: byCol.has(k) ? "matched" : "" }, highlighted(text, byCol.get(k))));
    }
    d.appendChild(dl);
    if (full) {
      d.appendChild(el("button", {
        type: "button",
        onclick: async () => say((await copyText(full.query)) ? "Copied the KQL of " + full.id + "." : "Could not copy.", ""),
      }, "Copy the rule's KQL"));
    }
    d.focus();
  }

  const SEV_COLORS = { high: "sev-high", medium: "sev-medium", low: "sev-low", informational: "sev-informational" };

  // renderTimeline draws the findings over time, one lane per rule.
  function renderTimeline(f) {
    const box = clear($("timeline"));
    const withTime = f.findings.map((fd, i) => ({ fd, i, t: timeOf(fd.time) })).filter((x) => !isNaN(x.t));
    $("timeline-fig").hidden = withTime.length === 0;
    if (!withTime.length) return;
    const ruleIds = [...new Set(withTime.map((x) => x.fd.ruleId))].sort();
    let t0 = Math.min(...withTime.map((x) => x.t));
    let t1 = Math.max(...withTime.map((x) => x.t));
    if (t1 - t0 < 60000) {
      t0 -= 30000;
      t1 += 30000;
    }
    const W = 1000, left = 220, right = 20, lane = 28, top = 10, axis = 30;
    const H = top + ruleIds.length * lane + axis;
    const x = (t) => left + ((t - t0) / (t1 - t0)) * (W - left - right);
    const s = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "chart timeline-svg", role: "img", "aria-label": "Timeline of " + withTime.length + " findings by rule" });
    ruleIds.forEach((id, k) => {
      const y = top + k * lane + lane / 2;
      s.appendChild(svg("line", { x1: left, x2: W - right, y1: y, y2: y, class: "lane" }));
      const title = ruleTitle(id);
      s.appendChild(svg("text", { x: left - 8, y: y + 4, "text-anchor": "end", class: "label" }, title.length > 30 ? title.slice(0, 29) + "…" : title));
    });
    for (const { fd, i, t } of withTime) {
      const y = top + ruleIds.indexOf(fd.ruleId) * lane + lane / 2;
      const c = svg("circle", { cx: x(t).toFixed(1), cy: y, r: 6, class: "dot " + (SEV_COLORS[fd.severity] || ""), tabindex: 0 },
        svg("title", {}, fd.time + " · " + fd.device + " · " + (fd.commandLine || fd.fileName)));
      c.addEventListener("click", () => selectFinding(i));
      c.addEventListener("keydown", (e) => {
        if (e.key === "Enter") selectFinding(i);
      });
      s.appendChild(c);
    }
    const yAxis = top + ruleIds.length * lane + 8;
    s.appendChild(svg("line", { x1: left, x2: W - right, y1: yAxis, y2: yAxis, class: "axis" }));
    s.appendChild(svg("text", { x: left, y: yAxis + 18, class: "label" }, new Date(t0).toISOString().replace(".000Z", "Z")));
    s.appendChild(svg("text", { x: W - right, y: yAxis + 18, "text-anchor": "end", class: "label" }, new Date(t1).toISOString().replace(".000Z", "Z")));
    box.appendChild(s);
  }

  function showNotice(text) {
    $("notice-text").textContent = "Nothing matched, and that may only be the time window: " + text + ".";
    $("notice").hidden = false;
  }

  $("dl-findings-json").addEventListener("click", () => {
    if (state.findingsText) download("offhunt-findings.json", state.findingsText, "application/json");
  });
  $("dl-findings-csv").addEventListener("click", async () => {
    try {
      const res = await engine.call("export", { what: "findings-csv" });
      download("offhunt-findings.csv", res.text, "text/csv");
    } catch (err) {
      showError(err, "Could not export");
    }
  });

  $("dl-ioc").addEventListener("click", async () => {
    try {
      const res = await engine.call("export", { what: "ioc-defender" });
      if (!res.count) {
        say("These findings hold no indicators to export.");
        return;
      }
      download("offhunt-indicators-defender.csv", res.text, "text/csv");
      say(res.count + " indicator" + (res.count === 1 ? "" : "s") + " written as Defender's import CSV" +
        (res.count > res.batch ? "; Defender imports " + res.batch + " a file, so split it before the import." : "."));
    } catch (err) {
      showError(err, "Could not export the indicators");
    }
  });

  // ------------------------------------------------------------------ query

  const EXAMPLES = [
    {
      title: "Rclone Copy Process Args (the seed query, Jay Kerai)",
      kql: 'DeviceProcessEvents\n| where TimeGenerated > ago(90d)\n| where ProcessCommandLine has_all ("copy", "ignore-existing", "auto-confirm")\n    or ProcessCommandLine contains "rclone.exe copy"\n    or FileName == "rclone.exe"\n',
    },
    {
      title: "Renamed rclone, by its PE metadata",
      kql: 'DeviceProcessEvents\n| where ProcessVersionInfoOriginalFileName =~ "rclone.exe"\n    or ProcessVersionInfoProductName =~ "rclone"\n| where FileName !~ "rclone.exe"\n| project Timestamp, DeviceName, AccountName, FileName, FolderPath, ProcessCommandLine\n',
    },
    {
      title: "Cloud-sync flags and remotes in command lines",
      kql: 'DeviceProcessEvents\n| where ProcessCommandLine contains "--transfers"\n    or ProcessCommandLine contains "--multi-thread-streams"\n    or ProcessCommandLine contains "mega:"\n    or ProcessCommandLine contains "--no-check-certificate"\n| project Timestamp, DeviceName, AccountName, FileName, ProcessCommandLine\n',
    },
    {
      title: "Programs run from Public, ProgramData or Temp",
      kql: 'DeviceProcessEvents\n| where FolderPath contains @"\\Users\\Public\\"\n    or FolderPath contains @"\\ProgramData\\"\n    or FolderPath contains @"\\Temp\\"\n| summarize Runs = count(), Devices = dcount(DeviceName) by FileName, FolderPath\n| sort by Runs desc\n',
    },
    {
      title: "Processes per device (column chart)",
      kql: "DeviceProcessEvents\n| summarize Processes = count() by DeviceName\n| sort by Processes desc\n| render columnchart\n",
    },
    {
      title: "Process starts per hour (time chart)",
      kql: "DeviceProcessEvents\n| summarize Starts = count() by bin(Timestamp, 1h)\n| sort by Timestamp asc\n| render timechart\n",
    },
    {
      title: "Rare parent and child pairs",
      kql: "DeviceProcessEvents\n| summarize Runs = count(), Devices = dcount(DeviceName) by InitiatingProcessFileName, FileName\n| where Runs < 3\n| sort by Runs asc\n",
    },
  ];

  const examples = $("examples");
  EXAMPLES.forEach((ex, i) => examples.appendChild(el("option", { value: String(i) }, ex.title)));
  examples.addEventListener("change", () => {
    const ex = EXAMPLES[Number(examples.value)];
    if (!ex || examples.value === "") return;
    $("query").value = ex.kql;
    updateGutter();
    clearQueryError();
    $("query").focus();
  });

  const editor = $("query");
  const gutter = $("gutter");
  let errorLine = 0;

  function updateGutter() {
    const lines = editor.value.split("\n").length;
    while (gutter.children.length < lines) gutter.appendChild(el("div", {}, String(gutter.children.length + 1)));
    while (gutter.children.length > lines) gutter.lastChild.remove();
    for (const [i, d] of [...gutter.children].entries()) d.className = i + 1 === errorLine ? "error-line" : "";
    gutter.scrollTop = editor.scrollTop;
  }
  editor.addEventListener("input", () => {
    if (errorLine) clearQueryError();
    updateGutter();
  });
  editor.addEventListener("scroll", () => {
    gutter.scrollTop = editor.scrollTop;
  });
  editor.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") {
      e.preventDefault();
      startQuery();
    } else if (e.key === "Tab" && !e.shiftKey && !e.ctrlKey && !e.altKey) {
      // Tab indents; Escape then Tab leaves the editor.
      if (editor.dataset.escaped === "1") return;
      e.preventDefault();
      editor.setRangeText("    ", editor.selectionStart, editor.selectionEnd, "end");
      updateGutter();
    } else if (e.key === "Escape") {
      editor.dataset.escaped = "1";
      return;
    }
    editor.dataset.escaped = "";
  });

  function clearQueryError() {
    errorLine = 0;
    $("query-error").hidden = true;
    clear($("query-error"));
    editor.removeAttribute("aria-invalid");
    updateGutter();
  }

  // showQueryError shows the core's message at its line and column, marks
  // the line and puts the caret on the fault.
  function showQueryError(err) {
    const box = clear($("query-error"));
    box.hidden = false;
    if (err.kind === "query" && err.line > 0) {
      errorLine = err.line;
      box.appendChild(el("p", {}, el("strong", { class: "pos" }, "Line " + err.line + ", column " + err.col), " ", el("code", { class: "where" }, err.line + ":" + err.col), " " + err.msg + (err.hint ? " (" + err.hint + ")" : "")));
      if (err.snippet) box.appendChild(el("pre", { class: "snippet" }, err.snippet));
      const lines = editor.value.split("\n");
      let off = 0;
      for (let i = 0; i < err.line - 1 && i < lines.length; i++) off += lines[i].length + 1;
      off += [...(lines[err.line - 1] || "")].slice(0, err.col - 1).join("").length;
      editor.setAttribute("aria-invalid", "true");
      editor.focus();
      editor.setSelectionRange(off, Math.min(editor.value.length, off + 1));
    } else {
      box.appendChild(el("p", {}, err.message || String(err)));
    }
    updateGutter();
  }

  async function startQuery() {
    const query = editor.value;
    if (!query.trim()) {
      showQueryError({ message: "Write a query first." });
      return;
    }
    clearQueryError();
    beginRun("query");
    const t0 = performance.now();
    try {
      const res = await engine.call("query", { query, files: filesPayload(), now: nowOption(), dedupe: $("dedupe").checked }, onProgress);
      endRun();
      const parsed = JSON.parse(res.json);
      state.query = { res, tables: parsed.tables };
      applyReports(res.inputs ? JSON.parse(res.inputs) : [], res.rejected);
      renderResults(res, parsed.tables);
      $("results").scrollIntoView({ block: "start" });
      const rows = parsed.tables.reduce((n, t) => n + t.rows.length, 0);
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      say(fmtInt(rows) + " row" + (rows === 1 ? "" : "s") + " in " + secs + " s (now = " + res.now + ").");
      if (res.timeNotice) showNotice(res.timeNotice);
      document.body.dataset.state = "results";
    } catch (err) {
      if (err && err.kind === "cancelled") return;
      endRun();
      if (err && err.kind === "query") showQueryError(err);
      else showError(err, "The query failed");
    }
  }

  $("run-query").addEventListener("click", startQuery);

  // ---------------------------------------------------------------- results

  const NUMERIC = new Set(["int", "long", "real", "decimal"]);

  function renderResults(res, tables) {
    $("findings").hidden = true;
    $("results").hidden = false;
    const list = clear($("result-list"));
    tables.forEach((t, i) => {
      const sec = el("section", { class: "result", "aria-label": t.name });
      const head = el("div", { class: "section-head" },
        el("h3", {}, (tables.length > 1 ? t.name + ": " : "") + fmtInt(t.rows.length) + " row" + (t.rows.length === 1 ? "" : "s")),
        el("button", {
          type: "button",
          onclick: async () => {
            try {
              const r = await engine.call("export", { what: "results-csv", index: i });
              download("offhunt-" + t.name + ".csv", r.text, "text/csv");
            } catch (err) {
              showError(err, "Could not export");
            }
          },
        }, "Download CSV"));
      sec.appendChild(head);
      const kind = res.render && res.render[i];
      if (kind) {
        const chart = drawChart(kind, t);
        sec.appendChild(chart || el("p", { class: "hint" }, "render " + kind + ": nothing to draw (it needs a column of values)."));
      }
      if (res.timeFilterRemovedAll && res.timeFilterRemovedAll[i]) sec.appendChild(el("p", { class: "hint bad" }, "A time filter removed every row of this result."));
      sec.appendChild(new Grid(t).root);
      list.appendChild(sec);
    });
  }

  $("dl-results-json").addEventListener("click", () => {
    if (state.query) download("offhunt-results.json", state.query.res.json, "application/json");
  });

  // Grid shows a result table: sortable by any column (click its header),
  // filtered by a text box, and virtualised: only the rows in view exist in
  // the page, so 100,000 rows scroll as fast as 10.
  class Grid {
    constructor(t) {
      this.cols = t.columns;
      this.rows = t.rows;
      this.order = this.rows.map((_, i) => i);
      this.view = this.order;
      this.sortCol = -1;
      this.sortDir = 1;
      this.rowH = 26;
      this.lower = null;
      this.pool = [];
      const widths = this.cols.map((c, j) => {
        let w = c.name.length + 2;
        for (let i = 0; i < Math.min(200, this.rows.length); i++) w = Math.max(w, Math.min(60, cellText(this.rows[i][j]).length));
        return Math.max(7, Math.min(60, w)) * 8 + 16;
      });
      this.template = widths.map((w) => w + "px").join(" ");
      this.width = widths.reduce((a, b) => a + b, 0);

      const filterId = "filter-" + Math.random().toString(36).slice(2);
      this.filter = el("input", { type: "search", id: filterId, placeholder: "Filter rows", "aria-label": "Filter rows" });
      this.count = el("span", { class: "hint count", "aria-live": "polite" });
      this.header = el("div", { class: "grid-head", role: "row" });
      this.header.style.gridTemplateColumns = this.template;
      this.header.style.width = this.width + "px";
      this.cols.forEach((c, j) => {
        const b = el("button", { type: "button", role: "columnheader", "aria-sort": "none", title: c.name + " (" + c.type + ")" }, c.name);
        b.addEventListener("click", () => this.sortBy(j));
        this.header.appendChild(b);
      });
      this.spacer = el("div", { class: "grid-spacer" });
      this.spacer.style.width = this.width + "px";
      this.body = el("div", { class: "grid-body", role: "rowgroup" });
      this.viewport = el("div", { class: "grid-viewport", tabindex: 0, role: "grid", "aria-rowcount": this.rows.length + 1, "aria-colcount": this.cols.length }, this.header, this.spacer);
      this.spacer.appendChild(this.body);
      this.root = el("div", { class: "grid" }, el("div", { class: "row" }, this.filter, this.count), this.viewport);
      this.viewport.addEventListener("scroll", () => this.draw());
      let timer = 0;
      this.filter.addEventListener("input", () => {
        clearTimeout(timer);
        timer = setTimeout(() => this.applyFilter(), 120);
      });
      this.layout();
      requestAnimationFrame(() => this.draw());
    }

    text(i, j) {
      return cellText(this.rows[i][j]);
    }

    sortBy(j) {
      this.sortDir = this.sortCol === j ? -this.sortDir : 1;
      this.sortCol = j;
      const type = this.cols[j].type;
      const dir = this.sortDir;
      const key = (i) => {
        const v = this.rows[i][j];
        if (v === null || v === undefined) return null;
        if (NUMERIC.has(type) && typeof v === "number") return v;
        if (type === "datetime") return timeOf(v);
        if (type === "bool") return v ? 1 : 0;
        return cellText(v);
      };
      const keys = this.rows.map((_, i) => key(i));
      this.order = this.rows.map((_, i) => i).sort((a, b) => {
        const x = keys[a], y = keys[b];
        if (x === y) return a - b;
        if (x === null || (typeof x === "number" && isNaN(x))) return 1; // nulls last, either way
        if (y === null || (typeof y === "number" && isNaN(y))) return -1;
        return (x < y ? -1 : x > y ? 1 : 0) * dir || a - b;
      });
      [...this.header.children].forEach((b, k) => b.setAttribute("aria-sort", k === j ? (dir > 0 ? "ascending" : "descending") : "none"));
      this.applyFilter();
    }

    applyFilter() {
      const q = this.filter.value.trim().toLowerCase();
      if (!q) {
        this.view = this.order;
      } else {
        if (!this.lower) this.lower = this.rows.map((r) => r.map(cellText).join("\u0000").toLowerCase());
        this.view = this.order.filter((i) => this.lower[i].includes(q));
      }
      this.layout();
      this.viewport.scrollTop = 0;
      this.draw(true);
    }

    layout() {
      this.spacer.style.height = this.view.length * this.rowH + "px";
      // A short result takes only the height it needs.
      this.viewport.style.height = Math.min(544, (this.view.length + 1) * this.rowH + 20) + "px";
      this.count.textContent = (this.view.length === this.rows.length ? "" : fmtInt(this.view.length) + " of ") + fmtInt(this.rows.length) + " rows";
    }

    draw(force) {
      const top = this.viewport.scrollTop;
      const height = this.viewport.clientHeight || 400;
      const first = Math.max(0, Math.floor(top / this.rowH) - 5);
      const last = Math.min(this.view.length, Math.ceil((top + height) / this.rowH) + 5);
      if (!force && first === this.first && last === this.last) return;
      this.first = first;
      this.last = last;
      const need = last - first;
      while (this.pool.length < need) {
        const r = el("div", { class: "grid-row", role: "row" });
        r.style.gridTemplateColumns = this.template;
        for (let j = 0; j < this.cols.length; j++) {
          r.appendChild(el("div", { role: "gridcell", class: NUMERIC.has(this.cols[j].type) ? "num" : "" }));
        }
        this.pool.push(r);
      }
      const body = this.body;
      for (let k = 0; k < this.pool.length; k++) {
        const r = this.pool[k];
        if (k >= need) {
          if (r.parentNode) r.remove();
          continue;
        }
        const i = this.view[first + k];
        r.style.transform = "translateY(" + (first + k) * this.rowH + "px)";
        r.setAttribute("aria-rowindex", String(first + k + 2));
        for (let j = 0; j < this.cols.length; j++) {
          const t = this.text(i, j);
          const cell = r.children[j];
          if (cell.textContent !== t) {
            cell.textContent = t;
            cell.title = t.length > 40 ? t : "";
          }
        }
        if (!r.parentNode) body.appendChild(r);
      }
    }
  }

  // drawChart draws a result with a render hint: the first datetime or
  // text column along x, the numeric columns as series. It is a sketch for
  // a quick look, not a charting library.
  function drawChart(kind, t) {
    const cols = t.columns;
    let xi = cols.findIndex((c) => c.type === "datetime");
    if (xi < 0) xi = cols.findIndex((c) => !NUMERIC.has(c.type));
    const ys = cols.map((c, j) => j).filter((j) => j !== xi && NUMERIC.has(cols[j].type));
    if (!t.rows.length || !ys.length) return null;
    const W = 900, H = 260, L = 60, R = 20, T = 16, B = 56;
    const timeX = xi >= 0 && cols[xi].type === "datetime" && /time|line|area|scatter/.test(kind);
    const rows = t.rows.slice(0, timeX ? 5000 : 60);
    const vals = rows.flatMap((r) => ys.map((j) => Number(r[j]) || 0));
    const ymax = Math.max(0, ...vals), ymin = Math.min(0, ...vals);
    const yspan = ymax - ymin || 1;
    const y = (v) => T + (1 - (v - ymin) / yspan) * (H - T - B);
    const s = svg("svg", { viewBox: "0 0 " + W + " " + H, class: "chart", role: "img", "aria-label": kind + " of " + ys.map((j) => cols[j].name).join(", ") });
    s.appendChild(svg("line", { x1: L, x2: W - R, y1: y(0), y2: y(0), class: "axis" }));
    s.appendChild(svg("text", { x: L - 6, y: y(ymax) + 4, "text-anchor": "end", class: "label" }, fmtInt(ymax)));
    s.appendChild(svg("text", { x: L - 6, y: y(0) + 4, "text-anchor": "end", class: "label" }, "0"));
    if (ymin < 0) s.appendChild(svg("text", { x: L - 6, y: y(ymin) + 4, "text-anchor": "end", class: "label" }, fmtInt(ymin)));
    const series = ["s0", "s1", "s2", "s3", "s4"];
    if (timeX) {
      const pts = rows.map((r) => ({ t: timeOf(r[xi]), r })).filter((p) => !isNaN(p.t)).sort((a, b) => a.t - b.t);
      if (!pts.length) return null;
      const t0 = pts[0].t, t1 = pts[pts.length - 1].t || t0 + 1;
      const x = (tt) => L + ((tt - t0) / (t1 - t0 || 1)) * (W - L - R);
      ys.forEach((j, k) => {
        const d = pts.map((p) => x(p.t).toFixed(1) + "," + y(Number(p.r[j]) || 0).toFixed(1)).join(" ");
        if (kind !== "scatterchart") s.appendChild(svg("polyline", { points: d, class: "series " + series[k % 5] }));
        if (kind === "scatterchart" || pts.length <= 200) {
          for (const p of pts) {
            s.appendChild(svg("circle", { cx: x(p.t).toFixed(1), cy: y(Number(p.r[j]) || 0).toFixed(1), r: 3, class: "point " + series[k % 5] },
              svg("title", {}, cellText(p.r[xi]) + ": " + cols[j].name + " " + cellText(p.r[j]))));
          }
        }
      });
      s.appendChild(svg("text", { x: L, y: H - B + 18, class: "label" }, String(pts[0].r[xi])));
      s.appendChild(svg("text", { x: W - R, y: H - B + 18, "text-anchor": "end", class: "label" }, String(pts[pts.length - 1].r[xi])));
    } else {
      const n = rows.length;
      const slot = (W - L - R) / n;
      const bw = Math.max(2, (slot * 0.8) / ys.length);
      rows.forEach((r, i) => {
        ys.forEach((j, k) => {
          const v = Number(r[j]) || 0;
          const x0 = L + i * slot + slot * 0.1 + k * bw;
          s.appendChild(svg("rect", { x: x0.toFixed(1), y: Math.min(y(v), y(0)).toFixed(1), width: bw.toFixed(1), height: Math.abs(y(0) - y(v)).toFixed(1), class: "bar " + series[k % 5] },
            svg("title", {}, (xi >= 0 ? cellText(r[xi]) + ": " : "") + cols[j].name + " " + v)));
        });
        if (xi >= 0 && n <= 30) {
          const label = cellText(r[xi]);
          s.appendChild(svg("text", { x: (L + i * slot + slot / 2).toFixed(1), y: H - B + 14, "text-anchor": "end", transform: "rotate(-30 " + (L + i * slot + slot / 2).toFixed(1) + " " + (H - B + 14) + ")", class: "label" }, label.length > 18 ? label.slice(0, 17) + "…" : label));
        }
      });
    }
    const legend = el("p", { class: "legend" }, ys.map((j, k) => el("span", { class: "key " + series[k % 5] }, cols[j].name)));
    return el("figure", { class: "chart-fig" }, s, legend, el("figcaption", { class: "visually-hidden" }, "render " + kind));
  }

  // ------------------------------------------------------------------ start

  renderInputs();
  updateGutter();
  setMode("scan");
  // The engine's state and the bench read this; nothing is sent anywhere.
  window.offhunt = {
    get ready() {
      return engine.ready;
    },
    get running() {
      return state.running;
    },
    get memory() {
      return engine.memory;
    },
    get findings() {
      return state.findings;
    },
    get runs() {
      return state.runs;
    },
  };
})();
