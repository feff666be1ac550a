// The review page. Every piece of table data is put into the DOM as text
// (textContent / text nodes): never as HTML.
(function () {
  "use strict";

  // category, severity and kind labels come from reviewer.report, shared with the exports
  const LABELS = JSON.parse(document.body.dataset.labels);
  const SEVERITY = LABELS.severity;
  const CATEGORY = LABELS.category;
  const KIND = LABELS.kind;
  const SEVERITY_RANK = { info: 0, warning: 1, error: 2 };
  const VERDICT_CLASS = { "通过": "pass", "修改后通过": "revise", "退回修改": "reject" };
  const STATUS = { pending: "待处理", accepted: "已采纳", edited: "已修改", dismissed: "已忽略" };

  const body = document.body;
  const maxUpload = Number(body.dataset.maxUpload);
  const maxUploadMb = body.dataset.maxUploadMb;
  const fieldLimit = Number(body.dataset.fieldLimit);
  const $ = (id) => document.getElementById(id);

  // state: the last API result and the reviewer's decision on each comment
  let result = null;
  let decisions = new Map(); // "t:c" -> {status, text}

  // ------------------------------------------------------------ DOM helper

  function h(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props || {})) {
      if (value == null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child == null || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  // ------------------------------------------------------------ messages

  function setStatus(text) { $("status").textContent = text || ""; }

  function showError(text) {
    const box = $("error");
    box.textContent = text || "";
    box.hidden = !text;
  }

  async function errorMessage(response) {
    try {
      const data = await response.json();
      if (typeof data.detail === "string") return data.detail;
      if (Array.isArray(data.detail)) return "请求格式不正确：" + data.detail.map((d) => d.msg).join("；");
    } catch (_) { /* not JSON */ }
    if (response.status === 413) return "上传内容超过 " + maxUploadMb + " MB 的上限，请拆分后分别审核。";
    return "审核服务返回错误（" + response.status + "）。";
  }

  // ------------------------------------------------------------ review

  async function submitReview(event) {
    event.preventDefault();
    showError("");
    const file = $("file").files[0];
    const text = $("paste").value;
    const form = new FormData();
    if (file) {
      if (file.size === 0) return showError("选择的文件“" + file.name + "”是空的。");
      if (file.size > maxUpload) return showError("上传内容超过 " + maxUploadMb + " MB 的上限，请拆分后分别审核。");
      form.append("file", file, file.name);
    } else if (text.trim()) {
      const size = new Blob([text]).size;
      if (size > maxUpload) return showError("粘贴的内容超过 " + maxUploadMb + " MB 的上限，请拆分后分别审核。");
      // a form field is limited to 1 MB by the server; larger pastes go as a file
      if (size > fieldLimit) form.append("file", new Blob([text], { type: "text/plain" }), "粘贴的文本.txt");
      else form.append("text", text);
    } else {
      return showError("请粘贴表格文本，或选择要上传的文件。");
    }
    const offline = $("offline");
    if (offline && offline.checked) form.append("offline", "true");

    const button = $("submit");
    button.disabled = true;
    setStatus(body.dataset.model && !(offline && offline.checked)
      ? "正在审核并由模型起草意见，可能需要一两分钟……" : "正在审核……");
    try {
      const response = await fetch("/api/review", { method: "POST", body: form });
      if (!response.ok) {
        showError(await errorMessage(response));
        setStatus("");
        return;
      }
      result = await response.json();
      decisions = new Map();
      renderResult();
      setStatus("审核完成。");
      $("results").scrollIntoView({ behavior: "smooth", block: "start" });
    } catch (_) {
      showError("无法连接审核服务，请确认服务仍在运行后重试。");
      setStatus("");
    } finally {
      button.disabled = false;
    }
  }

  function clearInput() {
    $("paste").value = "";
    $("file").value = "";
    showError("");
    setStatus("");
    $("paste").focus();
  }

  // ------------------------------------------------------------ decisions

  function decision(t, c) {
    return decisions.get(t + ":" + c) || { status: "pending", text: null };
  }

  function setDecision(t, c, change) {
    decisions.set(t + ":" + c, Object.assign({}, decision(t, c), change));
    rerenderTable(t);
  }

  function commentText(t, c) {
    const d = decision(t, c);
    return d.text != null ? d.text : result.tables[t].comments[c].text;
  }

  // Findings that stay raised: those referenced only by dismissed comments are withdrawn
  // (the same rule the server applies on export, see reviewer/web/edits.py).
  function withdrawnFindings(t) {
    const table = result.tables[t];
    const kept = new Set();
    const dropped = new Set();
    table.comments.forEach((comment, c) => {
      const target = decision(t, c).status === "dismissed" ? dropped : kept;
      comment.finding_ids.forEach((id) => target.add(id));
    });
    return new Set([...dropped].filter((id) => !kept.has(id)));
  }

  function currentVerdict(t) {
    const table = result.tables[t];
    const withdrawn = withdrawnFindings(t);
    if (withdrawn.size === 0) return table.verdict;
    const worst = Math.max(0, ...table.findings.filter((f) => !withdrawn.has(f.id)).map((f) => SEVERITY_RANK[f.severity]));
    return worst === 2 ? "退回修改" : worst === 1 ? "修改后通过" : "通过";
  }

  function editsPayload() {
    const edits = [];
    result.tables.forEach((table, t) => {
      table.comments.forEach((comment, c) => {
        const d = decision(t, c);
        if (d.status === "dismissed") edits.push({ table: t, comment: c, action: "dismiss" });
        else if (d.text != null && d.text !== comment.text) edits.push({ table: t, comment: c, action: "edit", text: d.text });
        else if (d.status === "accepted") edits.push({ table: t, comment: c, action: "accept" });
      });
    });
    return edits;
  }

  // ------------------------------------------------------------ rendering

  function renderResult() {
    $("results").hidden = false;
    renderSummary();
    const toc = $("toc");
    toc.replaceChildren(h("h3", { text: "各表结论" }), h("ol", null, result.tables.map((table, t) => tocItem(table, t))));
    $("tables").replaceChildren(...result.tables.map((table, t) => renderTable(table, t)));
  }

  function renderSummary() {
    const tables = result.tables;
    const counts = { error: 0, warning: 0, info: 0 };
    tables.forEach((t) => t.findings.forEach((f) => { counts[f.severity] += 1; }));
    const total = counts.error + counts.warning + counts.info;
    const parts = ["来源：" + result.source];
    if (result.budget_year) parts.push("预算年度：" + result.budget_year);
    parts.push("共 " + tables.length + " 张表");
    parts.push("问题 " + total + " 个（错误 " + counts.error + "、警告 " + counts.warning + "、提示 " + counts.info + "）");
    if (result.usage && result.usage.requests) {
      let usage = "模型调用 " + result.usage.requests + " 次";
      if (result.usage.fallbacks) usage += "，其中 " + result.usage.fallbacks + " 次改用离线模板";
      parts.push(usage);
    }
    $("summary").textContent = parts.join(" · ");
  }

  function tocItem(table, t) {
    const verdict = currentVerdict(t);
    return h("li", { id: "toc-" + t },
      h("a", { href: "#table-" + t, text: table.title || "（未命名的表）" }),
      " ", verdictBadge(verdict),
      h("span", { class: "muted", text: " 问题 " + table.findings.length + " 个" }));
  }

  function verdictBadge(verdict) {
    return h("span", { class: "verdict " + (VERDICT_CLASS[verdict] || ""), text: verdict });
  }

  function rerenderTable(t) {
    const old = $("table-" + t);
    old.replaceWith(renderTable(result.tables[t], t));
    $("toc-" + t).replaceWith(tocItem(result.tables[t], t));
  }

  function renderTable(table, t) {
    const withdrawn = withdrawnFindings(t);
    const verdict = currentVerdict(t);
    const severityOf = new Map(table.findings.map((f) => [f.id, f.severity]));
    const header = h("header", { class: "table-head" },
      h("h2", { text: table.title || "（未命名的表）" }),
      h("div", { class: "table-meta" },
        h("span", { class: "kind", text: (KIND[table.kind] || table.kind) + "表" }),
        table.view && table.view.year ? h("span", { class: "muted", text: table.view.year + " 年" }) : null,
        h("span", { class: "verdict-label", text: "结论：" }), verdictBadge(verdict),
        verdict !== table.verdict ? h("span", { class: "muted", text: "（原为“" + table.verdict + "”，已按忽略的意见调整）" }) : null));
    const content = h("div", { class: "table-body" },
      h("div", { class: "col-source" }, renderFields(table, t, severityOf, withdrawn), renderTree(table, t, severityOf, withdrawn)),
      h("div", { class: "col-review" }, renderComments(table, t), renderFindings(table, t, withdrawn)));
    return h("article", { class: "panel table-review", id: "table-" + t, "data-kind": table.kind }, header, content);
  }

  function findingChips(ids, t, severityOf, withdrawn) {
    return ids.map((id) => h("button", {
      type: "button",
      class: "chip sev-" + (severityOf.get(id) || "info") + (withdrawn && withdrawn.has(id) ? " withdrawn" : ""),
      title: "查看问题 " + id,
      onclick: () => focusElement("table-" + t + "-finding-" + id),
    }, id));
  }

  function worstClass(ids, severityOf, withdrawn) {
    const live = ids.filter((id) => !withdrawn.has(id));
    if (!live.length) return "";
    const worst = Math.max(...live.map((id) => SEVERITY_RANK[severityOf.get(id)] || 0));
    return " flagged sev-" + ["info", "warning", "error"][worst];
  }

  function renderFields(table, t, severityOf, withdrawn) {
    const fields = (table.view && table.view.fields) || [];
    if (!fields.length) return null;
    const header = fields.filter((f) => f.group === "header");
    const narrative = fields.filter((f) => f.group === "narrative");
    const section = h("section", { class: "fields" }, h("h3", { text: "表头与文字内容" }));
    if (header.length) {
      section.append(h("dl", { class: "header-fields" }, header.map((f) => [
        h("dt", { class: worstClass(f.finding_ids, severityOf, withdrawn).trim() || null, text: f.name }),
        h("dd", { class: worstClass(f.finding_ids, severityOf, withdrawn).trim() || null }, f.text || "—",
          findingChips(f.finding_ids, t, severityOf, withdrawn)),
      ])));
    }
    narrative.forEach((f, k) => {
      const flagged = worstClass(f.finding_ids, severityOf, withdrawn);
      section.append(h("details", { class: "narrative" + flagged, open: flagged ? true : null, id: "table-" + t + "-field-" + k },
        h("summary", null, h("span", { text: f.name }), findingChips(f.finding_ids, t, severityOf, withdrawn)),
        h("p", { text: f.text || "（空）" })));
    });
    return section;
  }

  function renderTree(table, t, severityOf, withdrawn) {
    const tree = (table.view && table.view.tree) || [];
    if (!tree.length) return null;
    const hasUnit = tree.some((l1) => l1.children.some((l2) => l2.indicators.some((i) => i.unit)));
    const headRow = h("tr", null, ["一级指标", "二级指标", "三级指标", "指标值"].concat(hasUnit ? ["计量单位"] : [], ["问题"])
      .map((name) => h("th", { scope: "col", text: name })));
    const rows = [];
    tree.forEach((l1) => {
      const l1Rows = l1.children.reduce((n, l2) => n + Math.max(1, l2.indicators.length), 0) || 1;
      let firstOfL1 = true;
      const l1Cell = () => h("th", { scope: "rowgroup", rowspan: l1Rows, class: "l1" + worstClass(l1.finding_ids, severityOf, withdrawn) },
        l1.name || "（未标明）", findingChips(l1.finding_ids, t, severityOf, withdrawn));
      const children = l1.children.length ? l1.children : [{ name: null, finding_ids: [], indicators: [] }];
      children.forEach((l2) => {
        // a 二级 with no 三级 is one row; its findings go on that row
        const empty = !l2.indicators.length;
        const l2Cell = h("th", { scope: "rowgroup", rowspan: Math.max(1, l2.indicators.length), class: "l2" + worstClass(l2.finding_ids, severityOf, withdrawn) },
          l2.name || "（未标明）", empty ? null : findingChips(l2.finding_ids, t, severityOf, withdrawn));
        const indicators = empty ? [null] : l2.indicators;
        indicators.forEach((ind, k) => {
          const ids = ind ? ind.finding_ids : l2.finding_ids;
          const cells = [];
          if (firstOfL1) { cells.push(l1Cell()); firstOfL1 = false; }
          if (k === 0) cells.push(l2Cell);
          if (ind) {
            cells.push(h("td", { class: "l3", text: ind.name || "（未命名）" }));
            cells.push(h("td", { class: "target", text: ind.target || "—" }));
          } else {
            cells.push(h("td", { class: "l3 empty", colspan: 2, text: "（无三级指标）" }));
          }
          if (hasUnit) cells.push(h("td", { text: (ind && ind.unit) || "" }));
          cells.push(h("td", { class: "chips" }, findingChips(ids, t, severityOf, withdrawn)));
          rows.push(h("tr", { class: "indicator-row" + worstClass(ids, severityOf, withdrawn), title: ind && ind.position ? "位置：" + ind.position : null }, cells));
        });
      });
    });
    return h("section", { class: "tree" }, h("h3", { text: "绩效指标" }),
      h("div", { class: "table-scroll" }, h("table", { class: "indicators" }, h("thead", null, headRow), h("tbody", null, rows))));
  }

  function renderFindings(table, t, withdrawn) {
    const section = h("section", { class: "findings" }, h("h3", { text: "发现的问题（" + table.findings.length + "）" }));
    if (!table.findings.length) {
      section.append(h("p", { class: "muted", text: "未发现问题。" }));
      return section;
    }
    section.append(h("ol", { class: "finding-list" }, table.findings.map((f) => h("li", {
      id: "table-" + t + "-finding-" + f.id,
      class: "finding sev-" + f.severity + (withdrawn.has(f.id) ? " withdrawn" : ""),
    },
    h("div", { class: "finding-head" },
      h("span", { class: "fid", text: f.id }),
      h("span", { class: "severity sev-" + f.severity, text: SEVERITY[f.severity] || f.severity }),
      h("span", { class: "category", text: CATEGORY[f.category] || f.category }),
      h("code", { class: "rule", text: f.rule }),
      withdrawn.has(f.id) ? h("span", { class: "muted", text: "（对应意见已忽略）" }) : null),
    h("p", { class: "message", text: f.message }),
    f.location ? h("p", { class: "where" }, h("span", { class: "label", text: "位置：" }), f.location) : null,
    f.evidence ? h("p", { class: "evidence" }, h("span", { class: "label", text: "依据：" }), f.evidence) : null))));
    return section;
  }

  function renderComments(table, t) {
    const section = h("section", { class: "comments" });
    const live = table.comments.filter((_, c) => decision(t, c).status !== "dismissed").length;
    section.append(h("div", { class: "section-head" },
      h("h3", { text: "审核意见（" + live + "/" + table.comments.length + "）" }),
      table.comments.length ? h("button", { type: "button", class: "copy-all", onclick: (e) => copyAll(t, e.currentTarget) }, "复制本表全部意见") : null));
    if (!table.comments.length) {
      section.append(h("p", { class: "muted", text: "本表没有需要提出的意见。" }));
      return section;
    }
    const severityOf = new Map(table.findings.map((f) => [f.id, f.severity]));
    section.append(h("ol", { class: "comment-list" }, table.comments.map((comment, c) => renderComment(comment, t, c, severityOf))));
    return section;
  }

  function renderComment(comment, t, c, severityOf) {
    const d = decision(t, c);
    const status = d.status === "dismissed" ? "dismissed" : d.text != null && d.text !== comment.text ? "edited" : d.status;
    const item = h("li", { class: "comment status-" + status, id: "table-" + t + "-comment-" + c });
    const text = h("p", { class: "comment-text", text: commentText(t, c) });
    const meta = h("div", { class: "comment-meta" },
      comment.finding_ids.length ? h("span", { class: "muted", text: "对应问题：" }) : null,
      findingChips(comment.finding_ids, t, severityOf, null),
      h("span", { class: "source", text: comment.source === "llm" ? "模型起草" : "模板起草" }),
      comment.suggested ? h("span", { class: "source suggested", text: "模型补充" }) : null,
      h("span", { class: "status-label", text: STATUS[status] }));
    const actions = h("div", { class: "comment-actions" });
    if (status === "dismissed") {
      actions.append(h("button", { type: "button", onclick: () => setDecision(t, c, { status: "pending" }) }, "恢复"));
    } else {
      actions.append(
        h("button", { type: "button", class: "copy", onclick: (e) => copyText(commentText(t, c), e.currentTarget) }, "复制"),
        h("button", { type: "button", class: "accept", disabled: d.status === "accepted" ? true : null,
          onclick: () => setDecision(t, c, { status: "accepted" }) }, d.status === "accepted" ? "已采纳" : "采纳"),
        h("button", { type: "button", class: "edit", onclick: () => startEdit(item, t, c) }, "编辑"),
        h("button", { type: "button", class: "dismiss", onclick: () => setDecision(t, c, { status: "dismissed" }) }, "忽略"));
    }
    item.append(text, meta, actions);
    return item;
  }

  function startEdit(item, t, c) {
    const area = h("textarea", { class: "comment-editor", rows: 5, "aria-label": "修改意见" });
    area.value = commentText(t, c);
    const save = () => {
      const value = area.value.trim();
      if (!value) { area.setCustomValidity("意见不能为空"); area.reportValidity(); return; }
      setDecision(t, c, { text: value, status: "accepted" });
    };
    const actions = h("div", { class: "comment-actions" },
      h("button", { type: "button", class: "primary save", onclick: save }, "保存修改"),
      h("button", { type: "button", onclick: () => rerenderTable(t) }, "取消"),
      h("button", { type: "button", onclick: () => { area.value = result.tables[t].comments[c].text; } }, "恢复原文"));
    item.querySelector(".comment-text").replaceWith(area);
    item.querySelector(".comment-actions").replaceWith(actions);
    area.focus();
  }

  // ------------------------------------------------------------ copy, focus, download

  async function copyText(text, button) {
    let ok = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        ok = true;
      }
    } catch (_) { /* fall back below */ }
    if (!ok) {
      const area = h("textarea", { class: "clipboard-helper", readonly: true });
      area.value = text;
      document.body.append(area);
      area.select();
      try { ok = document.execCommand("copy"); } catch (_) { ok = false; }
      area.remove();
    }
    if (button) {
      const label = button.textContent;
      button.textContent = ok ? "已复制" : "复制失败，请手动选择";
      setTimeout(() => { button.textContent = label; }, 1500);
    }
  }

  function copyAll(t, button) {
    const table = result.tables[t];
    const texts = table.comments.map((_, c) => c).filter((c) => decision(t, c).status !== "dismissed").map((c) => commentText(t, c));
    const lines = texts.map((text, k) => (k + 1) + ". " + text);
    copyText([table.title + "（结论：" + currentVerdict(t) + "）"].concat(lines).join("\n"), button);
  }

  function focusElement(id) {
    const target = $(id);
    if (!target) return;
    target.scrollIntoView({ behavior: "smooth", block: "center" });
    target.classList.remove("flash");
    void target.offsetWidth; // restart the animation
    target.classList.add("flash");
  }

  function filenameFrom(response, fallback) {
    const header = response.headers.get("Content-Disposition") || "";
    const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (star) {
      try { return decodeURIComponent(star[1]); } catch (_) { /* use the plain name */ }
    }
    const plain = /filename="([^"]+)"/i.exec(header);
    return plain ? plain[1] : fallback;
  }

  async function download(format, button) {
    if (!result) return;
    showError("");
    button.disabled = true;
    try {
      const response = await fetch("/api/export", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ review_id: result.review_id, format: format, edits: editsPayload() }),
      });
      if (!response.ok) { showError(await errorMessage(response)); return; }
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const link = h("a", { href: url, download: filenameFrom(response, "审核意见." + format), hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (_) {
      showError("下载失败：无法连接审核服务。");
    } finally {
      button.disabled = false;
    }
  }

  // ------------------------------------------------------------ wiring

  $("review-form").addEventListener("submit", submitReview);
  $("clear").addEventListener("click", clearInput);
  $("paste").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) $("review-form").requestSubmit();
  });
  document.querySelectorAll(".downloads button").forEach((button) => {
    button.addEventListener("click", () => download(button.dataset.format, button));
  });
})();
