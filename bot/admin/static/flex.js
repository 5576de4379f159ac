/* A small renderer for LINE messages (text, template, Flex bubble/carousel) in the console preview.
   Hand-written (no CDN allowed); everything from data goes through textContent, never innerHTML. */
(function () {
  "use strict";
  var SIZES = {xxs: 11, xs: 12, sm: 13, md: 14, lg: 16, xl: 18, xxl: 20, "3xl": 24, "4xl": 28, "5xl": 32};
  var SPACES = {none: 0, xs: 2, sm: 4, md: 8, lg: 12, xl: 16, xxl: 20};

  function el(tag, cls) { var e = document.createElement(tag); if (cls) e.className = cls; return e; }
  function color(value) { return /^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/.test(value || "") ? value : null; }
  function px(value, table) {
    if (value == null) return null;
    if (table && table[value] != null) return table[value] + "px";
    return /^\d+(\.\d+)?(px|%)$/.test(String(value)) ? String(value) : null;
  }
  function safeUrl(value) { return /^https?:\/\//i.test(value || "") ? value : null; }

  function applyBox(node, e) {
    var pad = px(node.paddingAll, SPACES); if (pad) e.style.padding = pad;
    ["Top", "Bottom", "Start", "End"].forEach(function (side) {
      var v = px(node["padding" + side], SPACES);
      if (v) e.style["padding" + (side === "Start" ? "Left" : side === "End" ? "Right" : side)] = v;
    });
    var bg = color(node.backgroundColor); if (bg) e.style.backgroundColor = bg;
    var radius = px(node.cornerRadius, SPACES); if (radius) e.style.borderRadius = radius;
    if (node.flex != null && !isNaN(node.flex)) e.style.flex = String(node.flex);
  }

  function renderText(node) {
    var e = el("div", "fx-text");
    if (Array.isArray(node.contents) && node.contents.length) {
      node.contents.forEach(function (span) {
        var s = el("span"); s.textContent = span.text || "";
        if (span.weight === "bold") s.style.fontWeight = "bold";
        var c = color(span.color); if (c) s.style.color = c;
        e.appendChild(s);
      });
    } else {
      e.textContent = node.text || "";
    }
    var size = px(node.size, SIZES); if (size) e.style.fontSize = size;
    if (node.weight === "bold") e.style.fontWeight = "bold";
    var c = color(node.color); if (c) e.style.color = c;
    if (node.align === "center" || node.align === "end") e.style.textAlign = node.align === "end" ? "right" : "center";
    if (!node.wrap) { e.style.whiteSpace = "nowrap"; e.style.overflow = "hidden"; e.style.textOverflow = "ellipsis"; }
    else { e.style.whiteSpace = "pre-wrap"; }
    if (node.flex != null && !isNaN(node.flex)) e.style.flex = String(node.flex);
    var m = px(node.margin, SPACES); if (m) e.style.marginTop = m;
    return e;
  }

  function renderNode(node, parentLayout) {
    if (!node || typeof node !== "object") return el("span");
    var e;
    switch (node.type) {
      case "box":
        e = el("div", "fx-box fx-" + (node.layout || "vertical"));
        applyBox(node, e);
        var gap = px(node.spacing, SPACES); if (gap) e.style.gap = gap;
        (node.contents || []).forEach(function (child) { e.appendChild(renderNode(child, node.layout)); });
        break;
      case "text": e = renderText(node); break;
      case "span": e = el("span"); e.textContent = node.text || ""; break;
      case "image":
        var url = safeUrl(node.url);
        e = url ? el("img", "fx-image") : el("div", "fx-image");
        if (url) { e.src = url; e.alt = ""; e.loading = "lazy"; }
        break;
      case "icon": e = el("span", "fx-icon"); e.textContent = "•"; break;
      case "button":
        e = el("div", "fx-button" + (node.style === "primary" ? " fx-primary" : ""));
        e.textContent = (node.action && node.action.label) || "";
        break;
      case "separator": e = el("div", "fx-separator"); break;
      case "filler": case "spacer": e = el("div"); e.style.flex = "1"; break;
      default: e = el("div"); e.textContent = "[" + String(node.type) + "]";
    }
    var margin = px(node.margin, SPACES);
    if (margin && node.type !== "text") e.style[parentLayout === "horizontal" ? "marginLeft" : "marginTop"] = margin;
    return e;
  }

  function renderBubble(bubble) {
    var e = el("div", "fx-bubble");
    ["header", "hero", "body", "footer"].forEach(function (part) {
      if (!bubble[part]) return;
      var block = renderNode(bubble[part]);
      if (part !== "hero" && !bubble[part].paddingAll) block.style.padding = "12px";
      e.appendChild(block);
    });
    return e;
  }

  function renderFlex(contents) {
    if (contents && contents.type === "carousel") {
      var c = el("div", "fx-carousel");
      (contents.contents || []).forEach(function (b) { c.appendChild(renderBubble(b)); });
      return c;
    }
    return renderBubble(contents || {});
  }

  function renderTemplate(t) {
    var e = el("div", "fx-bubble");
    e.style.padding = "12px";
    if (t.title) { var h = el("div", "fx-text"); h.style.fontWeight = "bold"; h.textContent = t.title; e.appendChild(h); }
    var p = el("div", "fx-text"); p.textContent = t.text || ""; e.appendChild(p);
    (t.actions || []).forEach(function (a) { var b = el("div", "fx-button"); b.textContent = a.label || ""; e.appendChild(b); });
    return e;
  }

  function renderMessage(message) {
    var wrap = el("div", "fx-message");
    if (!message) return wrap;
    if (message.type === "flex") wrap.appendChild(renderFlex(message.contents));
    else if (message.type === "template") wrap.appendChild(renderTemplate(message.template || {}));
    else if (message.type === "text") { var t = el("div", "fx-textmsg"); t.textContent = message.text || ""; wrap.appendChild(t); }
    else { var o = el("div", "fx-textmsg"); o.textContent = "[" + String(message.type) + "]"; wrap.appendChild(o); }
    if (message.quickReply && Array.isArray(message.quickReply.items)) {
      var q = el("div", "fx-quick");
      message.quickReply.items.forEach(function (item) { var s = el("span"); s.textContent = (item.action && item.action.label) || ""; q.appendChild(s); });
      wrap.appendChild(q);
    }
    return wrap;
  }

  window.TsunagariFlex = {renderMessage: renderMessage};
})();
