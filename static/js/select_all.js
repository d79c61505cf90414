// "Alle auf dieser Seite auswählen": a checkbox that ticks every box it names in its form.
// Without JavaScript it stays hidden and each box is ticked by hand, so nothing depends on it.
"use strict";

for (const master of document.querySelectorAll("input[data-select-all]")) {
  const form = master.closest("form");
  const boxes = () => [...form.querySelectorAll(master.dataset.selectAll)];
  const follow = () => {
    const ticked = boxes().filter((box) => box.checked).length;
    master.checked = ticked > 0 && ticked === boxes().length;
    master.indeterminate = ticked > 0 && ticked < boxes().length;
  };
  master.addEventListener("change", () => {
    for (const box of boxes()) box.checked = master.checked;
    follow();
  });
  form.addEventListener("change", (event) => {
    if (event.target !== master && event.target.matches(master.dataset.selectAll)) follow();
  });
  follow();  // the browser may have kept ticks when the page was reloaded
  master.closest("[hidden]")?.removeAttribute("hidden");
}
