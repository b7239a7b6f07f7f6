// safetysearch progressive enhancement. The page works fully without this
// file: forms and links carry every state. With it, ticking a facet submits
// at once, long facet lists get a filter box, the year chart takes a range,
// empty fields stay out of the URL, and on narrow screens the filter panel
// starts collapsed.
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

  // Results by year: drag across the bars, or shift-click a second bar, to
  // narrow to a range of years. A plain click keeps the bar's own link.
  var years = document.querySelector("figure.years");
  if (years) { yearRange(years); }

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

  function yearRange(fig) {
    var svg = fig.querySelector("svg");
    var bars = Array.prototype.slice.call(fig.querySelectorAll("svg a[data-key]"));
    if (!svg || bars.length < 2 || !window.URL) { return; }
    var maxYears = parseInt(fig.getAttribute("data-max-years"), 10) || 20;
    var hint = fig.querySelector(".years-hint");
    if (hint) { hint.hidden = false; }
    var start = null, current = null, dragged = false;

    function yearOf(el) {
      var a = el && el.closest ? el.closest("a[data-key]") : null;
      return a && svg.contains(a) ? parseInt(a.getAttribute("data-key"), 10) : null;
    }
    function mark(lo, hi) {
      bars.forEach(function (a) {
        var y = parseInt(a.getAttribute("data-key"), 10);
        a.classList.toggle("in-range", lo !== null && y >= lo && y <= hi);
      });
    }
    // The current search narrowed to lo..hi: as year filters (the chart
    // then still shows the other years, with the range highlighted), or as
    // from/to dates when the range is longer than a filter may list.
    function go(lo, hi) {
      var u = new URL(window.location.href);
      var p = u.searchParams;
      p.delete("year");
      p.delete("page");
      if (hi - lo + 1 <= maxYears) {
        for (var y = lo; y <= hi; y++) { p.append("year", String(y)); }
      } else {
        p.set("from", lo + "-01-01");
        p.set("to", hi + "-12-31");
      }
      u.search = p.toString();
      window.location.assign(u.toString());
    }
    function reset() { start = null; mark(null, null); }

    svg.addEventListener("dragstart", function (ev) { ev.preventDefault(); });
    svg.addEventListener("pointerdown", function (ev) {
      if (ev.button !== 0) { return; }
      var y = yearOf(ev.target);
      if (y === null) { return; }
      start = current = y;
      dragged = false;
    });
    svg.addEventListener("pointermove", function (ev) {
      if (start === null) { return; }
      var y = yearOf(document.elementFromPoint(ev.clientX, ev.clientY));
      if (y === null || y === current) { return; }
      current = y;
      dragged = dragged || y !== start;
      mark(Math.min(start, y), Math.max(start, y));
    });
    window.addEventListener("pointerup", function () {
      if (start === null) { return; }
      var lo = Math.min(start, current), hi = Math.max(start, current);
      var was = dragged;
      reset();
      if (was) { go(lo, hi); }
    });
    svg.addEventListener("pointercancel", reset);
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && start !== null) { dragged = false; reset(); }
    });
    svg.addEventListener("click", function (ev) {
      var y = yearOf(ev.target);
      if (dragged) { ev.preventDefault(); dragged = false; return; }
      if (y === null || !ev.shiftKey) { return; }
      var sel = [];
      bars.forEach(function (a) {
        if (a.querySelector("rect.bar.selected")) { sel.push(parseInt(a.getAttribute("data-key"), 10)); }
      });
      if (sel.length === 0) { return; }
      ev.preventDefault();
      go(Math.min(y, Math.min.apply(null, sel)), Math.max(y, Math.max.apply(null, sel)));
    });
  }
})();
