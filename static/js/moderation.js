// Moderation pages: ask before irreversible actions (delete, ban). Forms carry their question
// in data-confirm, rendered by the template in the reader's language; without this file the
// forms simply submit.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset?.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});

// A move that widens who can read a thread comes back with its confirmation in an open, inline
// <dialog>: made modal here, so the question is answered before anything else.
const moveConfirm = document.getElementById("move-audience");
if (moveConfirm?.open && !moveConfirm.matches(":modal")) {
  moveConfirm.close();
  moveConfirm.showModal();
}
