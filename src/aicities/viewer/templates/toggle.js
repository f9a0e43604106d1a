{#- The script switch: runs whose simplified form differs carry both texts. #}
(function () {
  var button = document.getElementById("script-toggle");
  if (!button) { return; }
  var state = document.getElementById("script-state");
  button.addEventListener("click", function () {
    var simplified = button.getAttribute("aria-pressed") !== "true";
    document.querySelectorAll("[data-simplified]").forEach(function (el) {
      el.textContent = simplified ? el.dataset.simplified : el.dataset.clean;
    });
    button.setAttribute("aria-pressed", simplified ? "true" : "false");
    button.textContent = simplified ? "show clean text 原文" : "show simplified 简体";
    state.textContent = simplified ? "text_simplified (OpenCC t2s)" : "clean text (traditional)";
    document.documentElement.lang = simplified ? "zh-Hans" : "zh-Hant";
    document.body.dataset.script = simplified ? "simplified" : "clean";
  });
})();
