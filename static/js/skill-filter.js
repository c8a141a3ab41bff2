// Progressive enhancement for long pick lists (skills, languages) and the time zone. The page
// works fully without it; hidden entries keep their values, so filtering never changes what is
// submitted.
//
// Filter markup: a container with data-filter="<CSS selector of its entries>" and
// data-filter-label="<label text>". An entry matches on its data-filter-text (name and
// synonyms) or else its text. Elements with data-filter-group inside the container are
// hidden when none of their entries is shown; a folded group (<details>) with a match is opened
// while the filter is in use and folded again when it is cleared. A container that is itself a
// <details> gets its box right after its summary.
//
// Time zone: a <select data-browser-time-zone> still on "my country's" (the empty value) is set
// to the browser's time zone when the list has it.
(function () {
  "use strict";

  function normalize(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function filterBox(container, index) {
    var box = document.createElement("div");
    box.className = "filter-box";
    var label = document.createElement("label");
    label.htmlFor = "filter-" + index;
    label.textContent = container.dataset.filterLabel || "Filter";
    var input = document.createElement("input");
    input.type = "search";
    input.id = "filter-" + index;
    input.autocomplete = "off";
    var status = document.createElement("p");
    status.className = "filter-status";
    status.setAttribute("role", "status");
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(status);

    // Put the box after the summary, the help text or the legend, before the entries.
    var anchor = container.querySelector(":scope > summary") ||
      container.querySelector(".helptext") || container.querySelector("legend");
    if (anchor && anchor.parentNode) {
      anchor.parentNode.insertBefore(box, anchor.nextSibling);
    } else {
      container.insertBefore(box, container.firstChild);
    }
    return {input: input, status: status};
  }

  function setUp(container, index) {
    var entries = Array.prototype.slice.call(container.querySelectorAll(container.dataset.filter));
    if (!entries.length) {
      return;
    }
    var texts = entries.map(function (entry) {
      return normalize(entry.dataset.filterText || entry.textContent);
    });
    var groups = Array.prototype.slice.call(container.querySelectorAll("[data-filter-group]"));
    var box = filterBox(container, index);

    box.input.addEventListener("input", function () {
      var words = normalize(box.input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      entries.forEach(function (entry, i) {
        var match = words.every(function (word) { return texts[i].indexOf(word) !== -1; });
        entry.hidden = !match;
        if (match) {
          shown += 1;
        }
      });
      groups.forEach(function (group) {
        var any = Array.prototype.some.call(
          group.querySelectorAll(container.dataset.filter),
          function (entry) { return !entry.hidden; }
        );
        group.hidden = !any;
        if (group.tagName === "DETAILS") {
          if (words.length && any && !group.open) {
            group.open = true;
            group.dataset.filterOpened = "true";
          } else if (!words.length && group.dataset.filterOpened) {
            group.open = false;
            delete group.dataset.filterOpened;
          }
        }
      });
      box.status.textContent = words.length ? shown + " of " + entries.length + " shown" : "";
    });
  }

  function guessTimeZone(select) {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (error) {
      return;
    }
    var known = Array.prototype.some.call(select.options, function (option) {
      return option.value === zone;
    });
    if (select.value === "" && known) {
      select.value = zone;
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-filter]"), setUp);
  Array.prototype.forEach.call(document.querySelectorAll("select[data-browser-time-zone]"), guessTimeZone);
})();
