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
    /* Never choose a match by itself: the matches show as a list to pick from. */
    if (!select.multiple) {
      select.size = results.length ? Math.min(results.length + 1, 8) : 0;
    }
  }

  /* Date inputs: <input type=date data-datepicker> keeps sending yyyy-mm-dd (GET filters and links
     use ISO dates), but people type and read dd/mm/yyyy whatever the browser's language. The
     vendored flatpickr shows a text box in dd/mm/yyyy and a calendar in the page's language; without
     JavaScript the browser's own date input still works. */
  var DMY = /^\s*(\d{1,2})[\/.\-](\d{1,2})[\/.\-](\d{4})\s*$/;
  var ISO = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/;

  function parseDay(text) {
    var match = DMY.exec(text || "");
    var day, month, year;
    if (match) {
      day = +match[1]; month = +match[2]; year = +match[3];
    } else {
      match = ISO.exec(text || "");
      if (!match) { return undefined; }
      year = +match[1]; month = +match[2]; day = +match[3];
    }
    var date = new Date(year, month - 1, day);
    if (date.getFullYear() !== year || date.getMonth() !== month - 1 || date.getDate() !== day) {
      return undefined;  /* 31/02/2026 is not a day */
    }
    return date;
  }

  function setUpDatePicker(input) {
    if (typeof window.flatpickr !== "function") { return; }
    var vietnamese = (document.documentElement.lang || "vi").indexOf("vi") === 0;
    var locale = vietnamese && window.flatpickr.l10ns && window.flatpickr.l10ns.vn;
    if (locale) {
      /* "Tháng 12" as Vietnamese dates write it (the locale's "Tháng mười hai" hides the year). */
      var months = [];
      for (var month = 1; month <= 12; month++) { months.push("Tháng " + month); }
      locale = Object.assign({}, locale, { months: { shorthand: months, longhand: months } });
    }
    var picker = window.flatpickr(input, {
      altInput: true,
      altFormat: "d/m/Y",
      dateFormat: "Y-m-d",
      allowInput: true,
      disableMobile: true,
      locale: locale || { firstDayOfWeek: 1 },
      parseDate: function (text) { return parseDay(text); }
    });
    var shown = picker.altInput;
    if (!shown) { return; }
    if (input.value && !picker.selectedDates.length) { shown.value = input.value; }
    shown.addEventListener("input", function () {
      var typed = parseDay(shown.value);
      if (typed) { picker.jumpToDate(typed); }  /* the calendar shows the month being typed */
    });
    shown.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && picker.isOpen) { picker.close(); }  /* flatpickr ignores it while typing */
    });
    shown.inputMode = "numeric";
    shown.autocomplete = "off";
    if (input.id) {
      shown.id = input.id + "_shown";
      document.querySelectorAll('label[for="' + input.id + '"]').forEach(function (label) { label.htmlFor = shown.id; });
    }
    ["aria-describedby", "aria-invalid"].forEach(function (name) {
      if (input.hasAttribute(name)) { shown.setAttribute(name, input.getAttribute(name)); }
    });
  }

  /* A select that follows another: <select data-follows="district"> keeps the options whose
     data-districts hold the chosen district (all of them when none is chosen). The full list is
     kept aside, so choosing another district brings its communes back. */
  function setUpFollower(select) {
    var form = select.form;
    var leader = form && form.querySelector('select[name="' + select.dataset.follows + '"]');
    if (!leader) { return; }
    var all = select.cloneNode(true);
    function narrow() {
      var chosen = leader.value;
      var current = select.value;
      select.innerHTML = "";
      Array.prototype.forEach.call(all.children, function (child) {
        if (child.tagName === "OPTGROUP") {
          var group = child.cloneNode(false);
          Array.prototype.forEach.call(child.children, function (option) {
            if (fits(option, chosen)) { group.appendChild(option.cloneNode(true)); }
          });
          if (group.children.length) { select.appendChild(group); }
        } else if (fits(child, chosen)) {
          select.appendChild(child.cloneNode(true));
        }
      });
      select.value = current;
      if (select.value !== current) { select.value = ""; }
    }
    leader.addEventListener("change", narrow);
    narrow();
  }

  function fits(option, district) {
    return !district || option.value === "" || (option.dataset.districts || "").split(" ").indexOf(district) !== -1;
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
    document.querySelectorAll("input[data-datepicker]").forEach(setUpDatePicker);
    document.querySelectorAll("select[data-follows]").forEach(setUpFollower);
    document.querySelectorAll("input[data-select-all]").forEach(setUpSelectAll);
    document.querySelectorAll("[data-confirm]").forEach(setUpConfirm);
    document.querySelectorAll("[data-print]").forEach(setUpPrint);
  });
})();
