// The pricing page: the monthly/yearly switch changes every price, saving and call-to-action at once, and an
// embedded page tells its parent how tall it is so the iframe never scrolls.
(function () {
  "use strict";
  var root = document.querySelector("[data-period]");
  if (!root) { return; }
  function show(period) {
    root.setAttribute("data-period", period);
    document.querySelectorAll("a[data-cta-monthly]").forEach(function (a) {
      a.setAttribute("href", a.getAttribute("data-cta-" + period));
    });
    // The currency links reload the page: they keep the period chosen here, which reverted to monthly.
    document.querySelectorAll("a[data-currency]").forEach(function (a) {
      var url = new URL(a.getAttribute("href"), window.location.href);
      url.searchParams.set("period", period);
      a.setAttribute("href", url.pathname + url.search);
    });
  }
  document.querySelectorAll("input[name='period']").forEach(function (input) {
    input.addEventListener("change", function () { if (input.checked) { show(input.value); } });
  });
  var checked = document.querySelector("input[name='period']:checked");
  if (checked) { show(checked.value); }
  if (window.parent !== window) {
    var send = function () {
      window.parent.postMessage({ type: "tollgate:height", height: document.documentElement.scrollHeight }, "*");
    };
    if (window.ResizeObserver) { new ResizeObserver(send).observe(document.body); }
    window.addEventListener("load", send);
    send();
  }
})();
