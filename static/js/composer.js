// The composer people expect, on every <textarea data-composer>: Write / Preview tabs (the
// preview is the server's sanitized HTML, POST /api/v1/preview: no Markdown is rendered here),
// a small Markdown toolbar (also Ctrl/Cmd+B, I, K), @mention suggestions limited by the server
// to people who can read the thread (GET /api/v1/mentions), emoji shortcodes (GET /api/v1/emoji,
// the list the server renders) and quote-reply of a passage selected in a post.
// Edits go through the browser's own editing (insertText) so Ctrl+Z undoes them. The form
// still works without this file; user text is only ever set with textContent or .value.
import { csrfToken } from "./base.js";
import { bindDraft, clearDraft } from "./drafts.js";
import { t } from "./i18n.js";

let uid = 0;
const nextId = (name) => `composer-${name}-${++uid}`;

/** Replace the textarea's selection with `text`, keeping the undo history where possible. */
function insertText(area, text, selectStart = null, selectEnd = null) {
  area.focus();
  const start = area.selectionStart;
  // execCommand keeps Ctrl+Z working; where it is missing, setRangeText plus an input event.
  const done = document.queryCommandSupported?.("insertText")
    && document.execCommand("insertText", false, text);
  if (!done || area.value.slice(start, start + text.length) !== text) {
    area.setRangeText(text, start, area.selectionEnd, "end");
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }
  if (selectStart !== null) {
    area.setSelectionRange(start + selectStart, start + (selectEnd ?? selectStart));
  }
}

/** Select whole lines around the selection (for list and quote prefixes). */
function selectLines(area) {
  const { value, selectionStart, selectionEnd } = area;
  const start = selectionStart === 0 ? 0 : value.lastIndexOf("\n", selectionStart - 1) + 1;
  let end;
  if (selectionEnd > selectionStart && value[selectionEnd - 1] === "\n") {
    end = selectionEnd - 1; // a selection ending at a line break stops before it
  } else {
    end = value.indexOf("\n", selectionEnd);
    if (end === -1) end = value.length;
  }
  end = Math.max(start, end);
  area.setSelectionRange(start, end);
  return value.slice(start, end);
}

function wrap(area, before, after = before) {
  const selected = area.value.slice(area.selectionStart, area.selectionEnd);
  // With nothing selected the caret lands between the markers, ready to type.
  insertText(area, before + selected + after, before.length, before.length + selected.length);
}

function prefixLines(area, prefix) {
  const lines = selectLines(area).split("\n");
  const text = lines.map((line, i) => prefix(i) + line).join("\n");
  insertText(area, text, text.length);
}

const ACTIONS = {
  bold: { glyph: "B", key: "b", run: (area) => wrap(area, "**") },
  italic: { glyph: "I", key: "i", run: (area) => wrap(area, "_") },
  link: {
    glyph: "🔗", key: "k", run: (area) => {
      const selected = area.value.slice(area.selectionStart, area.selectionEnd);
      if (/^https?:\/\/\S+$/.test(selected)) {
        insertText(area, `[](${selected})`, 1); // a URL selected: type its text
      } else {
        const text = `[${selected}](https://)`;
        // The caret goes after "https://", where the address is typed.
        insertText(area, text, text.length - 1);
      }
    },
  },
  bullets: { glyph: "•", run: (area) => prefixLines(area, () => "- ") },
  numbers: { glyph: "⒈", run: (area) => prefixLines(area, (i) => `${i + 1}. `) },
  quote: { glyph: "❝", run: (area) => prefixLines(area, () => "> ") },
  code: {
    glyph: "</>", run: (area) => {
      const selected = area.value.slice(area.selectionStart, area.selectionEnd);
      if (selected.includes("\n")) {
        const text = "```\n" + selected.replace(/\n$/, "") + "\n```\n";
        insertText(area, text, text.length);
      } else {
        wrap(area, "`");
      }
    },
  },
};

/** A problem JSON's message, else a generic one. */
async function problemMessage(response) {
  try {
    const body = await response.json();
    const fields = body?.error?.fields;
    return (fields && Object.values(fields)[0]) || body?.error?.message || t("composer_preview_failed");
  } catch {
    return t("composer_preview_failed");
  }
}

let emojiList = null;
async function loadEmoji() {
  if (!emojiList) {
    emojiList = fetch("/api/v1/emoji", { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : []))
      .catch(() => []);
  }
  return emojiList;
}

class Composer {
  constructor(area) {
    this.area = area;
    this.threadId = area.dataset.threadId;
    this.categoryId = area.dataset.categoryId;
    this.mentionCache = new Map();
    this.suggestion = null; // {kind, start, end, items, active}
    this.build();
  }

  build() {
    const area = this.area;
    const root = document.createElement("div");
    root.className = "composer";
    const bar = document.createElement("div");
    bar.className = "composer-bar";

    // Tabs (ARIA tabs pattern: one tab stop, arrows switch, the panel follows).
    const tabs = document.createElement("div");
    tabs.setAttribute("role", "tablist");
    tabs.setAttribute("aria-label", t("composer_mode"));
    this.writePanel = document.createElement("div");
    this.previewPanel = document.createElement("div");
    this.tabs = ["write", "preview"].map((name) => {
      const tab = document.createElement("button");
      tab.type = "button";
      tab.id = nextId(`${name}-tab`);
      tab.className = "composer-tab";
      tab.setAttribute("role", "tab");
      tab.textContent = t(`composer_${name}`);
      tab.dataset.tab = name;
      tabs.append(tab);
      return tab;
    });
    for (const [tab, panel] of [[this.tabs[0], this.writePanel], [this.tabs[1], this.previewPanel]]) {
      panel.id = nextId("panel");
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      tab.setAttribute("aria-controls", panel.id);
    }
    this.previewPanel.className = "composer-preview post-body";
    this.previewPanel.tabIndex = 0;
    this.previewPanel.dir = "auto";
    this.previewPanel.hidden = true;
    tabs.addEventListener("click", (event) => {
      const tab = event.target.closest("[role=tab]");
      if (tab) this.select(tab.dataset.tab);
    });
    tabs.addEventListener("keydown", (event) => {
      const keys = { ArrowLeft: -1, ArrowRight: 1, Home: "first", End: "last" };
      if (!(event.key in keys)) return;
      event.preventDefault();
      const current = this.tabs.indexOf(document.activeElement);
      let step = keys[event.key];
      if (typeof step === "number" && getComputedStyle(root).direction === "rtl") step = -step;
      const next = step === "first" ? 0 : step === "last" ? this.tabs.length - 1
        : (current + step + this.tabs.length) % this.tabs.length;
      this.select(this.tabs[next].dataset.tab);
      this.tabs[next].focus();
    });

    // Toolbar (ARIA toolbar: one tab stop, arrows move between buttons).
    const toolbar = document.createElement("div");
    toolbar.className = "composer-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", t("composer_toolbar"));
    toolbar.setAttribute("aria-controls", area.id);
    this.toolButtons = Object.entries(ACTIONS).map(([name, action], i) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = `composer-tool composer-tool-${name}`;
      button.dataset.action = name;
      button.tabIndex = i === 0 ? 0 : -1;
      const label = t(`composer_${name}`);
      button.setAttribute("aria-label", label);
      button.title = label;
      const glyph = document.createElement("span");
      glyph.setAttribute("aria-hidden", "true");
      glyph.textContent = action.glyph;
      button.append(glyph);
      toolbar.append(button);
      return button;
    });
    // Keep the textarea's selection: a mouse press on a button does not take focus.
    toolbar.addEventListener("mousedown", (event) => {
      if (event.target.closest("button")) event.preventDefault();
    });
    toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-action]");
      if (button) ACTIONS[button.dataset.action].run(area);
    });
    toolbar.addEventListener("keydown", (event) => {
      const moves = { ArrowLeft: -1, ArrowRight: 1, Home: "first", End: "last" };
      if (!(event.key in moves)) return;
      event.preventDefault();
      const buttons = this.toolButtons;
      const current = buttons.indexOf(document.activeElement);
      let step = moves[event.key];
      if (typeof step === "number" && getComputedStyle(root).direction === "rtl") step = -step;
      const next = step === "first" ? 0 : step === "last" ? buttons.length - 1
        : (current + step + buttons.length) % buttons.length;
      buttons.forEach((b, i) => { b.tabIndex = i === next ? 0 : -1; });
      buttons[next].focus();
    });
    this.toolbar = toolbar;

    bar.append(tabs, toolbar);
    // The "Attach files" bar and its list (templates/_forms.html upload_bar) belong to writing.
    const files = [area.nextElementSibling, area.nextElementSibling?.nextElementSibling]
      .filter((node) => node?.matches(".upload-bar, .upload-list"));
    area.before(root);
    this.writePanel.append(area, ...files);
    root.append(bar, this.writePanel, this.previewPanel);

    // Suggestions: a listbox the textarea controls (aria-activedescendant keeps focus in the box).
    this.listbox = document.createElement("ul");
    this.listbox.id = nextId("suggestions");
    this.listbox.className = "composer-suggestions";
    this.listbox.setAttribute("role", "listbox");
    this.listbox.hidden = true;
    this.status = document.createElement("div");
    this.status.className = "visually-hidden";
    this.status.setAttribute("role", "status");
    this.writePanel.append(this.listbox, this.status);
    area.setAttribute("aria-autocomplete", "list");
    area.setAttribute("aria-controls", this.listbox.id);
    this.listbox.addEventListener("mousedown", (event) => event.preventDefault());
    this.listbox.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) this.accept(Number(option.dataset.index));
    });

    area.addEventListener("keydown", (event) => this.onKeydown(event));
    area.addEventListener("input", () => this.onInput());
    area.addEventListener("blur", () => this.close());
    area.addEventListener("click", () => this.close());
    area.addEventListener("composer:insert", (event) => this.insertQuote(event.detail));
    this.select("write", false);
    root.dataset.ready = "1"; // tests wait for this
  }

  select(name, fetchPreview = true) {
    for (const tab of this.tabs) {
      const on = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
    }
    this.writePanel.hidden = name !== "write";
    this.previewPanel.hidden = name !== "preview";
    this.toolbar.hidden = name !== "write";
    this.close();
    if (name === "preview" && fetchPreview) this.preview();
  }

  async preview() {
    const panel = this.previewPanel;
    const body = this.area.value;
    panel.replaceChildren();
    if (!body.trim()) {
      panel.textContent = t("composer_nothing");
      return;
    }
    panel.setAttribute("aria-busy", "true");
    panel.textContent = t("composer_loading");
    try {
      const response = await fetch("/api/v1/preview", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ body }),
      });
      if (!response.ok) {
        panel.textContent = await problemMessage(response);
        return;
      }
      const { html } = await response.json();
      // The server's sanitized HTML (forum/lib/text.py), as live post updates insert it.
      const template = document.createElement("template");
      template.innerHTML = html;
      panel.replaceChildren(template.content);
    } catch {
      panel.textContent = t("composer_preview_failed");
    } finally {
      panel.removeAttribute("aria-busy");
    }
  }

  onKeydown(event) {
    if (this.suggestion && !this.listbox.hidden) {
      const s = this.suggestion;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        this.activate((s.active + step + s.items.length) % s.items.length);
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        this.accept(s.active);
        return;
      }
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation(); // closes the list, not a surrounding dialog
        this.close(true);
        return;
      }
    }
    const mod = (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;
    if (!mod) return;
    const name = Object.keys(ACTIONS).find((key) => ACTIONS[key].key === event.key.toLowerCase());
    if (name) {
      event.preventDefault();
      ACTIONS[name].run(this.area);
    }
  }

  /** What is being typed just before the caret: "@name" or ":emo". */
  trigger() {
    const area = this.area;
    if (area.selectionStart !== area.selectionEnd) return null;
    const before = area.value.slice(0, area.selectionStart);
    const mention = /(^|[^\w@/`])@([\p{L}\p{N}_][\p{L}\p{N}_.-]{0,29})$/u.exec(before);
    if (mention) {
      return { kind: "mention", query: mention[2], start: before.length - mention[2].length - 1 };
    }
    const emoji = /(^|[\s(])(:([a-z0-9_+-]{2,30}))$/.exec(before);
    if (emoji) return { kind: "emoji", query: emoji[3], start: before.length - emoji[2].length };
    return null;
  }

  onInput() {
    const found = this.trigger();
    if (!found || (this.dismissed === found.start)) {
      if (!found) this.dismissed = null;
      this.close();
      return;
    }
    clearTimeout(this.timer);
    const run = () => (found.kind === "mention" ? this.suggestMentions(found) : this.suggestEmoji(found));
    if (found.kind === "mention") this.timer = setTimeout(run, 150);
    else run();
  }

  async suggestMentions(found) {
    if (!this.threadId && !this.categoryId) return;
    const query = found.query.toLowerCase();
    let people = this.mentionCache.get(query);
    if (!people) {
      this.abort?.abort();
      this.abort = new AbortController();
      const where = this.threadId ? `thread_id=${encodeURIComponent(this.threadId)}`
        : `category_id=${encodeURIComponent(this.categoryId)}`;
      try {
        const response = await fetch(`/api/v1/mentions?${where}&q=${encodeURIComponent(query)}`,
          { credentials: "same-origin", signal: this.abort.signal });
        people = response.ok ? (await response.json()).people : [];
      } catch {
        return; // aborted by newer typing, or offline: no list
      }
      this.mentionCache.set(query, people);
    }
    const current = this.trigger();
    if (!current || current.kind !== "mention" || current.start !== found.start) return;
    this.open({ ...current, items: people.map((p) => ({ insert: `@${p.username} `, person: p })) });
  }

  async suggestEmoji(found) {
    const list = await loadEmoji();
    const query = found.query.toLowerCase();
    const starts = list.filter((e) => e.code.startsWith(query));
    const contains = list.filter((e) => !e.code.startsWith(query) && e.code.includes(query));
    const items = [...starts, ...contains].slice(0, 8).map((e) => ({ insert: `${e.emoji} `, emoji: e }));
    const current = this.trigger();
    if (!current || current.kind !== "emoji" || current.start !== found.start) return;
    this.open({ ...current, items });
  }

  open(suggestion) {
    if (!suggestion.items.length) {
      this.close();
      return;
    }
    this.suggestion = { ...suggestion, end: this.area.selectionStart, active: 0 };
    const label = suggestion.kind === "mention" ? t("composer_people") : t("composer_emoji");
    this.listbox.setAttribute("aria-label", label);
    this.listbox.replaceChildren(...suggestion.items.map((item, index) => {
      const option = document.createElement("li");
      option.id = `${this.listbox.id}-${index}`;
      option.setAttribute("role", "option");
      option.dataset.index = String(index);
      option.className = "composer-option";
      if (item.person) {
        // Their picture when they have one (a same-origin /avatars/ path), else the initials.
        const picture = item.person.avatar_url?.startsWith("/avatars/") && item.person.avatar_url;
        const avatar = document.createElement(picture ? "img" : "span");
        if (picture) {
          avatar.className = "avatar avatar-sm avatar-picture";
          avatar.src = picture;
          avatar.alt = "";
        } else {
          avatar.className = `avatar avatar-sm avatar-tone-${Number(item.person.tone) || 0}`;
          avatar.textContent = item.person.initials;
        }
        avatar.setAttribute("aria-hidden", "true");
        const name = document.createElement("span");
        name.className = "composer-option-name";
        name.dir = "auto";
        name.textContent = item.person.display_name;
        const handle = document.createElement("span");
        handle.className = "composer-option-handle";
        handle.textContent = `@${item.person.username}`;
        option.append(avatar, name, " ", handle);
      } else {
        const glyph = document.createElement("span");
        glyph.className = "composer-option-emoji";
        glyph.textContent = item.emoji.emoji;
        const code = document.createElement("span");
        code.className = "composer-option-handle";
        code.textContent = `:${item.emoji.code}:`;
        option.append(glyph, " ", code);
      }
      return option;
    }));
    this.listbox.hidden = false;
    this.activate(0);
    this.status.textContent = t("composer_suggestions", { n: suggestion.items.length });
  }

  activate(index) {
    this.suggestion.active = index;
    for (const option of this.listbox.children) {
      const on = Number(option.dataset.index) === index;
      option.setAttribute("aria-selected", String(on));
      if (on) {
        this.area.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    }
  }

  accept(index) {
    const s = this.suggestion;
    if (!s) return;
    const item = s.items[index];
    this.close();
    this.area.setSelectionRange(s.start, this.area.selectionStart);
    insertText(this.area, item.insert);
  }

  close(dismissed = false) {
    clearTimeout(this.timer);
    if (dismissed && this.suggestion) this.dismissed = this.suggestion.start;
    this.suggestion = null;
    this.listbox.hidden = true;
    this.listbox.replaceChildren();
    this.area.removeAttribute("aria-activedescendant");
  }

  /** Append a quoted passage (plain Markdown) and focus the box, in the Write tab. */
  insertQuote(text) {
    this.select("write", false);
    const area = this.area;
    const value = area.value;
    area.focus();
    area.setSelectionRange(value.length, value.length);
    const gap = !value ? "" : value.endsWith("\n\n") ? "" : value.endsWith("\n") ? "\n" : "\n\n";
    insertText(area, gap + text);
  }
}

// ------------------------------------------------------------------ quote-reply of a selection

/** The Markdown of a quote: the passage as "> " lines, then who wrote it. */
function quoteMarkdown(passage, name, href) {
  const lines = passage.replace(/\r/g, "").split("\n").map((line) => `> ${line}`.trimEnd());
  const who = name.replace(/[[\]\\]/g, "\\$&");
  const attribution = t("quote_wrote", { name: href ? `[${who}](${href})` : who });
  return `${lines.join("\n")}\n\n${attribution}\n\n`;
}

function enableQuoteReply(area) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button small quote-selection";
  button.textContent = t("quote_selection");
  button.hidden = true;
  let pending = null;

  const hide = () => {
    button.hidden = true;
    pending = null;
  };
  const update = () => {
    const selection = document.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return hide();
    const range = selection.getRangeAt(0);
    const start = range.startContainer.parentElement?.closest?.(".post-body") ?? null;
    const end = range.endContainer.parentElement?.closest?.(".post-body") ?? null;
    const passage = selection.toString().trim();
    if (!start || start !== end || !passage || start.closest(".composer")) return hide();
    const post = start.closest("article[data-post-id]");
    if (!post) return hide();
    const author = post.querySelector(".post-author a");
    const permalink = post.querySelector(".post-time")?.getAttribute("href") ?? "";
    pending = { passage, name: author?.textContent.trim() || t("deleted_user"), href: permalink };
    // Right after the post's text: next to the passage, and next in the tab order.
    if (button.previousElementSibling !== start) start.after(button);
    button.hidden = false;
  };
  document.addEventListener("selectionchange", () => {
    clearTimeout(button.timer);
    button.timer = setTimeout(update, 120);
  });
  button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
  button.addEventListener("click", () => {
    if (!pending) return;
    const { passage, name, href } = pending;
    document.getSelection()?.removeAllRanges();
    hide();
    const box = area.closest("[hidden]");
    if (box) return;
    area.dispatchEvent(new CustomEvent("composer:insert", { detail: quoteMarkdown(passage, name, href) }));
  });
}

// ------------------------------------------------------------------ drafts of the page forms

const SENT = "commons:composer:sent";

/**
 * Keep the draft of a composer whose form posts a full page (new thread): saved while typing
 * (static/js/drafts.js), and cleared only once the server confirmed, i.e. when the next page
 * loaded is not this form again (a refused post comes back with the form and its errors).
 */
function keepDraft(area) {
  const key = area.dataset.composerDraft;
  bindDraft(area, () => key);
  area.form?.addEventListener("submit", () => {
    sessionStorage.setItem(SENT, JSON.stringify({ key, at: Date.now() }));
  });
}

function settleSentDraft() {
  let sent = null;
  try {
    sent = JSON.parse(sessionStorage.getItem(SENT));
  } catch {
    sent = null;
  }
  if (!sent?.key) return;
  sessionStorage.removeItem(SENT);
  // A post the server accepted answers with a redirect to the new page; a refused one comes
  // back as the form itself (and a network failure runs no script at all).
  const [navigation] = performance.getEntriesByType?.("navigation") ?? [];
  const redirected = (navigation?.redirectCount ?? 0) > 0;
  const again = [...document.querySelectorAll("textarea[data-composer-draft]")]
    .some((area) => area.dataset.composerDraft === sent.key);
  if (redirected && !again && Date.now() - sent.at < 120000) clearDraft(sent.key);
}

settleSentDraft();
for (const area of document.querySelectorAll("textarea[data-composer]")) {
  if (area.dataset.composerReady) continue;
  area.dataset.composerReady = "1";
  if (area.dataset.composerDraft) keepDraft(area);
  new Composer(area); // eslint-disable-line no-new
  if ("quoteReply" in area.dataset) enableQuoteReply(area);
}
