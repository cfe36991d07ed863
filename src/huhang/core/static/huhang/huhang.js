/* The few behaviours pages need, kept out of the HTML so that the Content-Security-Policy can
   forbid inline script: `data-back` goes back in the browser's history, `data-print` prints,
   and a form with `data-wait="ID"` shows the element ID and disables its buttons on submit. */
document.addEventListener("click", function (event) {
  const target = event.target.closest("[data-back], [data-print]");
  if (!target) return;
  event.preventDefault();
  if (target.hasAttribute("data-print")) window.print();
  else history.back();
});
document.addEventListener("submit", function (event) {
  const form = event.target;
  if (!form.dataset || !form.dataset.wait) return;
  const note = document.getElementById(form.dataset.wait);
  if (note) note.hidden = false;
  form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
});
/* On a phone the main menu folds behind the "菜单" button (the stylesheet hides it under
   720 px once this script runs; without JavaScript the menu simply stays open). */
document.documentElement.classList.add("js");
document.addEventListener("click", function (event) {
  const toggle = event.target.closest(".menu-toggle");
  if (!toggle) return;
  const panel = document.getElementById(toggle.getAttribute("aria-controls"));
  const open = toggle.getAttribute("aria-expanded") !== "true";
  toggle.setAttribute("aria-expanded", open ? "true" : "false");
  if (panel) panel.classList.toggle("open", open);
});
