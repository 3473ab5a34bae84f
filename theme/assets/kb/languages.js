/* The site root of a help center in several languages: go to the language the browser
   prefers among the help center's (the links of [data-kb-languages]), else the first, which
   is the default language. Nothing is stored: the next visit asks the browser again. */
(function () {
  "use strict";
  var links = document.querySelectorAll("[data-kb-languages] a[data-kb-language]");
  if (!links.length) return;
  var by = {};
  links.forEach(function (a) { by[a.getAttribute("data-kb-language").toLowerCase()] = a.href; });
  var wanted = navigator.languages && navigator.languages.length ? navigator.languages
    : [navigator.language || ""];
  var target = null;
  for (var i = 0; i < wanted.length && !target; i++) {
    var code = String(wanted[i] || "").toLowerCase();
    target = by[code] || by[code.split("-")[0]] || null;
  }
  location.replace((target || links[0].href) + location.hash);
})();
