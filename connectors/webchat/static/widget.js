/* orderbot web chat widget: one plain script, no build step; it loads its styles (widget.css)
 * from beside itself, so a page still needs only the one <script> tag.
 * Usage: <script src="https://shop.example/webchat/widget.js" data-bot-url="https://shop.example"
 *   data-title="Shop assistant" data-color="#7a4b2a" data-lang="en" data-open="false"></script>
 * or call window.OrderbotWidget.init({botUrl, title, color, lang, open, live}) yourself.
 * localStorage holds the conversation (all tabs share it), the messages not yet answered (sent
 * again with the same client id until the gateway answers) and the last live event id. */
(function () {
  "use strict";
  var STORAGE_KEY = "orderbot.chat";
  var RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000];

  function loadState() {
    try {
      var s = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
      if (s && typeof s.sessionId === "string" && Array.isArray(s.history)) {
        s.outbox = Array.isArray(s.outbox) ? s.outbox : [];
        s.lastEventId = Number(s.lastEventId) || 0;
        s.history.forEach(function (e, i) { e.key = e.key || "old:" + i; });
        return s;
      }
    } catch (e) { /* corrupted storage: start over */ }
    return { sessionId: randomHex(16), history: [], outbox: [], lastEventId: 0 };
  }

  function saveState(state) {
    state.history = state.history.slice(-200);
    localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
  }

  function randomHex(n) {
    var bytes = new Uint8Array(n);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function uuid() {
    if (window.crypto.randomUUID) return window.crypto.randomUUID();
    var h = randomHex(16);
    return [h.slice(0, 8), h.slice(8, 12), "4" + h.slice(13, 16), "8" + h.slice(17, 20), h.slice(20)].join("-");
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text); // never innerHTML
    return node;
  }

  function safeUrl(src, base) {
    try { var url = new URL(String(src), base || location.href); return /^https?:$/.test(url.protocol) ? url.href : null; }
    catch (e) { return null; }
  }

  // A speech-bubble icon drawn inline: no icon font or emoji font needed.
  function chatIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("width", "28");
    svg.setAttribute("height", "28");
    svg.setAttribute("aria-hidden", "true");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  // The styles live in widget.css beside this script; a <link> works from any site (no CORS).
  // Until it has loaded, the widget stays invisible rather than showing unstyled.
  function loadStyle(botUrl, elements) {
    elements.forEach(function (node) { node.style.visibility = "hidden"; });
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = botUrl + "/webchat/widget.css";
    link.onload = link.onerror = function () {
      elements.forEach(function (node) { node.style.visibility = ""; });
    };
    document.head.appendChild(link);
  }

  function formatPrice(price, currency, lang) {
    if (typeof price !== "number") return price === undefined || price === null ? "" : String(price);
    try { return new Intl.NumberFormat(lang, { style: "currency", currency: currency || "EUR" }).format(price); }
    catch (e) { return String(price); }
  }

  // A Rasa reply as a history entry: only plain data is kept.
  function entryFrom(reply, key) {
    var entry = { key: key, from: "bot", text: reply.text || "", at: Date.now() };
    if (reply.image) entry.image = String(reply.image);
    if (Array.isArray(reply.buttons)) {
      entry.buttons = reply.buttons.map(function (b) { return { title: String(b.title || b.payload || ""), payload: String(b.payload || b.title || "") }; });
    }
    var custom = reply.custom;
    if (custom && custom.type === "product_cards" && Array.isArray(custom.products)) {
      entry.currency = custom.currency;
      entry.products = custom.products.map(function (p) {
        return { name: String(p.name || ""), price: p.price, image: p.image ? String(p.image) : null, available: p.available !== false, payload: p.payload ? String(p.payload) : null };
      });
    }
    return entry;
  }

  function init(options) {
    options = options || {};
    var botUrl = (options.botUrl || "").replace(/\/$/, "");
    var base = botUrl || location.href;
    var lang = options.lang || document.documentElement.lang || "en";
    var state = loadState();

    var launcher = el("button", "obw-launcher");
    launcher.type = "button";
    launcher.appendChild(chatIcon());
    launcher.setAttribute("aria-expanded", "false");
    var panel = el("section", "obw-panel");
    panel.id = "obw-panel";
    panel.lang = lang;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", options.title || "Chat");
    launcher.setAttribute("aria-controls", panel.id);
    var header = el("div", "obw-header");
    header.appendChild(el("span", "", options.title || "Shop assistant"));
    var close = el("button", "obw-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", "Hide chat");
    header.appendChild(close);
    var notice = el("div", "obw-notice");
    notice.setAttribute("role", "status");
    notice.hidden = true;
    var log = el("div", "obw-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-label", "Conversation");
    log.tabIndex = 0;
    var typing = el("div", "obw-typing", "Assistant is typing…");
    typing.setAttribute("role", "status");
    typing.hidden = true;
    var form = el("form", "obw-form");
    var input = el("input");
    input.type = "text";
    input.placeholder = "Type a message…";
    input.setAttribute("aria-label", "Message");
    input.maxLength = 2000;
    var send = el("button", "", "Send");
    send.type = "submit";
    form.appendChild(input);
    form.appendChild(send);
    [header, notice, log, typing, form].forEach(function (node) { panel.appendChild(node); });
    [launcher, panel].forEach(function (node) {
      if (options.color) node.style.setProperty("--obw-color", options.color);
      document.body.appendChild(node);
    });
    loadStyle(botUrl, [launcher, panel]);

    var rendered = {}; // entry key -> its bubble, so every entry shows once per tab

    function render(entry) {
      var bubble = el("div", "obw-msg " + (entry.from === "user" ? "obw-user" : "obw-bot"));
      bubble.dataset.key = entry.key;
      if (entry.text) bubble.appendChild(document.createTextNode(entry.text));
      var src = entry.image && safeUrl(entry.image, base);
      if (src) {
        var img = el("img");
        img.src = src;
        img.alt = entry.text ? "Image: " + entry.text : "Image from the assistant";
        bubble.appendChild(img);
      }
      var time = el("time", "obw-time", new Date(entry.at).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" }));
      time.dateTime = new Date(entry.at).toISOString();
      bubble.appendChild(time);
      if (entry.from === "user") {
        var mark = el("span", "obw-time obw-state", "Not sent yet: will retry");
        mark.hidden = true;
        bubble.appendChild(mark);
      }
      if (entry.text || src || !entry.products) log.appendChild(bubble);
      if (entry.products && entry.products.length) log.appendChild(productCards(entry));
      if (entry.buttons && entry.buttons.length) {
        var row = el("div", "obw-buttons");
        row.setAttribute("role", "group");
        row.setAttribute("aria-label", "Quick replies");
        entry.buttons.forEach(function (b) { row.appendChild(actionButton(b.title, b.payload, b.title)); });
        log.appendChild(row);
      }
      rendered[entry.key] = bubble;
      log.scrollTop = log.scrollHeight;
    }

    function productCards(entry) {
      var list = el("ul", "obw-cards");
      list.setAttribute("aria-label", "Products");
      entry.products.forEach(function (p) {
        var card = el("li", "obw-card");
        var src = p.image && safeUrl(p.image, base);
        if (src) { var img = el("img"); img.src = src; img.alt = p.name; card.appendChild(img); }
        card.appendChild(el("strong", "", p.name));
        card.appendChild(el("span", "obw-price", formatPrice(p.price, entry.currency, lang)));
        card.appendChild(el("span", "obw-stock" + (p.available ? "" : " obw-out"), p.available ? "In stock" : "Out of stock"));
        if (p.payload) card.appendChild(actionButton("Choose", p.payload, p.name, "Choose " + p.name));
        list.appendChild(card);
      });
      return list;
    }

    function actionButton(label, payload, shown, ariaLabel) {
      var button = el("button", "", label);
      button.type = "button";
      if (ariaLabel) button.setAttribute("aria-label", ariaLabel);
      button.addEventListener("click", function () { post(payload, shown); });
      return button;
    }

    // Storage is the source of truth: read it, change it, write it, then show what is new.
    function update(change) {
      state = loadState();
      change(state);
      saveState(state);
      sync();
    }

    function sync() {
      var pending = {};
      state.outbox.forEach(function (item) { pending["u:" + item.id] = true; });
      state.history.forEach(function (entry) { if (!rendered[entry.key]) render(entry); });
      Object.keys(rendered).forEach(function (key) {
        var mark = rendered[key].querySelector(".obw-state");
        if (mark) mark.hidden = !pending[key];
      });
    }

    function post(payload, shownText) {
      var id = uuid();
      update(function (s) {
        s.history.push({ key: "u:" + id, from: "user", text: shownText, at: Date.now() });
        s.outbox.push({ id: id, text: payload });
      });
      flush();
    }

    var sending = false, attempt = 0, retryTimer = null;

    // Sends the oldest unanswered message; on a network failure tries again later with the same id.
    function flush() {
      var item = loadState().outbox[0];
      if (sending || !item) return;
      sending = true;
      typing.hidden = false;
      clearTimeout(retryTimer);
      fetch(botUrl + "/webchat/messages", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ session_id: state.sessionId, text: item.text, client_message_id: item.id })
      })
        .then(function (r) {
          if (r.status >= 400 && r.status < 500) return { replies: [{ text: "Sorry, that message could not be sent." }] };
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        })
        .then(function (body) {
          attempt = 0;
          notice.hidden = true;
          update(function (s) {
            s.outbox = s.outbox.filter(function (o) { return o.id !== item.id; });
            body.replies.forEach(function (reply, i) {
              var key = "r:" + item.id + ":" + i;
              if (!s.history.some(function (e) { return e.key === key; })) s.history.push(entryFrom(reply, key));
            });
          });
          sending = false;
          typing.hidden = true;
          flush();
        })
        .catch(function () {
          sending = false;
          typing.hidden = true;
          showNotice("Connection lost. Your message will be sent when the connection is back.");
          retryTimer = setTimeout(flush, RETRY_DELAYS[Math.min(attempt++, RETRY_DELAYS.length - 1)]);
        });
    }

    function showNotice(text) { notice.textContent = text; notice.hidden = false; }

    // Proactive messages (notifications, a human agent) over Server-Sent Events.
    var source = null;
    function connect() {
      if (options.live === false || options.live === "false" || !window.EventSource) return;
      if (source) source.close();
      source = new EventSource(botUrl + "/webchat/stream?session_id=" + encodeURIComponent(state.sessionId) +
        "&last_event_id=" + loadState().lastEventId);
      source.onmessage = function (event) {
        var id = Number(event.lastEventId), message;
        try { message = JSON.parse(event.data); } catch (e) { return; }
        update(function (s) {
          if (!(id > s.lastEventId)) return; // another tab already stored it
          s.lastEventId = id;
          s.history.push(entryFrom(message, "p:" + id));
        });
      };
      source.onerror = function () { if (source.readyState === 2) setTimeout(connect, 5000); };
    }

    function toggle(open) {
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", String(open));
      launcher.setAttribute("aria-label", open ? "Close chat" : "Open chat");
      if (open) { input.focus(); log.scrollTop = log.scrollHeight; }
    }

    launcher.addEventListener("click", function () { toggle(panel.hidden); });
    close.addEventListener("click", function () { toggle(false); launcher.focus(); });
    panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { toggle(false); launcher.focus(); } });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      input.value = "";
      post(text, text);
    });
    window.addEventListener("storage", function (e) { if (e.key === STORAGE_KEY && e.newValue) { state = loadState(); sync(); } });
    window.addEventListener("offline", function () { showNotice("You are offline. Messages will be sent when you are back."); });
    window.addEventListener("online", function () {
      notice.hidden = true;
      attempt = 0;
      flush();
      if (!source || source.readyState === 2) connect();
    });

    saveState(state);
    sync();
    flush();
    connect();
    toggle(options.open === true || options.open === "true");
    return { open: function () { toggle(true); }, close: function () { toggle(false); } };
  }

  window.OrderbotWidget = { init: init };
  var script = document.currentScript;
  if (script && script.dataset.autoInit !== "false") {
    var start = function () {
      init({
        botUrl: script.dataset.botUrl || new URL(script.src).origin,
        title: script.dataset.title,
        color: script.dataset.color,
        lang: script.dataset.lang,
        open: script.dataset.open,
        live: script.dataset.live
      });
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
  }
})();
