// A stand-in analytics SDK (demo): sets the cookies its service declares.
(function () {
  var id = Math.random().toString(36).slice(2);
  document.cookie = '_da_id=' + id + ';path=/;max-age=' + 60 * 60 * 24 * 395 + ';samesite=lax';
  document.cookie = '_da_s_' + Date.now() + '=1;path=/;samesite=lax';
  try { localStorage.setItem('_da_queue', '[]'); } catch (e) {}
  (window.demoLog = window.demoLog || []).push('analytics.js ran');
  document.dispatchEvent(new CustomEvent('demo:ran', { detail: 'analytics.js' }));
})();
