// Paste <script src="https://YOUR-TOLLGATE/pricing/embed.js" data-brand="#0f766e" data-font="Georgia, serif"></script>
// where the pricing table should appear. It inserts the pricing page in an iframe that grows to its content.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var origin = new URL(script.src, window.location.href).origin;
  var params = new URLSearchParams({ embed: "1" });
  ["brand", "font", "period", "currency"].forEach(function (name) {
    var value = script.getAttribute("data-" + name);
    if (value) { params.set(name, value); }
  });
  var frame = document.createElement("iframe");
  frame.src = origin + "/pricing?" + params.toString();
  frame.title = script.getAttribute("data-title") || "Pricing";
  frame.style.width = "100%";
  frame.style.border = "0";
  frame.style.minHeight = "640px";
  script.parentNode.insertBefore(frame, script.nextSibling);
  window.addEventListener("message", function (event) {
    if (event.origin === origin && event.source === frame.contentWindow && event.data && event.data.type === "tollgate:height") {
      frame.style.height = Math.ceil(event.data.height) + "px";
    }
  });
})();
