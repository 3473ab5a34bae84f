/* Material's client-side search index, downloaded only when a reader needs it: when kb's
   search API cannot be reached (search.js then fires "kb:search-fallback" on document, as the
   reader types). Material 9 requests the index (search/search_index.json, by XMLHttpRequest)
   as soon as a page loads and offers no setting for it, so this script, which comes before
   Material's bundle, holds that one request back until the fallback is needed. Until then
   Material's search waits, unseen, behind the API's results; so does its worker
   (theme/assets/javascripts/workers/kb-search.js), which starts with the index. */
(function () {
  "use strict";
  var XHR = window.XMLHttpRequest;
  if (!XHR) return;
  var INDEX = /\/search\/search_index\.json$/;
  var open = XHR.prototype.open;
  var send = XHR.prototype.send;
  var held = [];
  var released = false;

  XHR.prototype.open = function (method, url) {
    this.kbSearchIndex = INDEX.test(String(url).split(/[?#]/)[0]);
    return open.apply(this, arguments);
  };
  XHR.prototype.send = function () {
    if (!this.kbSearchIndex || released) return send.apply(this, arguments);
    var xhr = this;
    var args = arguments;
    held.push(function () { send.apply(xhr, args); });
  };

  document.addEventListener("kb:search-fallback", function () {
    released = true;
    held.splice(0).forEach(function (go) { go(); });
  });
})();
