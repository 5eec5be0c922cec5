// Code pickers for the clinic's case form: a search box under each code field that asks the
// service's code search and puts the chosen code in the field. Without a script the fields
// still take codes typed by hand; nothing here is needed to save a case.
"use strict";

(function () {
  const SOURCES = {
    icd10: { url: "/api/v1/codes/icd10", text: (hit) => hit.description, many: true,
             label: "Search diagnosis codes by words" },
    procedures: { url: "/api/v1/codes/procedures", text: (hit) => hit.summary, many: false,
                  label: "Search procedure codes by words" },
  };

  function addCode(field, code, many) {
    if (!many) { field.value = code; return; }
    const codes = field.value.split(/[\s,;]+/).filter(Boolean);
    if (!codes.includes(code)) codes.push(code);
    field.value = codes.join(", ");
  }

  function picker(field) {
    const source = SOURCES[field.dataset.picker];
    if (!source) return;
    const box = document.createElement("div");
    box.className = "picker";
    const search = document.createElement("input");
    search.type = "search";
    search.className = "picker-search";
    search.id = field.id + "-search";
    // Each search box names the field it fills: "Claim diagnoses (procedure 1): search ...".
    search.setAttribute("aria-label", (field.dataset.label || "") + ": " + source.label.toLowerCase());
    search.placeholder = source.label + "…";
    search.setAttribute("autocomplete", "off");
    const list = document.createElement("ul");
    list.className = "picker-results";
    list.id = field.id + "-results";
    list.setAttribute("aria-live", "polite");
    search.setAttribute("aria-controls", list.id);
    box.append(search, list);
    field.insertAdjacentElement("afterend", box);

    let pending = null;
    let asked = "";
    search.addEventListener("input", () => {
      clearTimeout(pending);
      pending = setTimeout(() => find(search.value.trim()), 200);
    });

    async function find(query) {
      asked = query;
      list.replaceChildren();
      if (query.length < 2) return;
      const url = source.url + "?limit=8&q=" + encodeURIComponent(query);
      let hits = [];
      try {
        const answer = await fetch(url, { headers: { Accept: "application/json" } });
        if (answer.ok) hits = await answer.json();
      } catch (error) {
        hits = [];
      }
      if (query !== asked) return; // a later search has started
      if (!hits.length) {
        const none = document.createElement("li");
        none.className = "picker-none";
        none.textContent = "No code found for these words.";
        list.append(none);
        return;
      }
      for (const hit of hits) {
        const item = document.createElement("li");
        const choose = document.createElement("button");
        choose.type = "button";
        choose.className = "picker-hit";
        choose.dataset.code = hit.code;
        const code = document.createElement("strong");
        code.textContent = hit.code;
        choose.append(code, " " + source.text(hit));
        choose.addEventListener("click", () => {
          addCode(field, hit.code, source.many);
          list.replaceChildren();
          search.value = "";
          field.focus();
        });
        item.append(choose);
        list.append(item);
      }
    }
  }

  document.querySelectorAll("input[data-picker]").forEach(picker);
})();
