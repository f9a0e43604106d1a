{#- An article page's behaviour: the script switch, and a fact's slots shown on hover. #}
(function () {
  // The script switch (traditional articles): runs whose simplified form differs carry both.
  var button = document.getElementById("script-toggle");
  if (button) {
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
  }

  // Facts: pointing at a figure (or its row in the facts table), or focusing it, lights its
  // subject mention, property and qualifier spans, time span (or the publication date) and
  // row. The figure's mark names them in data-subject, data-property, data-qualifiers and
  // data-time; property and qualifier runs list their ids in data-x.
  var lit = [];
  var current = null;
  function all(selector) {
    return Array.prototype.slice.call(document.querySelectorAll(selector));
  }
  function light(elements, role) {
    elements.forEach(function (el) { el.classList.add("hl-" + role); lit.push([el, "hl-" + role]); });
  }
  function clear() {
    lit.forEach(function (pair) { pair[0].classList.remove(pair[1]); });
    lit = [];
    current = null;
  }
  function show(id) {
    var figure = document.querySelector('mark[data-fact="' + id + '"]');
    if (!figure) { return; }
    var d = figure.dataset;
    current = id;
    light([figure], "figure");
    if (d.subject) { light(all('mark[data-span="' + d.subject + '"]'), "subject"); }
    if (d.property) { light(all('[data-x~="' + d.property + '"]'), "property"); }
    (d.qualifiers || "").split(" ").forEach(function (q) {
      if (q) { light(all('[data-x~="' + q + '"]'), "qualifier"); }
    });
    if (d.time === "document") { light(all("[data-document-date]"), "time"); }
    else if (d.time) { light(all('mark[data-span="' + d.time + '"]'), "time"); }
    light(all('tr[data-fact="' + id + '"]'), "row");
  }
  function follow(event) {
    var owner = event.target.closest ? event.target.closest("[data-fact]") : null;
    var id = owner ? owner.dataset.fact : null;
    if (id === current) { return; }
    clear();
    if (id) { show(id); }
  }
  document.addEventListener("mouseover", follow);
  document.addEventListener("focusin", follow);
  document.addEventListener("focusout", clear);
})();
