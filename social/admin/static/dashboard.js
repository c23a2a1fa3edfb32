"use strict";
(() => {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const fmt = new Intl.NumberFormat();
  const SVG = "http://www.w3.org/2000/svg";
  let filter = "all";
  let current = JSON.parse($("snapshot").textContent);
  let known = new Set(current.trends.map((t) => t.id));

  function el(tag, props = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(props)) {
      if (key === "class") node.className = value;
      else if (key.startsWith("data-")) node.setAttribute(key, value);
      else node[key] = value;
    }
    node.append(...children);
    return node;
  }

  function sparkline(values, accounts, bucketS) {
    const width = 132, height = 34, pad = 3;
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("class", "spark");
    svg.setAttribute("role", "img");
    const total = values.reduce((a, b) => a + b, 0);
    const minutes = Math.round((values.length * bucketS) / 60);
    svg.setAttribute("aria-label", `${total} uses in the last ${minutes} minutes`);
    const title = document.createElementNS(SVG, "title");
    title.textContent = values
      .map((v, i) => `${Math.round(((values.length - 1 - i) * bucketS) / 60)} min ago: ${v} uses, ${accounts[i]} accounts`)
      .join("\n");
    svg.append(title);
    if (values.length < 2) return svg;
    const max = Math.max(1, ...values);
    const step = (width - 2 * pad) / (values.length - 1);
    const pts = values.map((v, i) => [pad + i * step, height - pad - (v / max) * (height - 2 * pad)]);
    const line = pts.map(([x, y], i) => `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`).join("");
    const area = document.createElementNS(SVG, "path");
    area.setAttribute("d", `${line}L${pts.at(-1)[0].toFixed(1)},${height - pad}L${pad},${height - pad}Z`);
    area.setAttribute("fill", "currentColor");
    area.setAttribute("fill-opacity", "0.14");
    const stroke = document.createElementNS(SVG, "path");
    stroke.setAttribute("d", line);
    stroke.setAttribute("fill", "none");
    stroke.setAttribute("stroke", "currentColor");
    stroke.setAttribute("stroke-width", "1.8");
    stroke.setAttribute("stroke-linejoin", "round");
    stroke.setAttribute("stroke-linecap", "round");
    const dot = document.createElementNS(SVG, "circle");
    dot.setAttribute("cx", pts.at(-1)[0]);
    dot.setAttribute("cy", pts.at(-1)[1]);
    dot.setAttribute("r", "2.6");
    dot.setAttribute("fill", "currentColor");
    svg.append(area, stroke, dot);
    return svg;
  }

  function reviewButton(tag, action, label, disabled) {
    const button = el("button", { type: "button", class: action, textContent: label, disabled });
    button.addEventListener("click", () => review(tag, action, button));
    return button;
  }

  function row(tag, rank, bucketS) {
    const tr = el("tr", { "data-id": tag.id });
    if (!known.has(tag.id)) tr.classList.add("fresh");
    tr.append(
      el("td", { class: "tag" }, el("span", { class: "rank", textContent: rank }),
        el("a", { href: tag.url, textContent: `#${tag.name}`, target: "_blank", rel: "noopener" })),
      el("td", { class: "spark-cell" }, sparkline(tag.sparkline, tag.sparkline_accounts, bucketS)),
      el("td", { class: "num", textContent: tag.score.toFixed(1) }),
      el("td", { class: "num", textContent: fmt.format(tag.uses) }),
      el("td", { class: "num", textContent: fmt.format(tag.accounts) }),
      el("td", {}, el("span", { class: `badge ${tag.review}`, textContent: tag.review })),
      el("td", {}, el("div", { class: "actions" },
        reviewButton(tag, "approve", "Approve", tag.review === "approved"),
        reviewButton(tag, "reject", "Reject", tag.review === "rejected"))),
    );
    return tr;
  }

  function renderTrends(snapshot) {
    const shown = snapshot.trends.filter((t) => filter === "all" || t.review === filter);
    $("trends").replaceChildren(...shown.map((t, i) => row(t, i + 1, snapshot.bucket_s)));
    $("trends-empty").hidden = shown.length > 0;
    setTimeout(() => document.querySelectorAll("tr.fresh").forEach((tr) => tr.classList.remove("fresh")), 1200);
    known = new Set(snapshot.trends.map((t) => t.id));
  }

  function renderPipeline(p) {
    $("stream-length").textContent = fmt.format(p.length);
    $("outbox-unsent").textContent = fmt.format(p.outbox_unsent);
    const rows = Object.entries(p.groups).map(([name, g]) => {
      const cell = (value, alarm) => el("td", { class: alarm ? "num alarm" : "num", textContent: value === null ? "–" : fmt.format(value) });
      return el("tr", {}, el("td", { textContent: name }),
        cell(g.lag, g.lag > 100), cell(g.pending, g.pending > 100), cell(g.dead_letters, g.dead_letters > 0));
    });
    $("groups").replaceChildren(...rows);
  }

  function renderScheduler(s) {
    const rows = Object.entries(s.kinds).map(([kind, k]) => {
      const cell = (value, alarm) => el("td", { class: alarm ? "num alarm" : "num", textContent: fmt.format(value) });
      return el("tr", {}, el("td", { textContent: kind }),
        cell(k.pending, false), cell(k.due, k.due > 100), cell(k.dead, k.dead > 0));
    });
    $("jobs").replaceChildren(...rows);
  }

  function renderCache(c) {
    const ratio = c.ratio === null ? null : Math.round(c.ratio * 1000) / 10;
    $("cache-ratio").textContent = ratio === null ? "–" : `${ratio}%`;
    $("cache-bar").style.width = `${ratio ?? 0}%`;
    $("cache-detail").textContent = `${fmt.format(c.hits)} hits, ${fmt.format(c.misses)} misses since start`;
  }

  function render(snapshot) {
    current = snapshot;
    renderTrends(snapshot);
    renderPipeline(snapshot.pipeline);
    renderScheduler(snapshot.scheduler);
    renderCache(snapshot.cache);
  }

  function banner(text) {
    $("banner").textContent = text;
    $("banner").hidden = !text;
  }

  function liveState(state, text) {
    $("live").dataset.state = state;
    $("live-text").textContent = text;
  }

  async function post(path) {
    const response = await fetch(path, { method: "POST", headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" });
    if (response.status === 401) window.location.assign("/admin/login");
    return response;
  }

  async function review(tag, action, button) {
    button.disabled = true;
    const response = await post(`/admin/tags/${encodeURIComponent(tag.id)}/${action}`);
    if (!response.ok) {
      banner(`Could not ${action} #${tag.name} (${response.status}).`);
      button.disabled = false;
      return;
    }
    const updated = await response.json();
    current.trends = current.trends.map((t) => (t.id === updated.id ? { ...t, review: updated.review, trendable: updated.trendable } : t));
    banner("");
    renderTrends(current);
  }

  document.querySelectorAll(".tabs button").forEach((tab) => {
    tab.addEventListener("click", () => {
      filter = tab.dataset.filter;
      document.querySelectorAll(".tabs button").forEach((b) => b.setAttribute("aria-selected", String(b === tab)));
      renderTrends(current);
    });
  });

  $("logout").addEventListener("click", async () => {
    await post("/admin/logout");
    window.location.assign("/admin/login");
  });

  function connect() {
    const source = new EventSource("/admin/live");
    source.onopen = () => liveState("live", "Live");
    source.onmessage = (event) => {
      liveState("live", `Live · updated ${new Date().toLocaleTimeString()}`);
      banner("");
      render(JSON.parse(event.data));
    };
    source.addEventListener("outage", () => banner("Redis or the database is not answering; retrying…"));
    source.addEventListener("signed-out", () => {
      source.close();
      window.location.assign("/admin/login");
    });
    source.onerror = () => liveState("down", "Reconnecting…");
  }

  render(current);
  connect();
})();
