// Staff item bank: a copy button next to an expert's new link (the page works without it).
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-for]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-for"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { if (status) status.textContent = button.getAttribute("data-copied"); },
        function () { field.select(); }
      );
    });
  });
})();
