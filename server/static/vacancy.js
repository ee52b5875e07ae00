// Vacancy page: a copy button beside each new candidate link. Without JavaScript the
// buttons stay hidden and each link is plain, selectable text.
(function () {
  "use strict";
  function copied(button) {
    var label = button.firstChild;
    var before = label.nodeValue;
    label.nodeValue = button.getAttribute("data-done");
    window.setTimeout(function () { label.nodeValue = before; }, 2000);
  }
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "sr-only";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  var buttons = document.querySelectorAll("button.copy[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) { return; }
      var text = source.textContent.trim();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { copied(button); }, function () {
          if (fallback(text)) { copied(button); }
        });
      } else if (fallback(text)) {
        copied(button);
      }
    });
  });
})();
