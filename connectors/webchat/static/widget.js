/* orderbot web chat widget: one plain script, no build step.
 * Usage: <script src="https://shop.example/webchat/widget.js" data-bot-url="https://shop.example"
 *                 data-title="Shop assistant" data-color="#7a4b2a" data-open="false"></script>
 * or call window.OrderbotWidget.init({botUrl, title, color, open}) yourself. */
(function () {
  "use strict";
  var STORAGE_KEY = "orderbot.chat";

  function loadState() {
    try {
      var state = JSON.parse(localStorage.getItem(STORAGE_KEY) || "null");
      if (state && typeof state.sessionId === "string" && Array.isArray(state.history)) return state;
    } catch (e) { /* corrupted storage: start over */ }
    return { sessionId: newSessionId(), history: [] };
  }

  function newSessionId() {
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function saveState(state) {
    state.history = state.history.slice(-200);
    localStorage.setItem(STORAGE_KEY, JSON.stringify(state));
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text; // never innerHTML: bot and user text stay text
    return node;
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

  function injectStyle(color) {
    var css =
      ".obw-launcher{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;" +
      "background:" + color + ";color:#fff;cursor:pointer;display:flex;align-items:center;justify-content:center;box-shadow:0 4px 12px rgba(0,0,0,.25);z-index:2147483000}" +
      ".obw-panel{position:fixed;right:20px;bottom:88px;width:360px;max-width:calc(100vw - 24px);height:520px;" +
      "max-height:calc(100vh - 110px);background:#fff;border-radius:12px;box-shadow:0 8px 28px rgba(0,0,0,.25);" +
      "display:flex;flex-direction:column;overflow:hidden;font:15px/1.4 system-ui,sans-serif;z-index:2147483000}" +
      ".obw-panel[hidden]{display:none}" +
      ".obw-header{background:" + color + ";color:#fff;padding:12px 16px;font-weight:600}" +
      ".obw-log{flex:1;overflow-y:auto;padding:12px;background:#faf7f4}" +
      ".obw-msg{max-width:85%;margin:6px 0;padding:8px 12px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}" +
      ".obw-user{margin-left:auto;background:" + color + ";color:#fff}" +
      ".obw-bot{background:#fff;border:1px solid #e6ded6}" +
      ".obw-time{display:block;font-size:11px;opacity:.6;margin-top:2px}" +
      ".obw-buttons{display:flex;flex-wrap:wrap;gap:6px;margin:4px 0}" +
      ".obw-buttons button{border:1px solid " + color + ";background:#fff;color:" + color + ";border-radius:14px;padding:4px 10px;cursor:pointer}" +
      ".obw-msg img{max-width:100%;border-radius:8px}" +
      ".obw-typing{font-style:italic;opacity:.7;padding:0 14px 6px}" +
      ".obw-form{display:flex;border-top:1px solid #eee}" +
      ".obw-form input{flex:1;border:0;padding:12px;font:inherit}" +
      ".obw-form button{border:0;background:" + color + ";color:#fff;padding:0 16px;cursor:pointer}" +
      "@media (max-width:480px){.obw-panel{right:0;bottom:0;width:100vw;max-width:100vw;height:100vh;max-height:100vh;border-radius:0}}";
    var style = el("style");
    style.textContent = css;
    document.head.appendChild(style);
  }

  function init(options) {
    options = options || {};
    var botUrl = (options.botUrl || "").replace(/\/$/, "");
    var color = options.color || "#7a4b2a";
    var state = loadState();
    injectStyle(color);

    var launcher = el("button", "obw-launcher");
    launcher.appendChild(chatIcon());
    launcher.setAttribute("aria-label", "Open chat");
    launcher.setAttribute("aria-expanded", "false");
    var panel = el("section", "obw-panel");
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-label", options.title || "Chat");
    panel.hidden = true;
    var header = el("div", "obw-header", options.title || "Shop assistant");
    var log = el("div", "obw-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    var typing = el("div", "obw-typing", "Assistant is typing…");
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
    panel.appendChild(header);
    panel.appendChild(log);
    panel.appendChild(typing);
    panel.appendChild(form);
    document.body.appendChild(launcher);
    document.body.appendChild(panel);

    function render(entry) {
      var bubble = el("div", "obw-msg " + (entry.from === "user" ? "obw-user" : "obw-bot"));
      if (entry.text) bubble.appendChild(document.createTextNode(entry.text));
      if (entry.image) {
        var img = el("img");
        img.src = entry.image;
        img.alt = entry.text || "image";
        bubble.appendChild(img);
      }
      var time = el("time", "obw-time", new Date(entry.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
      time.dateTime = new Date(entry.at).toISOString();
      bubble.appendChild(time);
      log.appendChild(bubble);
      if (entry.buttons && entry.buttons.length) {
        var row = el("div", "obw-buttons");
        entry.buttons.forEach(function (b) {
          var button = el("button", "", b.title);
          button.type = "button";
          button.addEventListener("click", function () { post(b.payload, b.title); });
          row.appendChild(button);
        });
        log.appendChild(row);
      }
      log.scrollTop = log.scrollHeight;
    }

    function remember(entry) {
      state.history.push(entry);
      saveState(state);
      render(entry);
    }

    function post(payload, shownText) {
      remember({ from: "user", text: shownText, at: Date.now() });
      typing.hidden = false;
      fetch(botUrl + "/webchat/messages", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ session_id: state.sessionId, text: payload })
      })
        .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
        .then(function (body) {
          body.replies.forEach(function (reply) {
            remember({ from: "bot", text: reply.text || "", image: reply.image, buttons: reply.buttons, at: Date.now() });
          });
        })
        .catch(function () {
          render({ from: "bot", text: "Connection problem: your message may not have been sent. Please try again.", at: Date.now() });
        })
        .then(function () { typing.hidden = true; });
    }

    function toggle(open) {
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", String(open));
      launcher.setAttribute("aria-label", open ? "Close chat" : "Open chat");
      if (open) input.focus();
    }

    launcher.addEventListener("click", function () { toggle(panel.hidden); });
    panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { toggle(false); launcher.focus(); } });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      input.value = "";
      post(text, text);
    });

    state.history.forEach(render);
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
        open: script.dataset.open
      });
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
  }
})();
