/* Behaviour shared by every page. No inline scripts anywhere: the Content-Security-Policy forbids them. */
(function () {
  "use strict";

  /* Autocomplete: a search box above each <select data-autocomplete-url>, filling its options. */
  function setUpAutocomplete(select) {
    var search = document.createElement("input");
    search.type = "search";
    search.className = "form-control form-control-sm mb-1 autocomplete-search";
    search.placeholder = select.dataset.placeholder || "…";
    search.setAttribute("aria-label", search.placeholder);
    select.parentNode.insertBefore(search, select);
    if (select.multiple) { select.size = 6; }
    var timer = null;
    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var url = select.dataset.autocompleteUrl + "?q=" + encodeURIComponent(search.value);
        fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { fillOptions(select, data.results || []); });
      }, 250);
    });
  }

  function fillOptions(select, results) {
    var keep = {};
    Array.prototype.forEach.call(select.options, function (option) {
      if (option.selected || option.value === "") { keep[option.value] = true; }
    });
    Array.prototype.slice.call(select.options).forEach(function (option) {
      if (!keep[option.value]) { select.removeChild(option); }
    });
    results.forEach(function (item) {
      if (keep[String(item.id)]) { return; }
      var option = document.createElement("option");
      option.value = item.id;
      option.textContent = item.text;
      select.appendChild(option);
    });
    if (!select.multiple && results.length && !select.value) {
      select.value = String(results[0].id);
    }
  }

  /* "Select all" checkboxes for bulk actions: <input type=checkbox data-select-all="name">. */
  function setUpSelectAll(box) {
    box.addEventListener("change", function () {
      document.querySelectorAll('input[type=checkbox][name="' + box.dataset.selectAll + '"]').forEach(function (other) {
        other.checked = box.checked;
      });
    });
  }

  /* Buttons that need a confirmation: data-confirm="question". */
  function setUpConfirm(element) {
    element.addEventListener("click", function (event) {
      if (!window.confirm(element.dataset.confirm)) { event.preventDefault(); }
    });
  }

  /* Print buttons. */
  function setUpPrint(element) {
    element.addEventListener("click", function () { window.print(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select[data-autocomplete-url]").forEach(setUpAutocomplete);
    document.querySelectorAll("input[data-select-all]").forEach(setUpSelectAll);
    document.querySelectorAll("[data-confirm]").forEach(setUpConfirm);
    document.querySelectorAll("[data-print]").forEach(setUpPrint);
  });
})();
