// Files in a composer: pick, drop or paste them into the text of a <form data-uploads>. Each file is
// sent to /api/v1/uploads with a progress bar, a Cancel button and, when it fails, the reason
// with Retry. While it travels, the text holds a placeholder; once stored, the placeholder
// becomes the file's Markdown (a picture with editable alt text, or a file link), so the file
// is shared exactly when the text is posted — and only with the readers of that text.
// Without JavaScript, nothing here runs and the forms post text as before.
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

function enhance(field) {
  if (field.dataset.uploadsReady) return;
  field.dataset.uploadsReady = "1";
  const bar = document.createElement("div");
  bar.className = "upload-bar";
  const input = document.createElement("input");
  input.type = "file";
  input.multiple = true;
  input.id = `${field.id || "composer"}-files`;
  input.className = "visually-hidden";
  input.accept = "image/*,.pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.txt,.csv,.md";
  const pick = document.createElement("label");
  pick.htmlFor = input.id;
  pick.className = "button small upload-pick";
  pick.textContent = t("attach_files");
  const list = document.createElement("ul");
  list.className = "upload-list";
  list.setAttribute("aria-live", "polite");
  bar.append(input, pick);
  field.after(bar, list);
  const composer = { field, list };
  const start = (files) => {
    for (const file of files) new Upload(composer, file);
  };
  input.addEventListener("change", () => {
    start(input.files);
    input.value = "";
  });
  // The label is the keyboard control too: Enter and Space open the file picker.
  pick.tabIndex = 0;
  pick.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      input.click();
    }
  });
  field.addEventListener("dragover", (event) => {
    if ([...event.dataTransfer.types].includes("Files")) {
      event.preventDefault();
      field.classList.add("drop-target");
    }
  });
  field.addEventListener("dragleave", () => field.classList.remove("drop-target"));
  field.addEventListener("drop", (event) => {
    field.classList.remove("drop-target");
    if (!event.dataTransfer.files.length) return;
    event.preventDefault();
    start(event.dataTransfer.files);
  });
  field.addEventListener("paste", (event) => {
    const files = [...(event.clipboardData?.files ?? [])];
    if (!files.length) return; // plain text pastes as usual
    event.preventDefault();
    start(files);
  });
}

/** Enhance every file-taking composer on the page (and those added later). */
export function enhanceAll(root = document) {
  const fields = "form[data-uploads] textarea[name=body], textarea[data-uploads]";
  for (const field of root.querySelectorAll(fields)) enhance(field);
}

enhanceAll();
