// Files in a composer: pick, drop or paste them into the text of a <form data-uploads>. Each file is
// sent to /api/v1/uploads with a progress bar, a Cancel button and, when it fails, the reason
// with Retry. While it travels, the text holds a placeholder; once stored, the placeholder
// becomes the file's Markdown (a picture with editable alt text, or a file link), so the file
// is shared exactly when the text is posted — and only with the readers of that text.
// Without JavaScript, nothing here runs and the forms post text as before. This module loads on
// first use: static/js/base.js imports it when a file is picked, dropped or pasted, and the
// "Attach files" bar is in the page from the start (templates/_forms.html upload_bar).
import { csrfToken } from "./base.js";
import { t } from "./i18n.js";

let counter = 0;

function insertAtCursor(field, text) {
  const start = field.selectionStart ?? field.value.length;
  const end = field.selectionEnd ?? start;
  const before = field.value.slice(0, start);
  const spacer = before && !before.endsWith("\n") ? "\n" : "";
  field.setRangeText(`${spacer}${text}\n`, start, end, "end");
  field.dispatchEvent(new Event("input", { bubbles: true })); // drafts save it
}

function replaceInText(field, from, to) {
  if (!field.value.includes(from)) return false;
  field.value = field.value.replace(from, to);
  field.dispatchEvent(new Event("input", { bubbles: true }));
  return true;
}

function problem(xhr) {
  try {
    return JSON.parse(xhr.responseText).error.message;
  } catch {
    return xhr.status === 0 ? t("upload_offline") : t("upload_server_error");
  }
}

function altMarkdown(alt) {
  return alt.replace(/[[\]\\]/g, "\\$&");
}

class Upload {
  constructor(composer, file) {
    this.composer = composer;
    this.file = file;
    this.placeholder = `[${t("uploading", { name: file.name })} #${++counter}]`;
    this.row = document.createElement("li");
    this.row.className = "upload-row";
    this.name = document.createElement("span");
    this.name.className = "upload-name";
    this.name.dir = "auto";
    this.name.textContent = file.name;
    this.progress = document.createElement("progress");
    this.progress.max = 100;
    this.progress.value = 0;
    this.progress.setAttribute("aria-label", t("uploading", { name: file.name }));
    this.status = document.createElement("span");
    this.status.className = "upload-status";
    this.action = document.createElement("button");
    this.action.type = "button";
    this.action.className = "button small";
    this.row.append(this.name, this.progress, this.status, this.action);
    composer.list.append(this.row);
    insertAtCursor(composer.field, this.placeholder);
    this.send();
  }

  send() {
    this.status.textContent = "";
    this.progress.hidden = false;
    this.action.textContent = t("cancel");
    this.action.onclick = () => this.cancel();
    const body = new FormData();
    body.append("file", this.file, this.file.name);
    const xhr = new XMLHttpRequest();
    this.xhr = xhr;
    xhr.open("POST", "/api/v1/uploads");
    xhr.setRequestHeader("X-CSRFToken", csrfToken());
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) this.progress.value = Math.round(100 * event.loaded / event.total);
    };
    xhr.onload = () => (xhr.status === 201 ? this.done(JSON.parse(xhr.responseText))
      : this.failed(problem(xhr)));
    xhr.onerror = () => this.failed(t("upload_offline"));
    xhr.send(body);
  }

  cancel() {
    this.xhr?.abort();
    replaceInText(this.composer.field, this.placeholder, "");
    this.row.remove();
  }

  failed(reason) {
    this.progress.hidden = true;
    this.status.textContent = t("upload_failed", { reason });
    this.status.setAttribute("role", "alert");
    this.action.textContent = t("retry");
    this.action.onclick = () => this.send();
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button small";
    remove.textContent = t("remove");
    remove.onclick = () => this.cancel();
    this.action.after(remove);
    this.extra = remove;
  }

  done(upload) {
    this.extra?.remove();
    this.progress.hidden = true;
    this.status.removeAttribute("role");
    this.status.textContent = t("uploaded");
    let markdown = upload.markdown;
    if (!replaceInText(this.composer.field, this.placeholder, markdown)) {
      insertAtCursor(this.composer.field, markdown); // the placeholder was typed over
    }
    if (upload.kind !== "image") {
      this.action.remove();
      return;
    }
    // Pictures need words for people who cannot see them: ask for them right here.
    const alt = document.createElement("input");
    alt.type = "text";
    alt.className = "upload-alt";
    alt.id = `upload-alt-${counter}-${upload.token}`;
    alt.value = upload.filename.replace(/\.[^.]+$/, "");
    const label = document.createElement("label");
    label.htmlFor = alt.id;
    label.textContent = t("alt_text");
    alt.addEventListener("change", () => {
      const next = `![${altMarkdown(alt.value.trim() || upload.filename)}](${upload.url})`;
      if (replaceInText(this.composer.field, markdown, next)) markdown = next;
    });
    this.action.replaceWith(label, alt);
    alt.focus();
    alt.select();
  }
}

/** Upload files into a composer's text: a row with progress for each in the field's list. */
export function uploadFiles(field, files) {
  let list = document.getElementById(`${field.id}-uploads`);
  if (!list) { // a composer without the server's bar (templates/_forms.html upload_bar)
    list = document.createElement("ul");
    list.className = "upload-list";
    list.setAttribute("aria-live", "polite");
    field.after(list);
  }
  for (const file of files) new Upload({ field, list }, file);
}
