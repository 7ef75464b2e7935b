// A move that widens who can read a thread comes back with its confirmation in an open, inline
// <dialog>: made modal here, so the question is answered before anything else. (Forms that ask
// before an irreversible action use data-confirm, handled on every page by base.js.)
const moveConfirm = document.getElementById("move-audience");
if (moveConfirm?.open && !moveConfirm.matches(":modal")) {
  moveConfirm.close();
  moveConfirm.showModal();
}
