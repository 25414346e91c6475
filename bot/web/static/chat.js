/* 海原政务小助手 · the citizens' web chat.
 *
 * Talks to Rasa's socket.io channel (REST webhook as a fallback), keeps the session id and the transcript
 * in localStorage, renders text, buttons, numbered lists and cards, and switches 长辈模式 (large text,
 * read-aloud). Shows the notices (公告) in force above the conversation, and runs the live handoff
 * (转人工): after the bot's {"type": "handoff"} message it polls the backend for the queue and the staff
 * member's messages. On load it shows what happened to this conversation's tickets since the last visit
 * (工单进展, from bot/notify/), each once. Bot, staff and user text reaches the page only through textContent,
 * never innerHTML.
 */
(function () {
  "use strict";

  var CONFIG = window.HAIYUAN_CHAT_CONFIG || {};
  var RASA_URL = String(CONFIG.rasaUrl || "").replace(/\/+$/, "");
  var CHANNEL = CONFIG.channel || "web";
  var KEY = {
    session: "haiyuan-chat:session",
    transcript: "haiyuan-chat:transcript",
    elderly: "haiyuan-chat:elderly",
    autoread: "haiyuan-chat:autoread",
    handoff: "haiyuan-chat:handoff",
    notices: "haiyuan-chat:dismissed-notices",
    ticketUpdates: "haiyuan-chat:ticket-updates",
    earlier: "haiyuan-chat:earlier-sessions",  // sessions before 新对话: 我的工单 still lists their tickets
    photoDrafts: "haiyuan-chat:photo-drafts",  // photos added under the complaint's summary, not submitted yet
  };
  var MAX_EARLIER = 10;
  var MAX_ENTRIES = 300;
  var REPLY_TIMEOUT_MS = 45000;   // how long a REST call or the first socket.io reply may take
  var SOCKET_GRACE_MS = 4000;     // how long to wait for socket.io before checking the REST channel
  var OFFLINE_PROBE_MS = 10000;   // while offline, check the server this often (besides socket.io's own retries)
  var HANDOFF_POLL_MS = 2000;     // the backend may ask for another interval (poll_after_ms)
  var HANDOFF_RETRY_MS = 6000;    // after a failed poll
  var HOTLINE = "12345";

  var MENU_TEXT = { "/elderly_mode_on": "打开长辈模式", "/elderly_mode_off": "关闭长辈模式", "/human_handoff": "人工客服" };
  var OFFLINE_TEXT = "暂时连不上小助手。请检查网络后点“重试”，页面也会自动重连。着急可拨打 12345 政务服务便民热线。";
  var NO_REPLY_TEXT = "小助手这次没有回复。您可以再说一遍，或拨打 12345 政务服务便民热线。";

  // ---------------------------------------------------------------- storage (may be unavailable)
  var store = {
    get: function (key, fallback) {
      try {
        var value = window.localStorage.getItem(key);
        return value === null ? fallback : JSON.parse(value);
      } catch (e) { return fallback; }
    },
    set: function (key, value) {
      try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full or disabled */ }
    },
  };

  function newSessionId() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return "web-" + window.crypto.randomUUID().replace(/-/g, "");
    }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return "web-" + Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function loadEntries() {
    var saved = store.get(KEY.transcript, []);
    if (!Array.isArray(saved)) return [];
    return saved.filter(function (e) { return e && typeof e === "object" && typeof e.id === "string"; });
  }

  var state = {
    sessionId: (function () {
      var id = store.get(KEY.session, null);
      if (typeof id !== "string" || !/^[\w-]{8,80}$/.test(id)) {
        id = newSessionId();
        store.set(KEY.session, id);
      }
      return id;
    })(),
    entries: loadEntries(),
    elderly: store.get(KEY.elderly, false) === true,
    autoread: store.get(KEY.autoread, false) === true,
    socket: null,
    socketReady: false,   // connected and the session confirmed
    online: null,         // null: not known yet; true: socket.io or REST works; false: offline
    pending: [],          // {message, entryId}: user messages not delivered yet
    waitTimer: null,
    probeTimer: null,
    probing: false,
    flushing: false,
    statusKind: null,
    handoff: null,        // {id, token, session, after, status, staff, ahead, wait}: an open 转人工 request
    handoffTimer: null,
    hot: [],              // 热点问题 for the welcome (GET api/hot-questions)
    draft: null,          // {photos, ids, count, t}: photos added under the complaint form's summary
  };

  // ---------------------------------------------------------------- DOM helpers
  var $ = function (id) { return document.getElementById(id); };
  var ui = {
    body: document.body,
    log: $("log"),
    wrap: document.querySelector(".log-wrap"),
    typing: $("typing"),
    announcer: $("announcer"),
    status: $("status"),
    statusText: $("status-text"),
    retry: $("retry"),
    toggle: $("elderly-toggle"),
    menuToggle: $("menu-toggle"),
    autoreadOption: $("autoread-option"),
    autoread: $("autoread"),
    newChat: $("new-chat"),
    form: $("composer"),
    input: $("message-input"),
    printArea: $("print-area"),
    notices: $("notices"),
    handoffBar: $("handoff-bar"),
    handoffText: $("handoff-text"),
    handoffAction: $("handoff-action"),
    human: $("human"),
    rate: $("rate-service"),
  };

  function el(tag, props) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (name) {
      var value = props[name];
      if (value === undefined || value === null || value === false) return;
      if (name === "text") node.textContent = String(value);
      else if (name === "className") node.className = value;
      else if (name === "onClick") node.addEventListener("click", value);
      else node.setAttribute(name, value === true ? "" : String(value));
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function uid() { return Date.now().toString(36) + Math.random().toString(36).slice(2, 8); }

  function str(value) { return typeof value === "string" ? value : ""; }

  // Citizens type phone and ID numbers into complaint forms: their own bubbles (and the saved transcript)
  // show them masked like the rest of the system (bot/core/privacy.py): 138****5678, 6401**********1234.
  function maskPersonal(text) {
    return String(text)
      .replace(/(^|[^0-9A-Za-z])(\d{4})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])/g, "$1$2**********$3")
      .replace(/(^|[^0-9A-Za-z])(\d{4})\d{7}(\d{4})(?![0-9A-Za-z])/g, "$1$2*******$3")
      .replace(/(^|\D)((?:\+?86[-\s]?)?)(1[3-9]\d)[-\s]?\d{4}[-\s]?(\d{4})(?!\d)/g, "$1$2$3****$4");
  }

  // ---------------------------------------------------------------- rich text
  var NUMBERED = /^\s*(\d{1,2})\s*[.、．)）](?!\d)\s*(\S.*)$/;   // "1. 身份证" "2、户口簿"
  var NUMBERED_SPACE = /^\s*(\d{1,2})\s+(\D.*)$/;               // "1 打 12345"（长辈模式）
  var SECTION = /^\s*[一二三四五六七八九十]+[、.．]/;             // "一、需要您带的材料："
  var GUIDE_TITLE = /^【[^】\n]*办事指南】/;

  function numberedRun(lines, start) {
    // "1. …" lines (any number) or "1 …" lines (two or more, counting up from 1) become one <ol>.
    var kinds = [[NUMBERED, 1, false], [NUMBERED_SPACE, 2, true]];
    for (var k = 0; k < kinds.length; k++) {
      var pattern = kinds[k][0], minimum = kinds[k][1], fromOne = kinds[k][2];
      var items = [], i = start;
      while (i < lines.length) {
        var match = pattern.exec(lines[i]);
        if (!match) break;
        var n = Number(match[1]);
        if (items.length ? n !== items[items.length - 1][0] + 1 : (fromOne && n !== 1)) break;
        items.push([n, match[2]]);
        i++;
      }
      if (items.length >= minimum) return { items: items, end: i };
    }
    return null;
  }

  function richText(container, text) {
    var lines = String(text || "").split(/\r?\n/);
    var i = 0;
    while (i < lines.length) {
      var run = numberedRun(lines, i);
      if (run) {
        var list = el("ol");
        run.items.forEach(function (item) {
          var li = el("li", { text: item[1] });
          li.value = item[0];
          list.appendChild(li);
        });
        container.appendChild(list);
        i = run.end;
        continue;
      }
      var line = lines[i];
      if (line.trim()) container.appendChild(el("p", { className: SECTION.test(line) ? "section" : null, text: line }));
      else if (i > 0 && i < lines.length - 1) container.appendChild(el("div", { className: "gap", "aria-hidden": "true" }));
      i++;
    }
    return container;
  }

  function splitTitle(text, fallbackTitle) {
    // "【…】" on the first line is the card's title; the rest is its body.
    var lines = String(text || "").split(/\r?\n/);
    var first = lines[0] || "";
    if (/^【.*】$/.test(first.trim())) return { title: first.trim().slice(1, -1), body: lines.slice(1).join("\n") };
    return { title: fallbackTitle || "", body: String(text || "") };
  }

  // ---------------------------------------------------------------- rendering entries
  function speechOf(entry) {
    var parts = [];
    if (entry.kind === "ticket") {
      parts.push((entry.queued ? "临时编号：" : "工单号：") + spaced(entry.reference));
    }
    if (entry.text) parts.push(entry.text);
    else if (entry.kind === "checklist" && entry.printText) parts.push(entry.printText);
    if (entry.buttons && entry.buttons.length) {
      parts.push("可以选：" + entry.buttons.map(function (b) { return b.title; }).join("；"));
    }
    return parts.join("\n");
  }

  function spaced(reference) { return String(reference || "").split("").join(" "); }

  function readAloudButton(entry) {
    if (!speech.available) return null;
    return el("button", {
      type: "button", className: "read-aloud", text: "朗读", "aria-label": "朗读这条回复",
      onClick: function () { speech.say(speechOf(entry), true); },
    });
  }

  function choices(entry) {
    // A group is live until it is answered (a choice, or anything the citizen types after it) or superseded
    // (a person took over): then its buttons are disabled and the chosen one stays marked.
    if (!entry.buttons || !entry.buttons.length) return null;
    var group = el("div", { className: "choices" + (entry.closed ? " closed" : ""), role: "group",
                            "aria-label": entry.closed ? "已回答的选项" : "可选的回答" });
    entry.buttons.forEach(function (button) {
      var chosen = entry.closed && entry.chosen === button.title;
      group.appendChild(el("button", {
        type: "button", text: button.title, disabled: Boolean(entry.closed),
        "aria-pressed": chosen ? "true" : null, className: chosen ? "chosen" : null,
        onClick: function () {
          if (entry.closed) return;
          sendMessage(button.payload, button.title, { choice: true, entry: entry, title: button.title });
          ui.input.focus();
        },
      }));
    });
    return group;
  }

  function closeChoices(chosenEntry, title) {
    state.entries.forEach(function (entry) {
      if (entry.from !== "bot" || entry.closed || !entry.buttons || !entry.buttons.length) return;
      entry.closed = true;
      if (entry === chosenEntry) entry.chosen = title;
      rerender(entry);
    });
  }

  function botBubble(entry) {
    if (entry.kind === "checklist") {
      var shown = splitTitle(entry.text || entry.printText, entry.title);
      return el("article", { className: "bubble card checklist", "aria-label": "办事清单" },
        el("h3", { text: shown.title || "办事清单" }),
        richText(el("div", { className: "card-body" }), shown.body),
        checklistActions(entry));
    }
    if (entry.kind === "my_tickets") return myTicketsCard(entry);
    if (entry.kind === "ticket") {
      var copyState = el("span", { className: "copy-state", "aria-live": "polite" });
      // Number, then 承办部门 and 预计答复 right under it (the number's own line is not repeated), then 复制:
      // what the citizen needs is on the first screen.
      var facts = String(entry.text || "").split(/\r?\n/).filter(function (line) {
        return line.indexOf(entry.reference) < 0 || !/^(工单号|临时编号|编号)[：:]/.test(line.trim());
      }).join("\n");
      return el("article", { className: "bubble card ticket", "aria-label": entry.queued ? "诉求已记录" : "工单已登记" },
        el("h3", { text: entry.queued ? "诉求已记录（临时编号）" : "工单已登记" }),
        el("strong", { className: "ticket-number", text: entry.reference }),
        facts.trim() ? richText(el("div", { className: "card-body ticket-note" }), facts) : null,
        el("div", { className: "card-actions" },
          el("button", { type: "button", text: "复制", "aria-label": "复制编号 " + entry.reference,
                         onClick: function () { copyText(entry.reference, copyState); } }),
          copyState),
        entry.queued ? queuedPhotosNote(entry) : photoBlock(entry));
    }
    var bubble;
    if (GUIDE_TITLE.test(entry.text || "")) {
      var guide = splitTitle(entry.text);
      bubble = el("article", { className: "bubble card guide", "aria-label": "办事指南" },
        el("h3", { text: guide.title }), richText(el("div", { className: "card-body" }), guide.body));
    } else {
      bubble = richText(el("div", { className: "bubble" }), entry.text);
    }
    var online = onlineBlock(entry.online);
    if (online) bubble.appendChild(online);
    if (entry.photoOffer && !entry.closed) bubble.appendChild(draftPhotoBlock());
    return bubble;
  }

  // ---------------------------------------------------------------- photos with a complaint (up to 3)
  // The photo is shrunk in the page (longest side PHOTO_SIDE, JPEG: this also drops its EXIF and GPS data)
  // and sent to the backend, which checks, re-encodes and keeps it. Two places take photos: the ticket card
  // (photos of that ticket), and, while the complaint form shows its summary, a control under the summary
  // (drafts of this conversation: the backend attaches them to the ticket it then creates, photo_drafts.py).
  // Both are optional; nothing in the form waits for them.
  var MAX_PHOTOS = 3, PHOTO_SIDE = 1600, PHOTO_BYTES = 1000 * 1000;
  var DRAFT_KEEP_MS = 23 * 3600 * 1000;  // the backend drops drafts after 24 h

  function photoCount(holder) { return Math.max(Number(holder.count) || 0, (holder.photos || []).length); }

  function emptyDraft() { return { session: state.sessionId, photos: [], ids: [], count: 0, t: 0 }; }

  function loadDraft() {
    var saved = store.get(KEY.photoDrafts, null);
    if (!saved || typeof saved !== "object" || saved.session !== state.sessionId || !Array.isArray(saved.photos) ||
        !Array.isArray(saved.ids) || saved.photos.length !== saved.ids.length ||
        !(Date.now() - Number(saved.t) < DRAFT_KEEP_MS)) return emptyDraft();
    return { session: saved.session, photos: saved.photos.slice(0, MAX_PHOTOS), ids: saved.ids.slice(0, MAX_PHOTOS),
             count: Math.min(saved.photos.length, MAX_PHOTOS), t: Number(saved.t) };
  }

  function saveDraft() {
    var d = state.draft;
    store.set(KEY.photoDrafts, { session: d.session, photos: d.photos, ids: d.ids, count: d.count, t: d.t });
  }

  function photoBlock(entry) {
    return photoControl(entry, {
      className: "photos", label: "照片",
      url: "api/citizen-photos/" + encodeURIComponent(entry.reference),
      first: "添加照片（最多 3 张）",
      idle: "可以拍下现场，帮助工作人员了解情况。",
      done: function (n) { return "已附上 " + n + " 张照片，工作人员能看到。"; },
      refresh: function () { rerender(entry); },
      find: function () { return ui.log.querySelector('[data-entry="' + entry.id + '"] section.photos'); },
    });
  }

  function draftPhotoBlock() {
    return photoControl(state.draft, {
      className: "photos draft-photos", label: "照片（可选）", removable: true,
      url: "api/citizen-photos/draft",
      first: "添加照片（可选，最多 3 张）",
      idle: state.elderly ? "有照片可以加上，不加也行。" : "有现场照片可以附上，帮助工作人员了解情况；不加也能提交。",
      done: function (n) { return n ? "已加 " + n + " 张照片，提交时一起交给工作人员。" : "照片都删掉了，不加也能提交。"; },
      refresh: function () {
        state.entries.forEach(function (e) { if (e.photoOffer && !e.closed) rerender(e); });
      },
      find: function () {
        var boxes = ui.log.querySelectorAll("section.draft-photos");
        return boxes.length ? boxes[boxes.length - 1] : null;
      },
    });
  }

  function queuedPhotosNote(entry) {
    if (!entry.pendingPhotos) return null;
    return el("p", { className: "photo-state", text: "您加的 " + entry.pendingPhotos + " 张照片会随诉求一起提交。" });
  }

  function photoControl(holder, o) {
    var count = photoCount(holder);
    var box = el("section", { className: o.className, "aria-label": o.label });
    var input = el("input", { type: "file", accept: "image/jpeg,image/png,image/webp", multiple: true,
                              className: "visually-hidden", tabindex: "-1", "aria-hidden": "true" });
    input.addEventListener("change", function () { uploadPhotos(holder, Array.prototype.slice.call(input.files || []), o); });
    box.appendChild(input);
    var thumbs = el("div", { className: "photo-thumbs" });
    (holder.photos || []).forEach(function (src, i) {
      var img = el("img", { src: src, alt: "已上传的照片 " + (i + 1), width: "72", height: "72" });
      thumbs.appendChild(!o.removable ? img : el("div", { className: "photo-item" }, img,
        el("button", { type: "button", className: "remove-photo", text: "删除", "aria-label": "删除第 " + (i + 1) + " 张照片",
                       disabled: Boolean(holder.uploading), onClick: function () { removeDraft(i, o); } })));
    });
    if ((holder.photos || []).length) box.appendChild(thumbs);
    if (count < MAX_PHOTOS) {
      box.appendChild(el("button", { type: "button", className: "add-photo", disabled: Boolean(holder.uploading),
        text: holder.uploading ? "正在上传…" : count ? "再加照片（还能加 " + (MAX_PHOTOS - count) + " 张）" : o.first,
        onClick: function () { holder.refocus = true; input.click(); } }));
    }
    box.appendChild(el("p", { className: "photo-state", "aria-live": "polite", tabindex: "-1",
      text: holder.photoNote || (count ? o.done(count) : o.idle) }));
    return box;
  }

  function refocusPhotos(holder, o) {
    // The control was drawn anew: a keyboard user stays on it (the add button, else the note).
    if (!holder.refocus) return;
    holder.refocus = false;
    var box = o.find();
    var target = box && (box.querySelector(".add-photo:not([disabled])") || box.querySelector(".photo-state"));
    if (target) target.focus();
  }

  function finishPhotos(holder, o) {
    holder.uploading = false;
    save();
    if (holder === state.draft) saveDraft();
    o.refresh();
    refocusPhotos(holder, o);
    announceText(holder.photoNote);
  }

  function uploadPhotos(holder, files, o) {
    var room = MAX_PHOTOS - photoCount(holder);
    var chosen = files.filter(function (f) { return /^image\/(jpeg|png|webp)$/.test(f.type); });
    var note = chosen.length < files.length ? "只能传 JPG、PNG 或 WebP 照片，其他文件没有上传。" : "";
    if (chosen.length > room) note = "每件工单最多 " + MAX_PHOTOS + " 张照片，多出的没有上传。";
    chosen = chosen.slice(0, room);
    if (!chosen.length) { holder.photoNote = note || "没有选中照片。"; finishPhotos(holder, o); return; }
    holder.uploading = true;
    holder.photoNote = "";
    o.refresh();
    var next = function () {
      var file = chosen.shift();
      if (!file) return Promise.resolve();
      return shrinkPhoto(file).then(function (shrunk) {
        if (!shrunk.blob) throw new Error("照片处理失败");
        var form = new FormData();
        form.append("conversation_id", state.sessionId);
        form.append("photo", shrunk.blob, "photo.jpg");
        return timedFetch(o.url, { method: "POST", mode: "same-origin", body: form }, 30000).then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (body) {
            if (!response.ok) throw new Error(str(body.detail) || "上传没有成功，请稍后再试。");
            holder.photos = (holder.photos || []).concat([shrunk.thumb]);
            if (o.removable) { holder.ids = (holder.ids || []).concat([body.id]); holder.t = holder.t || Date.now(); }
            if (Number.isInteger(body.count)) holder.count = body.count;
          });
        });
      }).then(next);
    };
    next().then(function () {
      holder.photoNote = note || o.done(photoCount(holder));
    }, function (error) {
      holder.photoNote = (error && error.message && /[\u4e00-\u9fff]/.test(error.message)) ? error.message : "上传没有成功，请稍后再试。";
    }).then(function () { finishPhotos(holder, o); });
  }

  function removeDraft(index, o) {
    var draft = state.draft, id = draft.ids[index];
    draft.uploading = true;
    draft.refocus = true;
    o.refresh();
    var form = new FormData();
    form.append("conversation_id", state.sessionId);
    timedFetch("api/citizen-photos/draft/" + encodeURIComponent(id), { method: "DELETE", mode: "same-origin", body: form },
               15000).then(function (response) {
      if (!response.ok && response.status !== 404) throw new Error("删除没有成功，请稍后再试。");  // 404: already gone
      draft.photos.splice(index, 1);
      draft.ids.splice(index, 1);
      draft.count = draft.photos.length;
      if (!draft.photos.length) draft.t = 0;
      draft.photoNote = "已删除一张。" + o.done(draft.count);
    }).catch(function (error) {
      draft.photoNote = (error && /[\u4e00-\u9fff]/.test(error.message || "")) ? error.message : "删除没有成功，请稍后再试。";
    }).then(function () { finishPhotos(draft, o); });
  }

  function offerPhotos() {
    // The complaint's summary: the photo control goes under its text (and above its buttons).
    var summary = lastBotTextOfTurn();
    if (!summary) return;
    state.draft.photoNote = "";
    summary.photoOffer = true;
    save();
    rerender(summary);
    scrollToReply();
  }

  function ticketPhotos(custom) {
    // The ticket was made: the photos added under the summary are now its photos (the count the backend
    // gave), or go with it once it is delivered (临时编号). The draft starts empty again.
    var fields = { reference: str(custom.reference), queued: custom.queued === true };
    var attached = Number.isInteger(custom.photos) ? Math.min(custom.photos, MAX_PHOTOS) : 0;
    var draft = state.draft;
    if (!fields.queued && attached > 0) {
      fields.count = attached;
      fields.photos = draft.photos.slice(-attached);
    }
    if (fields.queued && draft.photos.length) fields.pendingPhotos = draft.photos.length;
    state.draft = emptyDraft();
    saveDraft();
    return fields;
  }

  function shrinkPhoto(file) {
    // A JPEG no larger than PHOTO_SIDE pixels; also a small data: thumbnail for the card.
    if (typeof createImageBitmap !== "function") return Promise.reject(new Error("no canvas"));
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, PHOTO_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      var thumb = document.createElement("canvas");
      var t = 96 / Math.max(canvas.width, canvas.height);
      thumb.width = Math.max(1, Math.round(canvas.width * t));
      thumb.height = Math.max(1, Math.round(canvas.height * t));
      thumb.getContext("2d").drawImage(canvas, 0, 0, thumb.width, thumb.height);
      var encode = function (quality) {
        return new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", quality); }).then(function (blob) {
          if (blob && blob.size > PHOTO_BYTES && quality > 0.5) return encode(quality - 0.15);
          return blob;
        });
      };
      return encode(0.85).then(function (blob) { return { blob: blob, thumb: thumb.toDataURL("image/jpeg", 0.7) }; });
    });
  }

  // ---------------------------------------------------------------- 去办理 (online channels of a service)
  // Only what the knowledge base carries: a link where county.yml has a real address, else the name (and the
  // service's entry, e.g. the mini program to search for). Links open in a new tab, without a referrer.
  function onlineBlock(online) {
    if (!online || !Array.isArray(online.channels) || !online.channels.length) return null;
    var box = el("section", { className: "go-online", "aria-label": "去办理" },
      el("h4", { text: "去办理" + (online.available === true ? "" : "（能否网上办待核实）") }));
    var row = el("div", { className: "go-online-links" });
    online.channels.forEach(function (channel) {
      var name = str(channel && channel.name);
      if (!name) return;
      var url = str(channel.url);
      row.appendChild(/^https?:\/\//.test(url)
        ? el("a", { className: "go-link", href: url, target: "_blank", rel: "noopener noreferrer",
                    text: "去" + name + "办理" })
        : el("span", { className: "go-channel", text: name + (state.elderly ? "" : "（网址待核实）") }));
    });
    box.appendChild(row);
    if (str(online.entry)) box.appendChild(el("p", { className: "go-entry", text: "入口：" + online.entry }));
    return box;
  }

  // ---------------------------------------------------------------- 我的工单 (the citizen's own tickets)
  var STAGES = ["已受理", "已转办", "办理中", "已反馈", "已办结"];
  var STAGE_NAMES = ["受理", "转办", "办理", "反馈", "办结"];  // 12345's five steps
  var STAGE_WORDS = { "已受理": "已收到，正在分派", "已转办": "已交给承办部门", "办理中": "部门正在办理",
                      "已反馈": "部门已答复", "已办结": "已办完" };

  function timeline(ticket) {
    // The five 12345 stages, each marked done (with its date) or still ahead; a 退回 shows as 已受理 again.
    var reached = {};
    (Array.isArray(ticket.history) ? ticket.history : []).forEach(function (h) {
      var at = /^\d{4}-(\d{2})-(\d{2})/.exec(str(h && h.at));
      if (h && STAGES.indexOf(h.stage) >= 0 && at) reached[h.stage] = Number(at[1]) + "/" + Number(at[2]);
    });
    var current = STAGES.indexOf(str(ticket.status));
    if (state.elderly) {  // 长辈模式: one line, in words, instead of five boxes
      return el("p", { className: "progress-line",
        text: "进度：第 " + (current + 1) + " 步，共 5 步。" + (STAGE_WORDS[ticket.status] || str(ticket.status)) });
    }
    var list = el("ol", { className: "timeline", "aria-label": "办理经过" });
    STAGES.forEach(function (stage, i) {
      var done = i <= current;
      list.appendChild(el("li", { className: done ? (i === current ? "done current" : "done") : "ahead",
                                  "aria-current": i === current ? "step" : null },
        el("span", { className: "stage", text: STAGE_NAMES[i] }),
        el("span", { className: "when", text: done ? (reached[stage] || "") : "未到" })));
    });
    return list;
  }

  function myTicketsCard(entry) {
    var tickets = Array.isArray(entry.tickets) ? entry.tickets : [];
    var card = el("article", { className: "bubble card my-tickets", "aria-label": "我的工单" },
      el("h3", { text: "我的工单（" + tickets.length + " 件）" }));
    tickets.forEach(function (ticket) {
      var item = el("section", { className: "my-ticket", "aria-label": "工单 " + str(ticket.number) },
        el("p", { className: "my-ticket-head" },
          el("strong", { className: "ticket-no", text: str(ticket.number) }),
          el("span", { className: "badge", text: str(ticket.status) })),
        el("p", { className: "my-ticket-summary", text: str(ticket.category) + "｜" + str(ticket.summary) }),
        timeline(ticket));
      var facts = [];
      if (str(ticket.department)) facts.push("承办：" + ticket.department);
      if (str(ticket.due_date)) facts.push("预计 " + ticket.due_date + " 前答复");
      if (facts.length) item.appendChild(el("p", { className: "my-ticket-facts", text: facts.join("；") }));
      if (str(ticket.reply)) item.appendChild(el("p", { className: "my-ticket-reply", text: "部门答复：" + ticket.reply }));
      card.appendChild(item);
    });
    return card;
  }

  // ---------------------------------------------------------------- checklist: copy, image, print / PDF
  function checklistActions(entry) {
    var note = el("span", { className: "copy-state", "aria-live": "polite" });
    var shown = function () { return splitTitle(entry.printText || entry.text, entry.title); };
    var plain = function () {
      var s = shown();
      return (s.title ? s.title + "\n" : "") + s.body.trim() + "\n—— 海原政务小助手";
    };
    return el("div", { className: "card-actions" },
      el("button", { type: "button", text: "复制文字", "aria-label": "复制这份清单的文字",
                     onClick: function () { copyText(plain(), note); } }),
      el("button", { type: "button", text: "存为图片", "aria-label": "把这份清单存为图片",
                     onClick: function () { saveChecklistImage(shown(), note); } }),
      el("button", { type: "button", text: "打印 / 存PDF", "aria-label": "打印这份清单，或在打印窗口里存为 PDF",
                     onClick: function () { printCard(entry); } }),
      note);
  }

  function wrapLines(context, text, width) {
    // Chinese wraps between any two characters; a numbered line keeps its indent when it wraps.
    var out = [];
    String(text).split(/\r?\n/).forEach(function (line) {
      if (!line.trim()) { out.push(""); return; }
      var indent = /^\s*\d{1,2}[.、．]/.test(line) ? "   " : "";
      var current = "";
      Array.from(line).forEach(function (ch) {
        if (current && context.measureText(current + ch).width > width) {
          out.push(current);
          current = indent + ch;
        } else {
          current += ch;
        }
      });
      out.push(current);
    });
    return out;
  }

  function saveChecklistImage(shown, note) {
    var scale = 2, width = 720, pad = 36, size = 26, lineHeight = 42;
    var font = function (weight, px) { return weight + " " + px + "px " + getComputedStyle(document.body).fontFamily; };
    var canvas = document.createElement("canvas");
    var context = canvas.getContext("2d");
    if (!context || !canvas.toBlob) { note.textContent = "这个浏览器不能存图片，请用“打印 / 存PDF”。"; return; }
    context.font = font(700, 32);
    var title = wrapLines(context, shown.title || "办事清单", width - 2 * pad);
    context.font = font(400, size);
    var body = wrapLines(context, shown.body.trim(), width - 2 * pad);
    var head = 14 + title.length * 44;
    var height = pad * 2 + head + body.length * lineHeight + 60;
    canvas.width = width * scale;
    canvas.height = height * scale;
    context.scale(scale, scale);
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, width, height);
    context.fillStyle = "#083b75";
    context.font = font(700, 32);
    title.forEach(function (line, i) { context.fillText(line, pad, pad + 34 + i * 44); });
    context.fillStyle = "#1a1a1a";
    context.font = font(400, size);
    body.forEach(function (line, i) { context.fillText(line, pad, pad + head + (i + 1) * lineHeight); });
    context.fillStyle = "#4a4f57";
    context.font = font(400, 20);
    context.fillText("海原政务小助手 · " + new Date().toLocaleDateString("zh-CN"), pad, height - pad);
    canvas.toBlob(function (blob) {
      if (!blob) { note.textContent = "图片没有生成，请再试一次。"; return; }
      var name = (shown.title || "办事清单").replace(/[\\/:*?"<>|]/g, "") + ".png";
      var file = typeof File === "function" ? new File([blob], name, { type: "image/png" }) : null;
      if (file && navigator.canShare && navigator.canShare({ files: [file] })) {  // phones: the share sheet
        navigator.share({ files: [file], title: shown.title || "办事清单" })
          .then(function () { note.textContent = "已分享"; }, function () { downloadBlob(blob, name, note); });
        return;
      }
      downloadBlob(blob, name, note);
    }, "image/png");
  }

  function downloadBlob(blob, name, note) {
    var url = URL.createObjectURL(blob);
    var link = el("a", { href: url, download: name, className: "visually-hidden" });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    note.textContent = "图片已保存：" + name;
  }

  function renderEntry(entry) {
    var item = el("li", { className: "msg", "data-entry": entry.id });
    if (entry.from === "staff") {
      // A person, not the bot: a visible label with their display name (never a phone number).
      item.classList.add("bot", "staff");
      item.appendChild(el("p", { className: "who", text: "人工客服 · " + entry.name }));
      var bubble = richText(el("div", { className: "bubble" }), entry.text);
      if (entry.ticket) {
        bubble = el("article", { className: "bubble card ticket", "aria-label": "工单已登记" },
          el("h3", { text: "工单已登记" }), el("strong", { className: "ticket-number", text: entry.ticket }),
          richText(el("div", { className: "card-body ticket-note" }), entry.text));
      }
      item.appendChild(bubble);
      return item;
    }
    if (entry.kind === "handoff_status") {
      item.classList.add("notice-line");
      item.appendChild(el("p", { text: entry.text }));
      if (entry.hotline) {
        var ways = el("div", { className: "choices", role: "group", "aria-label": "其他办法" },
          el("a", { className: "call", href: "tel:" + HOTLINE, text: "拨打 " + HOTLINE }),
          el("button", { type: "button", text: "预约回电",
                         onClick: function () { sendMessage("/request_callback", "预约回电"); } }));
        item.appendChild(ways);
      }
      return item;
    }
    if (entry.from === "user") {
      item.classList.add("user");
      if (entry.failed) item.classList.add("failed");
      item.appendChild(el("span", { className: "visually-hidden", text: "我说：" }));
      item.appendChild(el("div", { className: "bubble", text: entry.text }));
      if (entry.failed) {
        var queued = state.pending.some(function (p) { return p.entryId === entry.id; });
        item.appendChild(el("p", { className: "send-state", text: queued ? "未发出，恢复连接后会自动重发" : "未发出" }));
      }
      return item;
    }
    item.classList.add("bot");
    if (entry.kind === "rating") {
      item.appendChild(ratingCard(entry));
      return item;
    }
    if (entry.kind === "ticket_update") {
      item.appendChild(el("article", { className: "bubble card ticket-update", "aria-label": "工单进展" },
        el("h3", { text: "工单进展" }), el("strong", { className: "ticket-number", text: entry.ticket }),
        el("p", { text: entry.text })));
      return item;
    }
    if (entry.kind === "feedback") {
      var answered = entry.answered;
      var group = el("div", { className: "feedback", role: "group", "aria-label": "这个回答有用吗？" },
        el("span", { className: "label", text: answered ? "谢谢您的反馈。" : "这个回答有用吗？" }));
      [["有用", "/answer_helpful"], ["没用", "/answer_unhelpful"]].forEach(function (pair) {
        group.appendChild(el("button", {
          type: "button", text: pair[0], disabled: Boolean(answered), "aria-pressed": answered === pair[0] ? "true" : null,
          onClick: function () { answerFeedback(entry, pair[0], pair[1]); },
        }));
      });
      item.appendChild(group);
      return item;
    }
    item.appendChild(el("span", { className: "visually-hidden", text: "小助手说：" }));
    item.appendChild(botBubble(entry));
    var group2 = choices(entry);
    if (group2) item.appendChild(group2);
    var reader = readAloudButton(entry);
    if (reader) item.appendChild(reader);
    return item;
  }

  function intro() {
    var bubble = richText(el("div", { className: "bubble" }),
      "您好！我是海原县政务服务智能客服。\n请直接说您要办的事，比如“身份证丢了咋补办”，或点上面的按钮。");
    var hot = hotQuestions();
    if (hot) bubble.appendChild(hot);
    return el("li", { className: "msg bot intro" }, el("span", { className: "visually-hidden", text: "小助手说：" }), bubble);
  }

  // ---------------------------------------------------------------- 热点问题 (from the statistics / knowledge base)
  function hotQuestions() {
    var items = state.hot.slice(0, state.elderly ? 3 : 6);
    if (!items.length) return null;
    var group = el("div", { className: "hot", role: "group", "aria-labelledby": "hot-title" },
      el("p", { id: "hot-title", className: "hot-title", text: "大家都在问：" }));
    var row = el("div", { className: "choices hot-choices" });
    items.forEach(function (item) {
      row.appendChild(el("button", { type: "button", text: item.title,
        onClick: function () { sendMessage(item.payload, item.title, { keepChoices: true }); ui.input.focus(); } }));
    });
    group.appendChild(row);
    return group;
  }

  function loadHotQuestions() {
    timedFetch("api/hot-questions", { mode: "same-origin" }, 15000)
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || !Array.isArray(data.items)) return;
        state.hot = data.items.filter(function (i) {
          return i && str(i.title) && /^\/ask_service\{/.test(str(i.payload));
        }).map(function (i) { return { title: i.title.slice(0, 30), payload: i.payload }; });
        var old = ui.log.querySelector("li.intro");
        if (old) old.replaceWith(intro());
      }, function () { /* the welcome works without them */ });
  }

  function renderAll() {
    ui.log.textContent = "";
    ui.log.appendChild(intro());
    state.entries.forEach(function (entry) { ui.log.appendChild(renderEntry(entry)); });
    scrollToEnd();
  }

  function rerender(entry) {
    var old = ui.log.querySelector('[data-entry="' + entry.id + '"]');
    if (old) old.replaceWith(renderEntry(entry));
  }

  function scrollToEnd() { ui.wrap.scrollTop = ui.wrap.scrollHeight; }

  function scrollToReply() {
    // A reply taller than the conversation area is shown from its start (the answer, not its last
    // choices); a short one from the end as before.
    var items = ui.log.querySelectorAll("li.msg[data-entry]");
    var first = null;
    for (var i = items.length - 1; i >= 0 && !items[i].classList.contains("user"); i--) first = items[i];
    if (!first) { scrollToEnd(); return; }
    var top = first.getBoundingClientRect().top - ui.wrap.getBoundingClientRect().top + ui.wrap.scrollTop - 8;
    ui.wrap.scrollTop = top;  // the browser stops at the end: a reply that fits is shown whole
  }

  function save() { store.set(KEY.transcript, state.entries.slice(-MAX_ENTRIES)); }

  function addEntry(entry) {
    entry.id = uid();
    entry.t = Date.now();
    // An unanswered 有用/没用 row stays the last thing of its turn: later bot messages go above it.
    var last = state.entries[state.entries.length - 1];
    var node = renderEntry(entry);
    if (entry.from === "bot" && last && last.kind === "feedback" && !last.answered) {
      state.entries.splice(state.entries.length - 1, 0, entry);
      ui.log.insertBefore(node, ui.log.querySelector('[data-entry="' + last.id + '"]'));
    } else {
      state.entries.push(entry);
      ui.log.appendChild(node);
    }
    if (state.entries.length > MAX_ENTRIES) state.entries.splice(0, state.entries.length - MAX_ENTRIES);
    save();
    if (entry.from === "user") scrollToEnd(); else scrollToReply();
    return entry;
  }

  function firstBotTextOfTurn() {
    // The main answer of this turn (a 办事指南 card comes first; notes and caveats follow it).
    var found = null;
    for (var i = state.entries.length - 1; i >= 0 && state.entries[i].from !== "user"; i--) {
      if (state.entries[i].kind === "text") found = state.entries[i];
    }
    return found;
  }

  function lastBotTextOfTurn() {
    for (var i = state.entries.length - 1; i >= 0; i--) {
      var entry = state.entries[i];
      if (entry.from === "user") return null;
      if (entry.kind === "feedback") continue;
      return entry.kind === "text" ? entry : null;
    }
    return null;
  }

  // ---------------------------------------------------------------- bot messages
  function normalizeMessage(data) {
    // REST: {text, buttons, custom}; socket.io: {text, quick_replies} or the custom dict itself.
    if (!data || typeof data !== "object") return null;
    var raw = Array.isArray(data.buttons) ? data.buttons : Array.isArray(data.quick_replies) ? data.quick_replies : [];
    var message = {
      text: str(data.text),
      buttons: raw.filter(function (b) { return b && typeof b.title === "string" && b.title; }).slice(0, 40)
        .map(function (b) { return { title: b.title, payload: str(b.payload) || b.title }; }),
      custom: null,
    };
    if (data.custom && typeof data.custom === "object") {
      message.custom = data.custom;
    } else if (typeof data.type === "string") {
      // socket.io delivers a custom message as the dict itself; Rasa's own messages never have "type".
      return { text: "", buttons: [], custom: data };
    }
    var custom = message.custom;
    if (custom && !custom.type && custom.data && typeof custom.data === "object") message.custom = custom.data;
    return message;
  }

  function receive(data) {
    var message = normalizeMessage(data);
    if (!message) return;
    stopWaiting();
    if (message.text || message.buttons.length) {
      var joined = state.elderly && message.text ? joinIntoLastBubble(message) : null;
      if (joined) announce({ text: message.text, buttons: message.buttons });
      else announce(addEntry({ from: "bot", kind: "text", text: message.text, buttons: message.buttons }));
    }
    if (message.custom) handleCustom(message.custom);
  }

  function joinIntoLastBubble(message) {
    // 长辈模式: one reply is one bubble with one 朗读. A text that follows a plain text of the same turn
    // (no buttons in between) is added to it, and the buttons of the reply go under the whole of it.
    var entry = state.entries[state.entries.length - 1];
    if (!entry || entry.from !== "bot" || entry.kind !== "text" || (entry.buttons && entry.buttons.length) ||
        !entry.text) return null;
    entry.text += "\n" + message.text;
    entry.buttons = message.buttons;
    save();
    rerender(entry);
    scrollToReply();
    return entry;
  }

  function absorbInto(kind, fields, fallbackText) {
    // The custom message follows the text of the same reply: that bubble becomes the card.
    var entry = lastBotTextOfTurn();
    if (entry) {
      Object.keys(fields).forEach(function (name) { entry[name] = fields[name]; });
      entry.kind = kind;
      save();
      rerender(entry);
      scrollToReply();  // the card may be taller than the text was
      return;
    }
    var fresh = { from: "bot", kind: kind, text: fallbackText, buttons: [] };
    Object.keys(fields).forEach(function (name) { fresh[name] = fields[name]; });
    announce(addEntry(fresh));
  }

  function handleCustom(custom) {
    try {
      if (custom.type === "bundle_checklist" && str(custom.text)) {
        absorbInto("checklist", { title: str(custom.title), printText: str(custom.text), bundle: str(custom.bundle) },
                   str(custom.text));
      } else if (custom.type === "ticket" && str(custom.reference)) {
        absorbInto("ticket", ticketPhotos(custom), "");
      } else if (custom.type === "complaint_photos") {
        offerPhotos();
      } else if (custom.type === "my_tickets" && Array.isArray(custom.tickets)) {
        absorbInto("my_tickets", { tickets: custom.tickets.slice(0, 20) }, "");
      } else if (custom.type === "service_answer") {
        var answer = firstBotTextOfTurn();
        if (answer && !answer.online && custom.online && typeof custom.online === "object") {
          answer.online = custom.online;
          save();
          rerender(answer);
        }
        addEntry({ from: "bot", kind: "feedback", service: str(custom.service), aspect: str(custom.aspect), answered: null });
      } else if (custom.type === "elderly_mode" && typeof custom.on === "boolean") {
        setElderly(custom.on, false);
      } else if (custom.type === "handoff") {
        handoffMessage(custom);
      }
      // Anything else is for other clients: ignored.
    } catch (error) {
      if (window.console) window.console.warn("忽略无法显示的消息", error);
    }
  }

  function answerFeedback(entry, label, payload) {
    if (entry.answered) return;
    entry.answered = label;
    save();
    rerender(entry);
    sendMessage(payload, label, { keepChoices: true });  // 有用/没用 answers no question
  }

  // ---------------------------------------------------------------- 好差评 (five grades) of the service
  var GRADES = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"];
  var RATED_KINDS = { chat: "智能客服", handoff: "人工客服" };

  function offerRating(kind) {
    var open = state.entries.some(function (e) { return e.kind === "rating" && e.rateKind === kind && !e.grade; });
    if (!open) announce(addEntry({ from: "bot", kind: "rating", rateKind: kind, text: "请您评价这次" + RATED_KINDS[kind] + "服务：" }));
  }

  function ratingCard(entry) {
    var titleId = "rating-" + entry.id;
    var card = el("div", { className: "bubble card rating", role: "group", "aria-labelledby": titleId },
      el("p", { id: titleId, text: entry.grade ? "谢谢您的评价：" + entry.grade + "。" : entry.text }));
    var row = el("div", { className: "choices" });
    GRADES.forEach(function (grade, i) {
      row.appendChild(el("button", {
        type: "button", text: state.elderly ? (i + 1) + " " + grade : grade, disabled: Boolean(entry.grade || entry.sending),
        "aria-pressed": entry.grade === grade ? "true" : null, className: entry.grade === grade ? "chosen" : null,
        onClick: function () { sendRating(entry, grade); },
      }));
    });
    card.appendChild(row);
    if (entry.error) card.appendChild(el("p", { className: "send-state", role: "alert", text: entry.error }));
    return card;
  }

  function sendRating(entry, grade) {
    if (entry.grade || entry.sending) return;
    entry.sending = true;
    entry.error = "";
    rerender(entry);
    timedFetch("api/service-ratings", {
      method: "POST", mode: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ conversation_id: state.sessionId, kind: entry.rateKind, grade: grade }),
    }, 15000).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      entry.grade = grade;
    }).catch(function () {
      entry.error = "评价没有送出，请稍后再点一次。";
    }).then(function () {
      entry.sending = false;
      save();
      rerender(entry);
      announceText(entry.grade ? "谢谢您的评价。" : entry.error);
    });
  }

  // ---------------------------------------------------------------- screen reader and read-aloud
  function announce(entry) {
    var text = speechOf(entry);
    if (!text) return;
    announceText("小助手说：" + text, text);
  }

  function announceText(text, spoken) {
    ui.announcer.appendChild(el("p", { text: text }));
    while (ui.announcer.childNodes.length > 3) ui.announcer.removeChild(ui.announcer.firstChild);
    if (state.elderly && state.autoread) speech.say(spoken || text, false);
  }

  var speech = {
    available: "speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function",
    voice: function () {
      var voices = window.speechSynthesis.getVoices() || [];
      return voices.filter(function (v) { return /^zh[-_]CN/i.test(v.lang); })[0] ||
             voices.filter(function (v) { return /^zh/i.test(v.lang); })[0] || null;
    },
    say: function (text, interrupt) {
      if (!speech.available || !text) return;
      if (interrupt) window.speechSynthesis.cancel();
      var utterance = new window.SpeechSynthesisUtterance(text);
      utterance.lang = "zh-CN";
      utterance.rate = 0.9;
      var voice = speech.voice();
      if (voice) utterance.voice = voice;
      window.speechSynthesis.speak(utterance);
    },
    stop: function () { if (speech.available) window.speechSynthesis.cancel(); },
  };

  // ---------------------------------------------------------------- cards: print and copy
  function printCard(entry) {
    var shown = splitTitle(entry.printText || entry.text, entry.title);
    ui.printArea.textContent = "";
    ui.printArea.appendChild(el("article", { className: "card" },
      el("h3", { text: shown.title || "办事清单" }),
      richText(el("div"), shown.body),
      el("p", { className: "print-note", text: "海原政务小助手 · 打印于 " + new Date().toLocaleString("zh-CN") })));
    window.print();
  }

  window.addEventListener("afterprint", function () { ui.printArea.textContent = ""; });

  function copyText(text, stateNode) {
    var done = function () { stateNode.textContent = "已复制"; };
    var fallback = function () {
      var area = el("textarea", { className: "visually-hidden", "aria-hidden": "true" });
      area.value = text;
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      area.remove();
      stateNode.textContent = ok ? "已复制" : "请长按编号复制";
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
  }

  // ---------------------------------------------------------------- connection state
  function showStatus(kind, text) {
    // kind: "offline" (an alert with 重试), "connecting" or "notice" (quiet, no button).
    state.statusKind = kind;
    ui.status.className = "status" + (kind === "offline" ? "" : " connecting");
    ui.status.setAttribute("role", kind === "offline" ? "alert" : "status");
    ui.statusText.textContent = text;
    ui.status.hidden = false;
  }

  function hideStatus() {
    state.statusKind = null;
    ui.status.hidden = true;
  }

  function setOnline() {
    var wasOffline = state.online === false;
    state.online = true;
    clearInterval(state.probeTimer);
    state.probeTimer = null;
    if (state.statusKind === "offline" || state.statusKind === "connecting") hideStatus();
    if (wasOffline || state.pending.length) flushPending();
  }

  function setOffline() {
    state.online = false;
    stopWaiting();
    showStatus("offline", OFFLINE_TEXT);
    if (!state.probeTimer) state.probeTimer = setInterval(probe, OFFLINE_PROBE_MS);
  }

  function probe() {
    // Is the REST channel reachable? Rasa answers a GET on the webhook with 405 (POST only); a proxy in
    // front of a stopped Rasa answers 502/504, a network without it fails.
    if (state.probing) return Promise.resolve(state.online === true);
    if (state.socketReady) { setOnline(); return Promise.resolve(true); }
    state.probing = true;
    return timedFetch(RASA_URL + "/webhooks/rest/webhook", { method: "GET" }, 8000)
      .then(function (response) { return response.status === 405 || response.ok; }, function () { return false; })
      .then(function (ok) {
        state.probing = false;
        if (ok) setOnline(); else if (!state.socketReady) setOffline();
        return ok;
      });
  }

  function retry() {
    showStatus("connecting", "正在重新连接…");
    if (state.socket && !state.socket.connected) state.socket.connect();
    setTimeout(probe, 300);
  }

  // ---------------------------------------------------------------- sending
  // No elderly_mode here: the page switches the dialogue with /elderly_mode_on|off and follows the bot's
  // {"type": "elderly_mode"} message; a flag on every message would override "字太小了" typed by the citizen.
  function metadata(item) {
    // "choice": the text came from a button (stale buttons are refused by the actions, actions/stale_choices.py);
    // "earlier_sessions": this browser's sessions before 新对话, for 我的工单 (actions/my_tickets.py).
    var data = item && item.choice ? { channel: CHANNEL, choice: true } : { channel: CHANNEL };
    var earlier = earlierSessions();
    if (earlier.length) data.earlier_sessions = earlier;
    return data;
  }

  function earlierSessions() {
    var list = store.get(KEY.earlier, []);
    return Array.isArray(list) ? list.filter(function (id) { return typeof id === "string" && /^web-[0-9a-f]{32}$/.test(id); }) : [];
  }

  function timedFetch(url, options, timeout) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, timeout) : null;
    var settings = Object.assign({ mode: "cors", credentials: "omit", cache: "no-store" }, options,
                                 controller ? { signal: controller.signal } : {});
    return fetch(url, settings).finally(function () { clearTimeout(timer); });
  }

  function sendRest(message, item) {
    return timedFetch(RASA_URL + "/webhooks/rest/webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: state.sessionId, message: message, metadata: metadata(item) }),
    }, REPLY_TIMEOUT_MS).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    });
  }

  function startWaiting() {
    ui.typing.hidden = false;
    scrollToEnd();
    clearTimeout(state.waitTimer);
    state.waitTimer = setTimeout(function () {
      ui.typing.hidden = true;
      if (state.online !== false) showStatus("notice", NO_REPLY_TEXT);
    }, REPLY_TIMEOUT_MS);
  }

  function stopWaiting() {
    clearTimeout(state.waitTimer);
    ui.typing.hidden = true;
    if (state.statusKind === "notice") hideStatus();
  }

  function markFailed(entryId, failed) {
    var entry = state.entries.filter(function (e) { return e.id === entryId; })[0];
    if (!entry || Boolean(entry.failed) === failed) return;
    entry.failed = failed;
    save();
    rerender(entry);
  }

  function deliver(item) {
    // Resolves true when the message reached Rasa; false leaves it pending.
    if (!withPerson()) startWaiting();
    if (state.socketReady && state.socket && state.socket.connected) {
      state.socket.emit("user_uttered", { message: item.message, session_id: state.sessionId, metadata: metadata(item) });
      markFailed(item.entryId, false);
      return Promise.resolve(true);
    }
    return sendRest(item.message, item).then(function (replies) {
      markFailed(item.entryId, false);
      setOnline();
      stopWaiting();
      (Array.isArray(replies) ? replies : []).forEach(function (reply) { receive(reply); });
      return true;
    }, function () {
      markFailed(item.entryId, true);
      if (!state.socketReady) setOffline(); else stopWaiting();
      return false;
    });
  }

  function flushPending() {
    if (state.flushing || !state.pending.length) return;
    state.flushing = true;
    var next = function () {
      if (!state.pending.length) { state.flushing = false; return; }
      deliver(state.pending[0]).then(function (ok) {
        if (ok) { state.pending.shift(); next(); } else state.flushing = false;
      });
    };
    next();
  }

  function sendMessage(message, display, from) {
    message = String(message || "").trim();
    if (!message) return;
    if (!(from && from.keepChoices)) closeChoices(from && from.entry, from && from.title);
    var entry = addEntry({ from: "user", text: maskPersonal(display || MENU_TEXT[message] || message) });
    // Every message goes through the queue, so they reach Rasa in order, also after an outage.
    state.pending.push({ message: message, entryId: entry.id, choice: Boolean(from && from.choice) });
    if (state.online === false) {
      markFailed(entry.id, true);
      probe();
    } else {
      flushPending();
    }
  }

  // ---------------------------------------------------------------- socket.io
  function connectSocket() {
    if (typeof window.io !== "function" || !RASA_URL) { probe(); return; }
    var socket = window.io(RASA_URL, {
      path: CONFIG.socketPath || "/socket.io",
      // Long-polling only: Rasa 3.6's Sanic server with python-engineio 4.15 breaks the WebSocket upgrade
      // ("Invalid frame header"), after which the session never connects. Polling also passes every proxy.
      transports: CONFIG.transports || ["polling"],
      reconnectionDelay: 1000,
      reconnectionDelayMax: 8000,
      timeout: 8000,
      withCredentials: false,
    });
    state.socket = socket;
    socket.on("connect", function () { socket.emit("session_request", { session_id: state.sessionId }); });
    socket.on("session_confirm", function () {
      state.socketReady = true;
      setOnline();
    });
    socket.on("bot_uttered", function (data) { receive(data); });
    socket.on("disconnect", function () { state.socketReady = false; probe(); });
    socket.on("connect_error", function () { state.socketReady = false; probe(); });
    setTimeout(function () { if (!state.socketReady) probe(); }, SOCKET_GRACE_MS);
  }

  // ---------------------------------------------------------------- 转人工 (live handoff)
  // The bot's {"type": "handoff", "status": "queued", "request_id", "poll_token", …} starts it; the page then
  // polls GET api/handoff/{id}/events (relative: the backend serves this page) with the poll token in a
  // header. While a person is connected the citizen's messages still go to Rasa, which is paused: they are
  // kept in the conversation, and the staff member reads them in the console.
  function withPerson() { return Boolean(state.handoff && state.handoff.status === "connected"); }

  function saveHandoff() { store.set(KEY.handoff, state.handoff); }

  function handoffUrl(suffix) { return "api/handoff/" + state.handoff.id + suffix; }

  function handoffMessage(custom) {
    // queued (or connected: the conversation already has a person) → poll; cancelled → poll once, which ends it.
    var open = custom.status === "queued" || custom.status === "connected";
    if (open && Number.isInteger(custom.request_id) && str(custom.poll_token)) startHandoff(custom);
    else if (custom.status === "cancelled" && state.handoff) pollHandoff();
  }

  function startHandoff(custom) {
    if (state.handoff && state.handoff.id === custom.request_id) return;
    state.handoff = {
      id: custom.request_id, token: custom.poll_token, session: state.sessionId, after: 0, status: custom.status,
      staff: str(custom.staff_display_name), ahead: Number.isInteger(custom.ahead) ? custom.ahead
        : Number.isInteger(custom.position) ? custom.position - 1 : null,
      wait: Number.isInteger(custom.expected_wait_minutes) ? custom.expected_wait_minutes : null,
    };
    saveHandoff();
    renderHandoffBar();
    pollHandoff();
  }

  function renderHandoffBar() {
    var h = state.handoff;
    var open = Boolean(h && (h.status === "queued" || h.status === "connected"));
    ui.human.hidden = open;  // already waiting for, or talking to, a person
    if (!open) {
      ui.handoffBar.hidden = true;
      return;
    }
    if (h.status === "connected") {
      ui.handoffText.textContent = "人工客服 · " + h.staff + " 正在为您服务。您说的话会直接发给工作人员。";
      ui.handoffAction.textContent = "结束人工服务";
    } else {
      var place = h.ahead === 0 ? "您排在第 1 位" : h.ahead > 0 ? "前面还有 " + h.ahead + " 位" : "正在为您排队";
      ui.handoffText.textContent = "正在转人工客服：" + place + (h.wait ? "，预计等 " + h.wait + " 分钟。" : "。");
      ui.handoffAction.textContent = "取消排队";
    }
    ui.handoffBar.hidden = false;
  }

  function endHandoff() {
    clearTimeout(state.handoffTimer);
    var served = Boolean(state.handoff && state.handoff.staff);
    if (served) offerRating("handoff");  // after 人工客服: how was the person's service?
    state.handoff = null;
    saveHandoff();
    renderHandoffBar();
  }

  function handoffEvent(event) {
    var h = state.handoff;
    if (event.kind === "message") {
      var entry = addEntry({ from: "staff", kind: "staff", text: str(event.text), name: str(event.staff_display_name) || "工作人员",
                             ticket: str(event.ticket_number) });
      announceText("人工客服说：" + entry.text);
      return;
    }
    if (event.status === "queued") return;  // the bot's own message already said so
    var text = str(event.text);
    if (event.status === "connected") {
      h.status = "connected";
      h.staff = str(event.staff_display_name) || "工作人员";
      stopWaiting();
      closeChoices(null, null);  // 取消排队 and the bot's questions are superseded by the person
    }
    var line = addEntry({ from: "bot", kind: "handoff_status", text: text, hotline: event.status === "expired" });
    announceText(line.text);
  }

  function pollHandoff() {
    clearTimeout(state.handoffTimer);
    var h = state.handoff;
    if (!h) return;
    timedFetch(handoffUrl("/events?after=" + h.after), { headers: { "X-Handoff-Token": h.token }, mode: "same-origin" }, 15000)
      .then(function (response) {
        if (response.status === 404) return { status: "gone", events: [] };
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (state.handoff !== h) return;  // a new chat meanwhile
        (Array.isArray(data.events) ? data.events : []).forEach(function (event) {
          if (event && typeof event.id === "number" && event.id > h.after) {
            h.after = event.id;
            handoffEvent(event);
          }
        });
        if (typeof data.ahead === "number") h.ahead = data.ahead;
        var open = data.status === "queued" || data.status === "connected";
        if (!open) { endHandoff(); return; }
        h.status = data.status;
        if (data.staff_display_name) h.staff = data.staff_display_name;
        saveHandoff();
        renderHandoffBar();
        state.handoffTimer = setTimeout(pollHandoff, data.poll_after_ms || HANDOFF_POLL_MS);
      }, function () {
        if (state.handoff === h) state.handoffTimer = setTimeout(pollHandoff, HANDOFF_RETRY_MS);
      });
  }

  function leaveHandoff() {
    // 取消排队: the dialogue cancels (/cancel_handoff → action_cancel_handoff) and answers; the next poll ends it.
    // 结束人工服务: Rasa is paused, so the page asks the backend itself, which resumes the conversation.
    var h = state.handoff;
    if (!h) return Promise.resolve();
    if (h.status === "queued") {
      sendMessage("/cancel_handoff", "取消排队");
      return Promise.resolve();
    }
    ui.handoffAction.disabled = true;
    return timedFetch(handoffUrl("/cancel"), { method: "POST", headers: { "X-Handoff-Token": h.token }, mode: "same-origin" }, 15000)
      .then(function (response) { if (!response.ok && response.status !== 404) throw new Error("HTTP " + response.status); },
            function () { throw new Error("offline"); })
      .then(function () {
        ui.handoffAction.disabled = false;
        pollHandoff();  // shows the backend's words and stops
      }, function () {
        ui.handoffAction.disabled = false;
        showStatus("notice", "暂时没能结束，请稍后再试，或拨打 " + HOTLINE + "。");
      });
  }

  // ---------------------------------------------------------------- 公告 (notices)
  function dayText(iso, thisYear) {
    var parts = String(iso || "").split("-").map(Number);
    if (parts.length !== 3 || parts.some(isNaN)) return "";
    return (parts[0] !== thisYear ? parts[0] + "年" : "") + parts[1] + "月" + parts[2] + "日";
  }

  function renderNotices(list) {
    var dismissed = store.get(KEY.notices, []);
    if (!Array.isArray(dismissed)) dismissed = [];
    var shown = list.filter(function (n) {
      return n && typeof n.id === "string" && str(n.title) && dismissed.indexOf(n.id) < 0;
    });
    ui.notices.textContent = "";
    var year = new Date().getFullYear();
    shown.forEach(function (notice) {
      var titleId = "notice-title-" + notice.id;
      var dates = dayText(notice.start, year) + (notice.end && notice.end !== notice.start ? "至" + dayText(notice.end, year) : "");
      var card = el("article", { className: "notice", "aria-labelledby": titleId, "data-notice": notice.id },
        el("h2", { id: titleId, text: notice.title }),
        dates ? el("p", { className: "notice-dates", text: "有效期：" + dates }) : null,
        richText(el("div", { className: "notice-text" }), str(notice.text)),
        el("button", { type: "button", className: "notice-close", text: "关闭", "aria-label": "关闭公告：" + notice.title,
                       onClick: function () {
                         dismissed.push(notice.id);
                         store.set(KEY.notices, dismissed.slice(-50));
                         card.remove();
                         ui.notices.hidden = !ui.notices.querySelector(".notice");
                         ui.input.focus();
                       } }));
      ui.notices.appendChild(card);
    });
    ui.notices.hidden = !shown.length;
  }

  function loadNotices() {
    timedFetch("api/notices/active", { mode: "same-origin" }, 15000)
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && Array.isArray(data.notices)) renderNotices(data.notices); },
            function () { /* no notices today is not an error worth showing */ });
  }

  // ---------------------------------------------------------------- 工单进展 (the citizen's ticket notices)
  // The backend keeps a notice for this conversation until the page confirms it has shown it; the ids shown
  // are remembered here too, so a lost confirmation never shows one twice.
  function postSameOrigin(url, body) {
    return timedFetch(url, { method: "POST", mode: "same-origin", headers: { "Content-Type": "application/json" },
                             body: JSON.stringify(body) }, 15000)
      .then(function (response) { return response.ok ? response.json() : null; });
  }

  function loadTicketUpdates() {
    var shown = store.get(KEY.ticketUpdates, []);
    if (!Array.isArray(shown)) shown = [];
    postSameOrigin("api/notify/web/pending", { conversation_id: state.sessionId })
      .then(function (data) {
        var ids = [];
        (data && Array.isArray(data.notices) ? data.notices : []).forEach(function (notice) {
          if (!Number.isInteger(notice.id)) return;
          ids.push(notice.id);
          if (shown.indexOf(notice.id) !== -1) return;
          shown.push(notice.id);
          var entry = addEntry({ from: "bot", kind: "ticket_update", text: str(notice.text), ticket: str(notice.ticket_number) });
          if (state.elderly && state.autoread) speech.say(entry.text, false);
        });
        store.set(KEY.ticketUpdates, shown.slice(-200));
        if (ids.length) return postSameOrigin("api/notify/web/shown", { conversation_id: state.sessionId, ids: ids });
      })
      .catch(function () { /* not reachable now: shown on a later visit */ });
  }

  // ---------------------------------------------------------------- 长辈模式
  function setElderly(on, sendToBot) {
    var changed = state.elderly !== on;
    state.elderly = on;
    store.set(KEY.elderly, on);
    ui.body.classList.toggle("elderly", on);
    ui.toggle.setAttribute("aria-checked", on ? "true" : "false");
    ui.autoreadOption.hidden = !(on && speech.available);
    if (!on) speech.stop();
    ui.menuToggle.hidden = !on;
    setMenuOpen(false);
    var welcome = ui.log.querySelector("li.intro");
    if (welcome && changed) welcome.replaceWith(intro());
    if (sendToBot) sendMessage(on ? "/elderly_mode_on" : "/elderly_mode_off", null, { keepChoices: true });
    return changed;
  }

  function setMenuOpen(open) {
    // Only 长辈模式 folds the menu; elsewhere it is always shown (the class has no effect).
    ui.body.classList.toggle("menu-open", open);
    ui.menuToggle.setAttribute("aria-expanded", open ? "true" : "false");
    ui.menuToggle.textContent = open ? "收起菜单" : "菜单";
  }

  // ---------------------------------------------------------------- wiring
  function autoGrow() {
    ui.input.style.height = "auto";
    ui.input.style.height = Math.min(ui.input.scrollHeight + 4, 220) + "px";
  }

  ui.form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = ui.input.value;
    if (!text.trim()) { ui.input.focus(); return; }
    ui.input.value = "";
    autoGrow();
    sendMessage(text);
    ui.input.focus();
  });

  ui.input.addEventListener("keydown", function (event) {
    // Enter sends; Shift+Enter is a new line; never while an input method is composing (拼音).
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && event.keyCode !== 229) {
      event.preventDefault();
      ui.form.requestSubmit ? ui.form.requestSubmit() : ui.form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });
  ui.input.addEventListener("input", autoGrow);

  Array.prototype.forEach.call(document.querySelectorAll(".quick-menu button"), function (button) {
    button.addEventListener("click", function () {
      setMenuOpen(false);
      sendMessage(button.getAttribute("data-payload"), button.textContent);
    });
  });
  ui.menuToggle.addEventListener("click", function () {
    var open = !ui.body.classList.contains("menu-open");
    setMenuOpen(open);
    if (open) document.querySelector(".quick-menu button").focus();
  });

  ui.toggle.addEventListener("click", function () { setElderly(!state.elderly, true); });
  ui.autoread.addEventListener("change", function () {
    state.autoread = ui.autoread.checked;
    store.set(KEY.autoread, state.autoread);
    if (!state.autoread) speech.stop();
  });
  ui.retry.addEventListener("click", retry);
  ui.handoffAction.addEventListener("click", function () { leaveHandoff(); });
  ui.human.addEventListener("click", function () { sendMessage("/human_handoff", "人工客服"); ui.input.focus(); });
  ui.rate.addEventListener("click", function () { setMenuOpen(false); offerRating("chat"); });
  ui.newChat.addEventListener("click", function () {
    if (!window.confirm("开始新对话？本页的对话记录会清除。")) return;
    speech.stop();
    if (state.handoff) {  // the old conversation leaves the queue (or the chat) on the backend
      timedFetch(handoffUrl("/cancel"), { method: "POST", headers: { "X-Handoff-Token": state.handoff.token },
                                          mode: "same-origin" }, 15000).catch(function () {});
      endHandoff();
    }
    state.entries = [];
    state.pending = [];
    store.set(KEY.earlier, [state.sessionId].concat(earlierSessions()).slice(0, MAX_EARLIER));
    state.sessionId = newSessionId();
    store.set(KEY.session, state.sessionId);
    state.draft = emptyDraft();  // the old conversation's unsent photos expire on the backend
    saveDraft();
    save();
    renderAll();
    if (state.socket && state.socket.connected) state.socket.emit("session_request", { session_id: state.sessionId });
    if (state.elderly) sendMessage("/elderly_mode_on");
    ui.input.focus();
  });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") speech.stop(); });

  // Start: the saved mode and transcript first (no announcements), then connect.
  ui.autoread.checked = state.autoread;
  state.draft = loadDraft();
  setElderly(state.elderly, false);
  renderAll();
  connectSocket();
  loadNotices();
  loadTicketUpdates();
  loadHotQuestions();
  (function resumeHandoff() {  // a reload while queued or connected: carry on where the page was
    var saved = store.get(KEY.handoff, null);
    if (saved && typeof saved === "object" && Number.isInteger(saved.id) && typeof saved.token === "string" &&
        saved.session === state.sessionId) {
      state.handoff = saved;
      renderHandoffBar();
      pollHandoff();
    }
  })();

  // For tests and embedding pages: show a bot message as if it had arrived (nothing is sent).
  window.haiyuanChat = {
    receive: function (message) { receive(message); },
    sessionId: function () { return state.sessionId; },
    transport: function () { return state.socketReady ? "socket.io" : state.online ? "rest" : "offline"; },
    handoff: function () { return state.handoff ? { id: state.handoff.id, status: state.handoff.status } : null; },
  };
})();
