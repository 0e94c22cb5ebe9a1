// The staff dashboard: signs in with the staff key (kept in sessionStorage, sent as X-Api-Key),
// then draws the staff API's reports and forecasts. Plain script, no build step. Every value
// from the API is shown with textContent, never as HTML.
(() => {
  "use strict";
  const KEY = "orderbot.staffKey";
  const API = "/api/v1/staff";
  const $ = (id) => document.getElementById(id);
  const PLOT_CONFIG = { displayModeBar: false, responsive: true };
  const BRAND = "#7a4b2a";
  let currency = "EUR";

  class Unauthorized extends Error {}

  async function api(path) {
    const response = await fetch(API + path, {
      headers: { "X-Api-Key": sessionStorage.getItem(KEY) || "", Accept: "application/json" },
    });
    if (response.status === 401) throw new Unauthorized("The staff key was not accepted.");
    if (!response.ok) {
      let detail = `HTTP ${response.status}`;
      try { detail = (await response.json()).detail || detail; } catch (_) { /* not JSON */ }
      throw new Error(`${path}: ${detail}`);
    }
    return response.json();
  }

  const isoDay = (date) => date.toISOString().slice(0, 10);
  function period() {
    const days = Number($("range").value);
    const end = new Date();
    const start = new Date(end.getTime() - (days - 1) * 86400000);
    return `start=${isoDay(start)}&end=${isoDay(end)}`;
  }
  const money = (minor) => minor == null ? "–" : new Intl.NumberFormat("en-IE",
    { style: "currency", currency, maximumFractionDigits: 0 }).format(minor / 100);
  const percent = (rate) => rate == null ? "–" : `${(rate * 100).toFixed(1)} %`;
  const number = (n, digits = 0) => n == null ? "–" : Number(n).toLocaleString("en-IE",
    { maximumFractionDigits: digits, minimumFractionDigits: digits });

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  // ---- sign-in ---------------------------------------------------------------------------
  function showSignIn(message) {
    $("board").hidden = true;
    $("controls").hidden = true;
    $("sign-in").hidden = false;
    $("sign-in-error").textContent = message || "";
    $("staff-key").focus();
  }

  async function signIn(event) {
    event.preventDefault();
    sessionStorage.setItem(KEY, $("staff-key").value.trim());
    $("staff-key").value = "";
    await loadBoard();
  }

  function signOut() {
    sessionStorage.removeItem(KEY);
    showSignIn("Signed out.");
  }

  // ---- tiles and trend charts -------------------------------------------------------------
  function tile(id, label, value, sub, alert) {
    const node = element("div", undefined, alert ? "tile alert" : "tile");
    node.dataset.kpi = id;
    node.append(element("div", label, "label"), element("div", value, "value"));
    if (sub) node.append(element("div", sub, "sub"));
    return node;
  }

  function drawTiles(totals, forecasts) {
    const reorder = forecasts.data.filter((f) => f.suggested_quantity > 0).length;
    const acc = forecasts.accuracy;
    $("tiles").replaceChildren(
      tile("orders", "Orders", number(totals.orders)),
      tile("revenue", "Revenue", money(totals.revenue_minor)),
      tile("aov", "Average order", money(totals.aov_minor)),
      tile("csat", "CSAT", percent(totals.csat), "ratings 4–5"),
      tile("fill_rate", "Fill rate", percent(totals.fill_rate), "units shipped / ordered"),
      tile("cancellation_rate", "Cancelled", percent(totals.cancellation_rate)),
      tile("open_tickets", "Open tickets", number(totals.open_tickets), "now",
        totals.open_tickets > 0),
      tile("low_stock", "Low stock", number(totals.low_stock), "SKUs at or below threshold",
        totals.low_stock > 0),
      tile("reorder", "Reorder now", number(reorder), `at ${percent(forecasts.service_level)} service`,
        reorder > 0),
      tile("forecast_mase", "Forecast MASE", number(acc.mase, 2),
        `seasonal naive ${number(acc.naive_mase, 2)}`),
    );
  }

  function layout(extra) {
    return Object.assign({
      margin: { l: 48, r: 12, t: 8, b: 32 }, font: { size: 11 }, showlegend: false,
      paper_bgcolor: "#fff", plot_bgcolor: "#fff", xaxis: { type: "date" },
    }, extra);
  }

  function plot(id, traces, extra) {
    const node = $(id);
    return Plotly.react(node, traces, layout(extra), PLOT_CONFIG).then(() => {
      node.dataset.rendered = "true";
    });
  }

  function drawTrends(daily, weekly) {
    const days = daily.rows.map((r) => r.key);
    const weeks = weekly.rows.map((r) => r.key);
    return Promise.all([
      plot("chart-orders", [{ type: "bar", x: days, y: daily.rows.map((r) => r.orders),
        marker: { color: BRAND }, name: "orders" }]),
      plot("chart-revenue", [{ type: "scatter", mode: "lines", x: days,
        y: daily.rows.map((r) => (r.revenue_minor || 0) / 100), line: { color: BRAND },
        fill: "tozeroy", fillcolor: "rgba(122,75,42,0.12)", name: "revenue" }],
        { yaxis: { tickprefix: currency === "EUR" ? "€" : "" } }),
      plot("chart-csat", [{ type: "scatter", mode: "lines+markers", x: weeks,
        y: weekly.rows.map((r) => r.csat == null ? null : r.csat * 100), connectgaps: true,
        line: { color: "#2f7d4f" }, name: "CSAT" }], { yaxis: { range: [0, 100], ticksuffix: " %" } }),
      plot("chart-fill", [{ type: "scatter", mode: "lines+markers", x: weeks,
        y: weekly.rows.map((r) => r.fill_rate == null ? null : r.fill_rate * 100),
        connectgaps: true, line: { color: "#3b5b92" }, name: "fill rate" }],
        { yaxis: { range: [0, 105], ticksuffix: " %" } }),
    ]);
  }

  // ---- low stock, forecasts -----------------------------------------------------------------
  function drawReorder(forecasts) {
    const rows = forecasts.data
      .filter((f) => f.low_stock || f.suggested_quantity > 0)
      .sort((a, b) => (a.available - a.reorder_point) - (b.available - b.reorder_point));
    const body = $("reorder-table").tBodies[0];
    body.replaceChildren(...rows.map((f) => {
      const tr = element("tr", undefined, f.available <= f.reorder_point ? "urgent" : "");
      tr.dataset.sku = f.sku;
      const show = element("button", "Show");
      show.type = "button";
      show.setAttribute("aria-label", `Show the forecast for ${f.name}`);
      show.addEventListener("click", () => { $("forecast-sku").value = f.sku; drawForecast(); });
      const cell = element("td");
      cell.append(show);
      tr.append(element("td", f.sku), element("td", f.name),
        element("td", f.available, "num"), element("td", f.low_stock_threshold, "num"),
        element("td", f.lead_days, "num"), element("td", number(f.reorder_point, 1), "num"),
        element("td", f.suggested_quantity > 0 ? number(f.suggested_quantity) : "–", "num"), cell);
      return tr;
    }));
    if (!rows.length) {
      const tr = element("tr");
      const td = element("td", "Nothing is low or due for reordering.");
      td.colSpan = 8;
      tr.append(td);
      body.append(tr);
    }
  }

  function fillSkuSelect(forecasts) {
    const select = $("forecast-sku");
    const current = select.value;
    const sorted = [...forecasts.data].sort((a, b) => b.suggested_quantity - a.suggested_quantity
      || b.forecast_total - a.forecast_total);
    select.replaceChildren(...sorted.map((f) => {
      const option = element("option", `${f.name} (${f.sku})`);
      option.value = f.sku;
      return option;
    }));
    if (current && forecasts.data.some((f) => f.sku === current)) select.value = current;
    const acc = forecasts.accuracy;
    $("accuracy").textContent = `Backtest over ${acc.skus} SKUs (newest 28-day fold, method chosen on older folds): `
      + `mean MASE ${number(acc.mase, 3)} for the chosen methods vs ${number(acc.naive_mase, 3)} `
      + `for the seasonal-naive baseline. Fitted ${new Date(forecasts.computed_at).toLocaleString("en-IE")}`
      + ` in ${forecasts.compute_seconds} s${forecasts.stale ? " (refitting now)" : ""}.`;
  }

  async function drawForecast() {
    const sku = $("forecast-sku").value;
    if (!sku) return;
    const level = $("service-level").value;
    const f = await api(`/forecasts/${encodeURIComponent(sku)}?service_level=${level}`);
    const recent = f.history.slice(-70);
    const stockouts = recent.filter((d) => d.stockout);
    const traces = [
      { type: "bar", name: "sold", x: recent.map((d) => d.date), y: recent.map((d) => d.units),
        marker: { color: "rgba(122,75,42,0.55)" } },
      { type: "scatter", mode: "lines", name: `forecast (${f.method})`,
        x: f.forecast.map((d) => d.date), y: f.forecast.map((d) => d.units),
        line: { color: BRAND, width: 3, dash: "dot" } },
    ];
    if (stockouts.length) {
      traces.push({ type: "scatter", mode: "markers", name: "out of stock",
        x: stockouts.map((d) => d.date), y: stockouts.map(() => 0),
        marker: { color: "#b23b2e", symbol: "x", size: 9 } });
    }
    $("forecast-meta").textContent = `${f.name}: ${f.demand_class} demand, method ${f.method}; `
      + `backtest MASE ${number(f.mase, 2)} vs seasonal naive ${number(f.naive_mase, 2)}. `
      + `Next 28 days: ${number(f.forecast_total, 1)} units. Lead time ${f.lead_days} days: `
      + `${number(f.lead_time_demand, 1)} units + safety stock ${number(f.safety_stock, 1)} `
      + `= reorder point ${number(f.reorder_point, 1)}; available ${f.available}.`;
    await plot("chart-forecast", traces, { showlegend: true, legend: { orientation: "h", y: 1.12 },
      barmode: "overlay", yaxis: { rangemode: "tozero", title: { text: "units per day" } } });
  }

  // ---- feedback and tickets -------------------------------------------------------------
  function drawFeedback(feedback, words) {
    $("feedback-list").replaceChildren(...feedback.data.map((fb) => {
      const li = element("li", undefined, fb.rating <= 2 ? "low" : "");
      li.append(element("span", "★".repeat(fb.rating) + "☆".repeat(5 - fb.rating), "stars"),
        element("span", fb.comment || "(no comment)"),
        element("div", `${new Date(fb.created_at).toLocaleDateString("en-IE")} · `
          + `${fb.channel || "?"}${fb.order_number ? " · " + fb.order_number : ""}`, "meta"));
      li.querySelector(".stars").setAttribute("aria-label", `${fb.rating} of 5`);
      return li;
    }));
    $("feedback-words").textContent = words.rows.slice(0, 10)
      .map((r) => `${r.key} (${r.count})`).join(", ") || "none";
  }

  function drawTickets(open, assigned) {
    // "Open" as in the tile: not yet resolved, whether or not someone took it.
    const tickets = [...open.data, ...assigned.data]
      .sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(0, 10);
    const body = $("tickets-table").tBodies[0];
    body.replaceChildren(...tickets.map((t) => {
      const tr = element("tr");
      tr.append(element("td", t.id), element("td", t.reason), element("td", t.order_number || "–"),
        element("td", t.status), element("td", t.channel || "–"),
        element("td", new Date(t.created_at).toLocaleString("en-IE")));
      return tr;
    }));
  }

  // ---- loading --------------------------------------------------------------------------
  async function loadBoard(refresh) {
    $("status").textContent = "Loading…";
    const range = period();
    const level = $("service-level").value;
    try {
      const [summary, daily, weekly, forecasts, feedback, words, open, assigned] = await Promise.all([
        api(`/reports/summary?${range}&group_by=none`),
        api(`/reports/summary?${range}&group_by=day`),
        api(`/reports/summary?${range}&group_by=week`),
        api(`/forecasts?service_level=${level}${refresh ? "&refresh=true" : ""}`),
        api("/feedback?limit=8"),
        api(`/reports/feedback?${range}&group_by=word`),
        api("/tickets?status=open&limit=10"),
        api("/tickets?status=assigned&limit=10"),
      ]);
      currency = summary.currency || currency;
      $("sign-in").hidden = true;
      $("board").hidden = false;
      $("controls").hidden = false;
      drawTiles(summary.totals, forecasts);
      drawReorder(forecasts);
      fillSkuSelect(forecasts);
      drawFeedback(feedback, words);
      drawTickets(open, assigned);
      await Promise.all([drawTrends(daily, weekly), drawForecast()]);
      $("status").textContent = `Updated ${new Date().toLocaleTimeString("en-IE")}.`;
      document.body.dataset.ready = "true";
    } catch (error) {
      if (error instanceof Unauthorized) {
        sessionStorage.removeItem(KEY);
        showSignIn(error.message);
      } else {
        $("status").textContent = `Could not load: ${error.message}`;
      }
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("sign-in-form").addEventListener("submit", signIn);
    $("sign-out").addEventListener("click", signOut);
    $("range").addEventListener("change", () => loadBoard());
    $("refresh").addEventListener("click", () => loadBoard(true));
    $("service-level").addEventListener("change", () => loadBoard());
    $("forecast-sku").addEventListener("change", () => drawForecast().catch((e) => {
      $("status").textContent = `Could not load the forecast: ${e.message}`;
    }));
    if (sessionStorage.getItem(KEY)) loadBoard(); else showSignIn();
  });
})();
