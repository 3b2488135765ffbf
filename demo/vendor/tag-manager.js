// A tiny tag manager (demo): it injects a marketing pixel and a chat widget the way real ones do, with
// createElement. Assent's auto-blocker (services[].match in the config) holds each until its purpose
// is allowed, without the site tagging them by hand.
(function () {
  var add = function (src) {
    var s = document.createElement('script');
    s.async = true;
    s.src = src;
    document.head.appendChild(s);
  };
  add('/demo-vendor/pixel.js');
  add('/demo-vendor/chat.js');
})();
