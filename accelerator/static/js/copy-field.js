// Shows each "copy" button (data-copy-field: the id of a read-only field) and copies the field's
// value when pressed, saying so in the page's status line. Without JavaScript the buttons stay
// hidden and the field is copied by hand.
(function () {
  "use strict";
  function attach(button) {
    var field = document.getElementById(button.getAttribute("data-copy-field"));
    var status = document.getElementById(field.id + "-copied");
    function copied() {
      if (status) {
        status.textContent = button.getAttribute("data-copied");
      }
    }
    button.addEventListener("click", function () {
      field.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(copied);
      } else if (document.execCommand("copy")) {
        copied();
      }
    });
    button.hidden = false;
  }
  document.querySelectorAll("button[data-copy-field]").forEach(attach);
})();
