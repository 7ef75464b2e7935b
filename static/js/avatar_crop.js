// The crop step of a new picture on /settings/files: once a picture is chosen, it is shown with
// a square to keep, moved by dragging (mouse, pen, touch) or with the arrow keys, resized with
// the Zoom slider, the +/- keys or the corner handle, and previewed round. The square goes to
// the server as the hidden crop_x, crop_y and crop_size, in pixels of the picture as shown
// upright (browsers apply the EXIF orientation, as the server does before cutting). Without
// this script those fields stay empty and the server keeps the centre square.
import { formatNumber, t } from "./i18n.js";

const MIN_SIZE = 32; // the server's minimum (forum/services/uploads.py MIN_CROP)
const MAX_ZOOM = 10; // a square at least a tenth of the picture stays big enough to grab

const root = document.querySelector("[data-avatar-crop]");
const form = root?.closest("form");
const input = form?.querySelector("input[type=file]");

if (root && form && input) {
  const image = root.querySelector("[data-crop-image]");
  const stage = root.querySelector("[data-crop-stage]");
  const box = root.querySelector("[data-crop-box]");
  const handle = root.querySelector("[data-crop-handle]");
  const zoom = root.querySelector("[data-crop-zoom]");
  const preview = root.querySelector("[data-crop-preview]");
  const status = root.querySelector("[data-crop-status]");
  const fields = Object.fromEntries(["crop_x", "crop_y", "crop_size"].map(
    (name) => [name, form.elements.namedItem(name)]));
  // The picture's size and the square, in the picture's own pixels.
  let width = 0;
  let height = 0;
  const square = { x: 0, y: 0, size: 0 };
  let reading = 0; // which chosen file is being read: a later choice wins

  const minSide = () => Math.min(width, height);
  const smallest = () => Math.min(minSide(), Math.max(MIN_SIZE, Math.round(minSide() / MAX_ZOOM)));
  const clamp = (value, low, high) => Math.min(Math.max(value, low), high);

  function setFields(values) {
    for (const [name, field] of Object.entries(fields)) if (field) field.value = values?.[name] ?? "";
  }

  function place({ x = square.x, y = square.y, size = square.size }, announce = false) {
    square.size = Math.round(clamp(size, smallest(), minSide()));
    square.x = Math.round(clamp(x, 0, width - square.size));
    square.y = Math.round(clamp(y, 0, height - square.size));
    setFields({ crop_x: square.x, crop_y: square.y, crop_size: square.size });
    zoom.value = String(minSide() / square.size);
    draw();
    const text = t("crop_square", { size: formatNumber(square.size), x: formatNumber(square.x),
      y: formatNumber(square.y) });
    // Said after a keyboard or slider change; while dragging it would chatter.
    if (announce || !status.textContent) status.textContent = text;
  }

  function draw() {
    const scale = image.clientWidth / width || 0;
    // Physical left/top on purpose: these are picture coordinates, and a picture is never
    // mirrored in a right-to-left page. Set through the CSSOM (the CSP forbids style="").
    box.style.setProperty("left", `${image.offsetLeft + square.x * scale}px`);
    box.style.setProperty("top", `${image.offsetTop + square.y * scale}px`);
    box.style.setProperty("width", `${square.size * scale}px`);
    box.style.setProperty("height", `${square.size * scale}px`);
    const context = preview.getContext("2d");
    context.clearRect(0, 0, preview.width, preview.height);
    context.imageSmoothingQuality = "high";
    context.drawImage(image, square.x, square.y, square.size, square.size,
      0, 0, preview.width, preview.height);
  }

  function reset() {
    root.hidden = true;
    setFields(null);
    image.removeAttribute("src");
  }

  input.addEventListener("change", () => {
    const file = input.files?.[0];
    const turn = ++reading;
    if (!file) return reset();
    const reader = new FileReader();
    reader.addEventListener("load", () => {
      if (turn !== reading) return;
      image.addEventListener("load", () => {
        if (turn !== reading) return;
        width = image.naturalWidth;
        height = image.naturalHeight;
        root.hidden = false;
        zoom.max = String(minSide() / smallest());
        // Forty keyboard steps from the whole picture to the smallest square ("any" would
        // leave the arrow keys jumping by whole zoom levels).
        zoom.step = String((Number(zoom.max) - 1) / 40 || 1);
        status.textContent = "";
        place({ x: (width - minSide()) / 2, y: (height - minSide()) / 2, size: minSide() });
      }, { once: true });
      // A file the browser cannot show: the server says what is wrong with it.
      image.addEventListener("error", () => { if (turn === reading) reset(); }, { once: true });
      image.src = reader.result; // a data: URL, which the page's CSP allows for images
    });
    reset();
    reader.readAsDataURL(file);
  });

  zoom.addEventListener("input", () => {
    const size = minSide() / Number(zoom.value);
    // Zoom around the square's centre, as people expect from a picture.
    place({ x: square.x + (square.size - size) / 2, y: square.y + (square.size - size) / 2, size },
      true);
  });

  const KEYS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  box.addEventListener("keydown", (event) => {
    const step = Math.max(1, Math.round(minSide() / 50)) * (event.shiftKey ? 5 : 1);
    if (KEYS[event.key]) {
      const [dx, dy] = KEYS[event.key];
      place({ x: square.x + dx * step, y: square.y + dy * step }, true);
    } else if (event.key === "+" || event.key === "=" || event.key === "-") {
      const size = square.size + (event.key === "-" ? 2 : -2) * step;
      place({ x: square.x + (square.size - size) / 2, y: square.y + (square.size - size) / 2,
        size }, true);
    } else {
      return;
    }
    event.preventDefault(); // the page does not scroll while the square moves
  });

  // One pointer at a time moves the square (anywhere on the picture) or, from the handle,
  // resizes it; the pointer is captured so a fast drag off the picture keeps working.
  let drag = null;
  stage.addEventListener("pointerdown", (event) => {
    if (drag || event.button > 0) return;
    const scale = image.clientWidth / width;
    const bounds = image.getBoundingClientRect();
    if (!handle.contains(event.target) && !box.contains(event.target)) {
      // A press beside the square brings it there first.
      place({ x: (event.clientX - bounds.left) / scale - square.size / 2,
        y: (event.clientY - bounds.top) / scale - square.size / 2 });
    }
    drag = { id: event.pointerId, resize: handle.contains(event.target), scale,
      startX: event.clientX, startY: event.clientY, start: { ...square } };
    stage.setPointerCapture(event.pointerId);
    box.focus({ preventScroll: true });
    event.preventDefault();
  });
  stage.addEventListener("pointermove", (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    const dx = (event.clientX - drag.startX) / drag.scale;
    const dy = (event.clientY - drag.startY) / drag.scale;
    if (drag.resize) {
      const { x, y } = drag.start;
      // The top-left corner stays; the square follows the handle within the picture.
      const size = clamp(drag.start.size + (dx + dy) / 2, 0, Math.min(width - x, height - y));
      place({ x, y, size });
    } else {
      place({ x: drag.start.x + dx, y: drag.start.y + dy });
    }
  });
  const end = (event) => {
    if (!drag || event.pointerId !== drag.id) return;
    drag = null;
    place({}, true); // where it ended up, said once
  };
  stage.addEventListener("pointerup", end);
  stage.addEventListener("pointercancel", end);

  // The picture's shown size follows the page (a phone turned, a window resized).
  new ResizeObserver(() => { if (width) draw(); }).observe(image);
  // Back from an error page: the chosen file is gone, so is its square.
  if (!input.files?.length) setFields(null);
}
