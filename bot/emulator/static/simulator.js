/*
 * つながり chat simulator — plays the LINE app against the emulator (vanilla JS, no network but this server).
 * Every piece of text from the bot or the user is rendered with textContent: HTML in any field shows as text.
 *
 * Stable hooks for browser tests (data-testid unless noted):
 *   resident-select, resident-info, follow-button, unfollow-button, status
 *   new-resident-form, new-resident-name, new-resident-language, new-resident-create
 *   chat (the scrolling conversation), composer, message-input, send-button
 *   msg-user / msg-bot / msg-system  — one per chat entry; attributes data-seq, data-type (text, template, flex, …)
 *   bot-text                         — a bot text bubble;   user-text — what the user sent
 *   quick-replies (container), quick-reply (each button; data-action-type = message|postback|uri|location|…)
 *   template-buttons, template-confirm, template-carousel, template-image-carousel; template-action (each button)
 *   flex-bubble, flex-carousel, flex-box, flex-text, flex-button, flex-image, flex-icon, flex-separator, flex-filler
 *   location-open, location-panel, location-lat, location-lon, location-title, location-send,
 *   location-presets (container), location-preset (each: the city's center and some of its facilities)
 *   datetime-panel, datetime-input, datetime-send, datetime-cancel
 *   richmenu, richmenu-toggle, richmenu-body, richmenu-image, richmenu-area (data-index, aria-label = label)
 * window.simulator exposes {refresh(), selectResident(id), state} for tests.
 */
(function () {
  "use strict";

  var state = { generation: 0, userId: null, users: [], lastSeq: 0, busy: false, pending: null, richMenuKey: null, lastBotEntry: null };
  var $ = function (id) { return document.getElementById(id); };
  var SIZES = { xxs: 11, xs: 13, sm: 14, md: 16, lg: 19, xl: 22, xxl: 29, "3xl": 35, "4xl": 48, "5xl": 74 };
  var SPACES = { none: 0, xs: 2, sm: 4, md: 8, lg: 12, xl: 16, xxl: 20 };
  var IMAGE_SIZES = { xxs: 40, xs: 60, sm: 80, md: 100, lg: 120, xl: 140, xxl: 160, "3xl": 180, "4xl": 200, "5xl": 240, full: null };
  var COLOR = /^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/;
  var NARROW = "(max-width: 760px)";  // a phone: the rich menu starts folded so the chat stays readable

  // ---- small DOM helpers ---------------------------------------------------------------------------------
  function el(tag, opts) {
    var node = document.createElement(tag);
    opts = opts || {};
    if (opts.cls) node.className = opts.cls;
    if (opts.text !== undefined && opts.text !== null) node.textContent = String(opts.text);
    if (opts.testid) node.setAttribute("data-testid", opts.testid);
    return node;
  }
  function say(message) { $("status").textContent = message || ""; }
  function api(method, path, body) {
    var init = { method: method, headers: {} };
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) { data._status = r.status; return data; });
    });
  }
  function px(value, table) {
    if (value === undefined || value === null) return null;
    if (table && Object.prototype.hasOwnProperty.call(table, value)) return table[value] + "px";
    if (/^\d+(\.\d+)?(px|%)$/.test(String(value))) return String(value);
    return null;
  }
  function color(value) { return (typeof value === "string" && COLOR.test(value)) ? value : null; }

  // ---- residents -------------------------------------------------------------------------------------------
  function loadUsers(selectId) {
    return api("GET", "users").then(function (data) {
      state.users = data.users || [];
      var select = $("resident-select");
      select.textContent = "";
      if (!state.users.length) {
        var none = el("option", { text: "（まだいません。下で作ってください）" });
        none.value = "";
        select.appendChild(none);
      }
      state.users.forEach(function (u) {
        var opt = el("option", { text: u.displayName + "（" + langName(u.language) + "）" });
        opt.value = u.userId;
        select.appendChild(opt);
      });
      var wanted = selectId || state.userId || localStorage.getItem("simulator.user");
      if (wanted && state.users.some(function (u) { return u.userId === wanted; })) select.value = wanted;
      if ((select.value || null) === state.userId && state.userId) { showResidentInfo(); return refresh(); }
      return selectResident(select.value || null);
    });
  }
  function langName(code) { return { ja: "日本語", en: "English", "ja-easy": "やさしい日本語" }[code] || code; }
  function currentUser() {
    for (var i = 0; i < state.users.length; i++) if (state.users[i].userId === state.userId) return state.users[i];
    return null;
  }
  function selectResident(userId) {
    state.generation += 1;  // answers to requests made for the previous resident are dropped
    state.userId = userId || null;
    state.lastSeq = 0;
    state.lastBotEntry = null;
    $("chat").textContent = "";
    $("quick-replies").textContent = "";
    if (userId) localStorage.setItem("simulator.user", userId);
    showResidentInfo();
    loadRichMenu(true);
    return refresh();
  }
  function showResidentInfo() {
    var user = currentUser();
    $("resident-info").textContent = user
      ? (user.following ? "友だち登録しています"
         : user.blocked ? "ブロック中です。LINEと同じく、送ることも受け取ることもできません。「友だち追加」で戻れます"
         : "まだ友だちではありません。「友だち追加」で始まります")
      : "";
    $("chat-sub").textContent = user ? user.displayName + (user.blocked ? "（ブロック中）" : " としてトーク中") : "住民を選んでください";
    ["follow-button", "unfollow-button"].forEach(function (id) { $(id).disabled = !user; });
    // A blocked account carries nothing: the composer is closed until the resident adds the account again.
    ["send-button", "location-open", "message-input"].forEach(function (id) { $(id).disabled = !user || user.blocked; });
    $("unfollow-button").disabled = !user || user.blocked;
  }

  // ---- talking to the bot ----------------------------------------------------------------------------------
  function sendEvent(payload) {
    if (!state.userId) { say("先に住民を選んでください"); return Promise.resolve(); }
    var user = currentUser();
    if (user && user.blocked && payload.type !== "follow" && payload.type !== "unfollow") {
      say("ブロック中は送れません。「友だち追加」で戻れます");
      return Promise.resolve();
    }
    payload.user_id = state.userId;
    say("");
    setBusy(true);
    $("quick-replies").textContent = "";
    var request = api("POST", "events", payload).then(function (data) {
      if (data._status === 403) say("ブロック中は送れません。「友だち追加」で戻れます");
      else if (data._status !== 200) say(data.error || "送れませんでした（" + data._status + "）");
      else if (data.webhook_status !== 200) say("ボットが応答しませんでした（webhook " + data.webhook_status + "）");
      if (payload.type === "follow" || payload.type === "unfollow") return loadUsers(state.userId);
    }).catch(function () { say("サーバーにつながりません"); });
    // Show the user's own bubble at once; the reply arrives when the events call returns.
    setTimeout(refresh, 80);
    return request.then(refresh).then(function () { setBusy(false); });
  }
  function setBusy(busy) {
    var user = currentUser();
    state.busy = busy;
    $("send-button").disabled = busy || !user || user.blocked;
  }
  function sendText(text) {
    text = (text || "").trim();
    if (text) return sendEvent({ type: "message", text: text });
  }

  function performAction(action) {
    if (!action || typeof action !== "object") return;
    switch (action.type) {
      case "message": return sendText(action.text || action.label);
      case "postback":
        return sendEvent({ type: "postback", data: String(action.data || ""), display_text: action.displayText || action.text || null });
      case "uri": return openUri(String(action.uri || ""));
      case "location": return openLocation();
      case "datetimepicker": return openDatetime(action);
      case "richmenuswitch":
        return sendEvent({ type: "postback", data: String(action.data || ""), params: { newRichMenuAliasId: action.richMenuAliasId, status: "SUCCESS" } });
      case "clipboard":
        if (navigator.clipboard) navigator.clipboard.writeText(String(action.clipboardText || "")).catch(function () {});
        return say("コピーしました");
      default: return say("この操作（" + action.type + "）はシミュレーターでは使えません");
    }
  }
  function openUri(uri) {
    if (/^https?:\/\//i.test(uri)) { window.open(uri, "_blank", "noopener,noreferrer"); say("リンクを開きました: " + uri); }
    else say("リンク: " + uri);
  }

  // ---- location and datetime sheets ------------------------------------------------------------------------
  function openLocation() { $("datetime-panel").hidden = true; $("location-panel").hidden = false; $("location-lat").focus(); }
  function sendLocation() {
    var lat = parseFloat($("location-lat").value), lon = parseFloat($("location-lon").value);
    if (!isFinite(lat) || !isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) { say("緯度・経度を数字で入れてください"); return; }
    $("location-panel").hidden = true;
    var payload = { type: "location", latitude: lat, longitude: lon };
    if ($("location-title").value.trim()) payload.title = $("location-title").value.trim();
    return sendEvent(payload);
  }
  function openDatetime(action) {
    var mode = action.mode === "time" ? "time" : action.mode === "datetime" ? "datetime-local" : "date";
    var input = $("datetime-input");
    input.type = mode;
    input.value = (action.initial || "").replace("t", "T");
    if (action.min) input.min = action.min.replace("t", "T"); else input.removeAttribute("min");
    if (action.max) input.max = action.max.replace("t", "T"); else input.removeAttribute("max");
    $("datetime-label").textContent = action.label || "日時を選ぶ";
    state.pending = action;
    $("location-panel").hidden = true;
    $("datetime-panel").hidden = false;
    input.focus();
  }
  function sendDatetime() {
    var action = state.pending, value = $("datetime-input").value;
    if (!action || !value) { say("日時を選んでください"); return; }
    var params = {};
    params[action.mode === "time" ? "time" : action.mode === "datetime" ? "datetime" : "date"] = value;
    $("datetime-panel").hidden = true;
    state.pending = null;
    return sendEvent({ type: "postback", data: String(action.data || ""), params: params, display_text: value });
  }

  // ---- the conversation ------------------------------------------------------------------------------------
  var refreshing = Promise.resolve();
  function refresh() {
    // Serialize refreshes so two overlapping polls never draw an entry twice.
    refreshing = refreshing.then(fetchNew, fetchNew);
    return refreshing;
  }
  function fetchNew() {
    var userId = state.userId, generation = state.generation;
    if (!userId) return Promise.resolve();
    return api("GET", "chat/" + encodeURIComponent(userId) + "?since=" + state.lastSeq).then(function (data) {
      if (generation !== state.generation) return;
      var entries = data.entries || [];
      entries.forEach(drawEntry);
      if (entries.length) {
        drawQuickReplies(entries[entries.length - 1]);
        var chat = $("chat");
        chat.scrollTop = chat.scrollHeight;
      }
    }).catch(function () {});
  }
  function drawEntry(entry) {
    if (entry.seq <= state.lastSeq) return;
    state.lastSeq = entry.seq;
    var chat = $("chat"), box;
    if (entry.from === "bot") {
      box = el("div", { cls: "entry bot", testid: "msg-bot" });
      box.setAttribute("data-type", (entry.message && entry.message.type) || "unknown");
      box.appendChild(renderMessage(entry.message || {}));
      box.appendChild(el("span", { cls: "meta", text: time(entry.at) + (entry.via && entry.via !== "reply" ? " ・ " + entry.via : "") }));
    } else if (entry.kind === "follow" || entry.kind === "unfollow") {
      box = el("div", { cls: "entry system", testid: "msg-system", text: entry.kind === "follow" ? "友だち追加しました" : "ブロックしました" });
    } else {
      var shown = entry.kind === "text" ? entry.text
        : entry.kind === "location" ? "位置情報: " + (entry.title || "") + "（" + entry.latitude + ", " + entry.longitude + "）"
        : entry.text;
      if (!shown) return;  // a postback without displayText leaves no bubble, as in LINE
      box = el("div", { cls: "entry user", testid: "msg-user" });
      box.setAttribute("data-type", entry.kind);
      box.appendChild(el("div", { cls: "bubble", text: shown, testid: "user-text" }));
      box.appendChild(el("span", { cls: "meta", text: time(entry.at) }));
    }
    box.setAttribute("data-seq", entry.seq);
    chat.appendChild(box);
  }
  function time(iso) {
    var d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleTimeString("ja-JP", { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Tokyo" });
  }
  function drawQuickReplies(lastEntry) {
    var holder = $("quick-replies");
    holder.textContent = "";
    // LINE shows the quick replies of the last message only, until the user does something.
    var quick = lastEntry.from === "bot" && lastEntry.message && lastEntry.message.quickReply;
    if (!quick || !Array.isArray(quick.items)) return;
    quick.items.forEach(function (item) {
      var action = item && item.action;
      if (!action) return;
      var label = action.label || (action.type === "location" ? "位置情報" : action.type);
      var button = el("button", { text: label, testid: "quick-reply" });
      button.type = "button";
      button.setAttribute("data-action-type", action.type);
      button.addEventListener("click", function () { performAction(action); });
      holder.appendChild(button);
    });
  }

  // ---- message objects ---------------------------------------------------------------------------------------
  function renderMessage(m) {
    switch (m.type) {
      case "text": case "textV2": return el("div", { cls: "bubble", text: m.text, testid: "bot-text" });
      case "template": return renderTemplate(m);
      case "flex": return renderFlex(m);
      case "image": return image(m.previewImageUrl || m.originalContentUrl, "画像");
      case "sticker": return el("div", { cls: "bubble placeholder", text: "［スタンプ］" });
      case "location":
        return el("div", { cls: "bubble", text: "位置情報: " + (m.title || "") + "\n" + (m.address || "") + "\n(" + m.latitude + ", " + m.longitude + ")" });
      default:
        return el("div", { cls: "bubble placeholder", text: "［" + m.type + "］" + (m.altText ? " " + m.altText : "") });
    }
  }
  function image(url, alt) {
    var img = el("img", { cls: "fx-image" });
    if (/^https:\/\//i.test(String(url || ""))) img.src = url;
    img.alt = alt || "";
    return img;
  }
  function actionButton(action, testid) {
    var button = el("button", { text: (action && action.label) || "", testid: testid });
    button.type = "button";
    if (action) button.setAttribute("data-action-type", action.type);
    button.addEventListener("click", function () { performAction(action); });
    return button;
  }
  function renderTemplate(m) {
    var t = m.template || {};
    if (t.type === "carousel" || t.type === "image_carousel") {
      var row = el("div", { cls: "hscroll", testid: t.type === "carousel" ? "template-carousel" : "template-image-carousel" });
      (t.columns || []).forEach(function (column) {
        if (t.type === "carousel") row.appendChild(templateCard(column, "tpl column"));
        else {
          var card = el("div", { cls: "tpl image-column" });
          card.appendChild(image(column.imageUrl, column.action && column.action.label));
          var actions = el("div", { cls: "tpl-actions" });
          actions.appendChild(actionButton(column.action, "template-action"));
          card.appendChild(actions);
          row.appendChild(card);
        }
      });
      return row;
    }
    var card = templateCard(t, "tpl " + (t.type === "confirm" ? "confirm" : "buttons"));
    card.setAttribute("data-testid", t.type === "confirm" ? "template-confirm" : "template-buttons");
    return card;
  }
  function templateCard(t, cls) {
    var card = el("div", { cls: cls });
    if (t.thumbnailImageUrl) card.appendChild(image(t.thumbnailImageUrl, t.title));
    if (t.title) card.appendChild(el("div", { cls: "tpl-title", text: t.title }));
    card.appendChild(el("div", { cls: "tpl-text", text: t.text }));
    if (t.defaultAction) { card.classList.add("clickable"); card.addEventListener("click", function (e) { if (e.target === card) performAction(t.defaultAction); }); }
    var actions = el("div", { cls: "tpl-actions" });
    (t.actions || []).forEach(function (a) { actions.appendChild(actionButton(a, "template-action")); });
    card.appendChild(actions);
    return card;
  }

  // ---- flex ----------------------------------------------------------------------------------------------------
  function renderFlex(m) {
    var c = m.contents || {};
    if (c.type === "carousel") {
      var row = el("div", { cls: "flex-carousel", testid: "flex-carousel" });
      (c.contents || []).forEach(function (b) { row.appendChild(renderBubble(b)); });
      return row;
    }
    return renderBubble(c);
  }
  function renderBubble(b) {
    var bubble = el("div", { cls: "flex-bubble size-" + (b.size || "mega"), testid: "flex-bubble" });
    var styles = b.styles || {};
    ["header", "hero", "body", "footer"].forEach(function (name) {
      if (!b[name]) return;
      var block = el("div", { cls: "flex-block " + name });
      var style = styles[name] || {};
      if (color(style.backgroundColor)) block.style.backgroundColor = style.backgroundColor;
      if (style.separator && name !== "header") block.style.borderTop = "1px solid " + (color(style.separatorColor) || "#ddd");
      block.appendChild(renderComponent(b[name], "vertical"));
      bubble.appendChild(block);
    });
    if (b.action) clickable(bubble, b.action);
    return bubble;
  }
  function clickable(node, action) {
    node.classList.add("clickable");
    node.setAttribute("role", "button");
    node.setAttribute("tabindex", "0");
    if (action.label) node.setAttribute("aria-label", action.label);
    node.addEventListener("click", function (e) { e.stopPropagation(); performAction(action); });
  }
  function common(node, c, parentLayout, index) {
    if (c.flex !== undefined && c.flex !== null) node.style.flex = String(parseInt(c.flex, 10) || 0) + " " + (parseInt(c.flex, 10) ? "1 0" : "0 auto");
    else if (parentLayout === "horizontal" || parentLayout === "baseline") node.style.flex = "1 1 0";
    var margin = px(c.margin, SPACES);
    if (margin && index > 0) node.style[parentLayout === "vertical" ? "marginTop" : "marginLeft"] = margin;
    if (c.gravity === "center") node.style.alignSelf = "center";
    else if (c.gravity === "bottom") node.style.alignSelf = "flex-end";
    if (c.position === "absolute") {
      node.style.position = "absolute";
      ["top", "bottom", "start", "end"].forEach(function (k) {
        var v = px(c["offset" + k[0].toUpperCase() + k.slice(1)], SPACES);
        if (v) node.style[k === "start" ? "left" : k === "end" ? "right" : k] = v;
      });
    }
  }
  function renderComponent(c, parentLayout, index) {
    c = c || {};
    var node;
    switch (c.type) {
      case "box": node = renderBox(c); break;
      case "text": node = renderText(c); break;
      case "button": node = renderButton(c); break;
      case "image": node = renderImage(c); break;
      case "icon": node = image(c.url, ""); node.className = "fx-icon"; node.setAttribute("data-testid", "flex-icon"); break;
      case "separator":
        node = el("hr", { cls: "fx-separator", testid: "flex-separator" });
        if (color(c.color)) node.style.borderTopColor = c.color;
        if (parentLayout !== "vertical") { node.style.borderTop = "0"; node.style.borderLeft = "1px solid " + (color(c.color) || "#ddd"); node.style.flex = "0 0 1px"; }
        break;
      case "filler": case "spacer": node = el("div", { cls: "fx-filler", testid: "flex-filler" }); if (c.type === "spacer") node.style.minHeight = px(c.size || "md", SPACES) || "8px"; break;
      case "video": node = el("div", { cls: "placeholder", text: "［動画］" }); break;
      default: node = el("div", { cls: "placeholder", text: "［" + c.type + "］" });
    }
    if (c.type !== "separator") common(node, c, parentLayout || "vertical", index || 0);
    if (c.action && c.type !== "button") clickable(node, c.action);
    return node;
  }
  function renderBox(c) {
    var layout = ["horizontal", "vertical", "baseline"].indexOf(c.layout) >= 0 ? c.layout : "vertical";
    var box = el("div", { cls: "fx-box " + layout, testid: "flex-box" });
    var gap = px(c.spacing, SPACES);
    if (gap) box.style.gap = gap;
    ["paddingAll", "paddingTop", "paddingBottom", "paddingStart", "paddingEnd"].forEach(function (k) {
      var v = px(c[k], SPACES);
      if (!v) return;
      var prop = { paddingAll: "padding", paddingTop: "paddingTop", paddingBottom: "paddingBottom", paddingStart: "paddingLeft", paddingEnd: "paddingRight" }[k];
      box.style[prop] = v;
    });
    if (color(c.backgroundColor)) box.style.backgroundColor = c.backgroundColor;
    if (color(c.borderColor)) { box.style.borderStyle = "solid"; box.style.borderColor = c.borderColor; box.style.borderWidth = px(c.borderWidth, { none: 0, light: 0.5, normal: 1, medium: 2, "semi-bold": 3, bold: 4 }) || "1px"; }
    var radius = px(c.cornerRadius, SPACES);
    if (radius) box.style.borderRadius = radius;
    if (c.justifyContent) box.style.justifyContent = String(c.justifyContent).replace("flex-start", "flex-start");
    if (c.alignItems) box.style.alignItems = String(c.alignItems);
    if (c.width && px(c.width)) box.style.width = px(c.width);
    if (c.height && px(c.height)) box.style.height = px(c.height);
    box.style.position = "relative";
    (c.contents || []).forEach(function (child, i) { box.appendChild(renderComponent(child, layout, i)); });
    return box;
  }
  function renderText(c) {
    var node = el("div", { cls: "fx-text " + (c.wrap ? "wrap" : "nowrap"), testid: "flex-text" });
    if (Array.isArray(c.contents) && c.contents.length) {
      c.contents.forEach(function (span) {
        var s = el("span", { text: span.text });
        if (span.weight === "bold") s.style.fontWeight = "bold";
        if (color(span.color)) s.style.color = span.color;
        if (px(span.size, SIZES)) s.style.fontSize = px(span.size, SIZES);
        if (span.style === "italic") s.style.fontStyle = "italic";
        if (span.decoration === "underline" || span.decoration === "line-through") s.style.textDecoration = span.decoration;
        node.appendChild(s);
      });
    } else node.textContent = c.text === undefined || c.text === null ? "" : String(c.text);
    node.style.fontSize = px(c.size || "md", SIZES) || "16px";
    if (c.weight === "bold") node.style.fontWeight = "bold";
    if (color(c.color)) node.style.color = c.color;
    if (c.align === "center" || c.align === "end") node.style.textAlign = c.align === "end" ? "right" : "center";
    if (c.style === "italic") node.style.fontStyle = "italic";
    if (c.decoration === "underline" || c.decoration === "line-through") node.style.textDecoration = c.decoration;
    if (c.wrap && c.maxLines) { node.style.display = "-webkit-box"; node.style.webkitLineClamp = String(parseInt(c.maxLines, 10)); node.style.webkitBoxOrient = "vertical"; node.style.overflow = "hidden"; }
    if (c.lineSpacing && px(c.lineSpacing)) node.style.lineHeight = "calc(1.4em + " + px(c.lineSpacing) + ")";
    return node;
  }
  function renderButton(c) {
    var button = actionButton(c.action, "flex-button");
    button.className = "fx-button " + (["primary", "secondary", "link"].indexOf(c.style) >= 0 ? c.style : "link") + (c.height === "sm" ? " h-sm" : "");
    var tint = color(c.color);
    if (tint) { if (c.style === "primary" || c.style === "secondary") { button.style.backgroundColor = tint; button.style.borderColor = tint; } else button.style.color = tint; }
    return button;
  }
  function renderImage(c) {
    var img = image(c.url, "");
    img.setAttribute("data-testid", "flex-image");
    var width = c.size === "full" ? "100%" : px(c.size || "md", IMAGE_SIZES);
    img.style.width = width || "100%";
    if (c.aspectRatio && /^\d+(\.\d+)?:\d+(\.\d+)?$/.test(c.aspectRatio)) img.style.aspectRatio = c.aspectRatio.replace(":", " / ");
    img.style.objectFit = c.aspectMode === "cover" ? "cover" : "contain";
    if (c.align === "start") img.style.alignSelf = "flex-start";
    else if (c.align === "end") img.style.alignSelf = "flex-end";
    else img.style.alignSelf = "center";
    if (color(c.backgroundColor)) img.style.backgroundColor = c.backgroundColor;
    return img;
  }

  // ---- rich menu ---------------------------------------------------------------------------------------------
  function loadRichMenu(force) {
    var q = state.userId ? "?user_id=" + encodeURIComponent(state.userId) : "";
    return api("GET", "richmenu" + q).then(function (data) {
      var menu = data.richMenu;
      var key = menu ? menu.richMenuId + "|" + data.imageUrl : "";
      if (!force && key === state.richMenuKey) return;
      state.richMenuKey = key;
      drawRichMenu(menu, data.imageUrl);
    }).catch(function () {});
  }
  function drawRichMenu(menu, imageUrl) {
    var holder = $("richmenu"), body = $("richmenu-body");
    body.textContent = "";
    if (!menu) { holder.hidden = true; return; }
    holder.hidden = false;
    state.chatBarText = menu.chatBarText || "メニュー";
    showRichMenuBody(menu.selected !== false && !window.matchMedia(NARROW).matches);
    var size = menu.size || { width: 2500, height: 1686 };
    if (imageUrl) {
      var img = el("img", { testid: "richmenu-image" });
      img.src = imageUrl;
      img.alt = menu.chatBarText || "メニュー";
      body.appendChild(img);
      (menu.areas || []).forEach(function (area, i) {
        var b = area.bounds || {}, a = area.action || {};
        var button = el("button", { cls: "rm-area", testid: "richmenu-area" });
        button.type = "button";
        button.setAttribute("data-index", i);
        button.setAttribute("aria-label", a.label || a.text || a.displayText || ("メニュー" + (i + 1)));
        button.title = button.getAttribute("aria-label");
        button.style.left = (100 * b.x / size.width) + "%";
        button.style.top = (100 * b.y / size.height) + "%";
        button.style.width = (100 * b.width / size.width) + "%";
        button.style.height = (100 * b.height / size.height) + "%";
        button.addEventListener("click", function () { performAction(a); });
        body.appendChild(button);
      });
    } else {
      // No image uploaded: still offer the areas, as labelled buttons.
      var grid = el("div", { cls: "rm-grid" });
      (menu.areas || []).forEach(function (area, i) {
        var a = area.action || {};
        var button = el("button", { text: a.label || a.text || ("メニュー" + (i + 1)), testid: "richmenu-area" });
        button.type = "button";
        button.setAttribute("data-index", i);
        button.setAttribute("aria-label", button.textContent);
        button.addEventListener("click", function () { performAction(a); });
        grid.appendChild(button);
      });
      body.appendChild(grid);
    }
  }

  function showRichMenuBody(open) {
    $("richmenu-body").hidden = !open;
    $("richmenu-toggle").setAttribute("aria-expanded", open ? "true" : "false");
    $("richmenu-toggle").textContent = (state.chatBarText || "メニュー") + (open ? " ▾" : " ▴");
  }

  // ---- location presets: the city's own places ----------------------------------------------------------------
  function loadPlaces() {
    return api("GET", "places").then(function (data) {
      var holder = $("location-presets");
      holder.textContent = "";
      (data.presets || []).forEach(function (place, i) {
        var button = el("button", { text: place.title, testid: "location-preset" });
        button.type = "button";
        button.addEventListener("click", function () { usePlace(place); });
        holder.appendChild(button);
        if (i === 0 && !$("location-lat").value) usePlace(place);
      });
    }).catch(function () {});
  }
  function usePlace(place) {
    $("location-lat").value = String(place.latitude);
    $("location-lon").value = String(place.longitude);
    $("location-title").value = place.title;
  }

  // ---- wiring --------------------------------------------------------------------------------------------------
  function wire() {
    $("resident-select").addEventListener("change", function (e) { selectResident(e.target.value); });
    $("new-resident-form").addEventListener("submit", function (e) {
      e.preventDefault();
      var name = $("new-resident-name").value.trim();
      if (!name) { say("名前を入れてください"); return; }
      api("POST", "users", { name: name, language: $("new-resident-language").value }).then(function (data) {
        if (data._status !== 201) { say(data.error || "作れませんでした"); return; }
        $("new-resident-name").value = "";
        say(name + " さんを作りました。「友だち追加」を押してください");
        return loadUsers(data.userId);
      });
    });
    $("follow-button").addEventListener("click", function () { sendEvent({ type: "follow" }); });
    $("unfollow-button").addEventListener("click", function () { sendEvent({ type: "unfollow" }); });
    $("composer").addEventListener("submit", function (e) {
      e.preventDefault();
      if (state.busy) return;
      var text = $("message-input").value;
      $("message-input").value = "";
      sendText(text);
    });
    $("location-open").addEventListener("click", openLocation);
    $("location-cancel").addEventListener("click", function () { $("location-panel").hidden = true; });
    $("location-send").addEventListener("click", sendLocation);
    $("datetime-send").addEventListener("click", sendDatetime);
    $("datetime-cancel").addEventListener("click", function () { $("datetime-panel").hidden = true; state.pending = null; });
    $("richmenu-toggle").addEventListener("click", function () { showRichMenuBody($("richmenu-body").hidden); });
    setInterval(function () { if (!state.busy) refresh(); }, 1500);   // pushes arrive without a user action
    setInterval(function () { loadRichMenu(false); }, 4000);           // the menu may be deployed after load
  }

  window.simulator = { refresh: refresh, selectResident: function (id) { $("resident-select").value = id; return selectResident(id); },
                       reloadUsers: loadUsers, state: state };
  wire();
  loadUsers();
  loadPlaces();
})();
