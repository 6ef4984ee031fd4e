// Shows "n / limit characters" under every textarea with a data-limit, updated while typing.
(function () {
  "use strict";
  function attach(textarea) {
    var limit = parseInt(textarea.getAttribute("data-limit"), 10);
    var counter = document.createElement("div");
    counter.className = "form-text character-count";
    counter.id = textarea.id + "-count";
    counter.setAttribute("aria-live", "polite");
    textarea.insertAdjacentElement("afterend", counter);
    var describedBy = textarea.getAttribute("aria-describedby");
    textarea.setAttribute("aria-describedby", (describedBy ? describedBy + " " : "") + counter.id);
    function update() {
      var used = textarea.value.length;
      counter.textContent = used + " / " + limit + " " + (textarea.getAttribute("data-unit") || "characters");
      counter.classList.toggle("text-danger", used > limit);
    }
    textarea.addEventListener("input", update);
    update();
  }
  document.querySelectorAll("textarea[data-limit]").forEach(attach);
})();
