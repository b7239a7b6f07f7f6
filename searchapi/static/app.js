// safetysearch progressive enhancement. The page works fully without this
// file: forms and links carry every state. With it, ticking a facet submits
// at once, long facet lists get a filter box, empty fields stay out of the
// URL, and on narrow screens the filter panel starts collapsed.
(function () {
  "use strict";
  var form = document.getElementById("search");
  if (!form) { return; }

  // Keep empty fields (q=, from=, to=) out of shareable URLs.
  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.value === "" && !el.disabled) {
        el.disabled = true;
        el.setAttribute("data-was-empty", "");
      }
    });
  });
  // Coming back through the history cache must not leave fields disabled.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(form.querySelectorAll("[data-was-empty]"), function (el) {
      el.disabled = false;
      el.removeAttribute("data-was-empty");
    });
    document.querySelectorAll("[data-was-empty]").forEach(function (el) {
      el.disabled = false;
      el.removeAttribute("data-was-empty");
    });
  });

  function submit() {
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

  // Facet checkboxes submit as soon as they change.
  document.querySelectorAll('input[type="checkbox"][form="search"]').forEach(function (cb) {
    cb.addEventListener("change", submit);
  });

  // Filter-as-you-type for long facet lists.
  document.querySelectorAll("[data-facet-filter]").forEach(function (input) {
    var box = input.closest(".facet-filter");
    var fieldset = document.getElementById(input.getAttribute("data-facet-filter"));
    if (!box || !fieldset) { return; }
    box.hidden = false;
    input.addEventListener("input", function () {
      var needle = input.value.trim().toLowerCase();
      fieldset.querySelectorAll(".facet-values li").forEach(function (li) {
        var text = (li.querySelector(".value") || li).textContent.toLowerCase();
        li.hidden = needle !== "" && text.indexOf(needle) < 0;
      });
      var more = fieldset.querySelector("details.more");
      if (more && needle !== "") { more.open = true; }
    });
  });

  // Narrow screens: filters start collapsed above the results.
  var filters = document.querySelector("details.filters");
  if (filters && window.matchMedia && window.matchMedia("(max-width: 47.99em)").matches) {
    filters.open = false;
  }
  // Wide screens: the panel is always open; its summary is only a heading.
  if (filters) {
    filters.querySelector("summary").addEventListener("click", function (ev) {
      if (!window.matchMedia("(max-width: 47.99em)").matches) { ev.preventDefault(); }
    });
  }
})();
