// Progressive enhancement for long pick lists (skills, languages): a filter box that hides
// entries not matching what is typed. The page works fully without it; hidden entries keep
// their values, so filtering never changes what is submitted.
//
// Markup: a container with data-filter="<CSS selector of its entries>" and
// data-filter-label="<label text>". An entry matches on its data-filter-text (name and
// synonyms) or else its text. Elements with data-filter-group inside the container are
// hidden when none of their entries is shown.
(function () {
  "use strict";

  function normalize(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function setUp(container, index) {
    var entries = Array.prototype.slice.call(container.querySelectorAll(container.dataset.filter));
    if (!entries.length) {
      return;
    }
    var texts = entries.map(function (entry) {
      return normalize(entry.dataset.filterText || entry.textContent);
    });
    var groups = container.querySelectorAll("[data-filter-group]");

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

    // Put the box after the legend (or at the top), before the entries.
    var legend = container.querySelector("legend");
    var anchor = container.querySelector(".helptext") || legend;
    if (anchor && anchor.parentNode) {
      anchor.parentNode.insertBefore(box, anchor.nextSibling);
    } else {
      container.insertBefore(box, container.firstChild);
    }

    input.addEventListener("input", function () {
      var words = normalize(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      entries.forEach(function (entry, i) {
        var match = words.every(function (word) { return texts[i].indexOf(word) !== -1; });
        entry.hidden = !match;
        if (match) {
          shown += 1;
        }
      });
      Array.prototype.forEach.call(groups, function (group) {
        group.hidden = !Array.prototype.some.call(
          group.querySelectorAll(container.dataset.filter),
          function (entry) { return !entry.hidden; }
        );
      });
      status.textContent = words.length ? shown + " of " + entries.length + " shown" : "";
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-filter]"), setUp);
})();
