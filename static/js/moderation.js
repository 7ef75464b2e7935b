// Moderation pages: ask before irreversible actions (delete, ban). Forms carry their question
// in data-confirm, rendered by the template in the reader's language; without this file the
// forms simply submit.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset?.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
