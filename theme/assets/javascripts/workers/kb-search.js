/* Material's search worker, loaded only when there is something to search. Material starts its
   worker on every page; the pages name this small one instead (kb/plugin/assets.py), with
   Material's own after "?worker=". Material sends the first message, its index, only when the
   index arrives (search-index.js: when kb's search API cannot be reached); this worker then
   loads Material's, from the same folder, and hands that message on. */
(function () {
  "use strict";
  var name = new URLSearchParams(self.location.search).get("worker") || "";
  if (!/^[\w.-]+\.js$/.test(name)) return;

  function first(ev) {
    self.removeEventListener("message", first);
    importScripts(name); /* Material's worker listens for "message" as it loads */
    self.dispatchEvent(new MessageEvent("message", { data: ev.data }));
  }
  self.addEventListener("message", first);
})();
