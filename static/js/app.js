// Treffpunkt: small progressive enhancements only; every page works without JavaScript.
"use strict";

// Ask before destructive actions marked with data-confirm (no inline handlers: the CSP forbids them).
document.addEventListener("submit", (event) => {
  const message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});
