// One shared Socket.IO connection per page, with a visible connection state.
import { io } from "../vendor/socket.io/socket.io.esm.min.js";
import { t } from "./i18n.js";

let socket = null;

/** The page's socket, created on first use (same origin; the session cookie authenticates). */
export function getSocket() {
  if (socket) return socket;
  socket = io({ transports: ["websocket", "polling"], withCredentials: true });
  const banner = ensureBanner();
  socket.on("connect", () => { banner.hidden = true; });
  socket.on("disconnect", (reason) => {
    if (reason !== "io client disconnect") banner.hidden = false;
  });
  socket.io.on("reconnect_attempt", () => { banner.hidden = false; });
  return socket;
}

function ensureBanner() {
  let banner = document.getElementById("connection-banner");
  if (!banner) {
    banner = document.createElement("div");
    banner.id = "connection-banner";
    banner.className = "banner banner-warning";
    banner.setAttribute("role", "status");
    banner.hidden = true;
    banner.textContent = t("reconnecting");
    document.body.prepend(banner);
  }
  return banner;
}
