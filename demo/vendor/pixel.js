// A stand-in advertising pixel (demo): a cookie to recognise the browser, and a page-view hit, both on
// this server.
(function () {
  var id = (document.cookie.match(/(?:^|; )_dp=([^;]*)/) || [])[1] || Math.random().toString(36).slice(2);
  document.cookie = '_dp=' + id + ';path=/;max-age=' + 60 * 60 * 24 * 90 + ';samesite=lax';
  new Image().src = '/demo-sink/pixel.gif?ev=PageView&id=' + id + '&page=' + encodeURIComponent(location.pathname);
  (window.demoLog = window.demoLog || []).push('Demo Pixel (marketing)');
  document.dispatchEvent(new CustomEvent('demo:ran', { detail: 'pixel.js' }));
})();
