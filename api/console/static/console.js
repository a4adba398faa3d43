// baas console: the only script. It refreshes the KYC queue in place. The pages work without it.
(function () {
  "use strict";
  function refresh(box) {
    var url = box.getAttribute("data-refresh");
    fetch(url, { headers: { "X-Console-Fragment": "1" }, credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 401) { window.location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (html !== null && html !== undefined) {
          var t = document.createElement("template");
          t.innerHTML = html;
          box.replaceChildren(t.content);
          var stamp = document.getElementById("refreshed");
          if (stamp) { stamp.textContent = new Date().toISOString().slice(11, 19) + " UTC"; }
        }
      })
      .catch(function () {});
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-refresh]").forEach(function (box) {
      var every = parseInt(box.getAttribute("data-every") || "5000", 10);
      setInterval(function () { refresh(box); }, every);
    });
  });
})();
