// A stand-in support chat widget (demo): a session cookie, a history in localStorage, and a button.
(function () {
  document.cookie = '_dc_sid=' + Math.random().toString(36).slice(2) + ';path=/;samesite=lax';
  var history = JSON.parse(localStorage.getItem('demo-chat:history') || '[]');
  var button = document.createElement('button');
  button.type = 'button';
  button.className = 'demo-chat';
  button.textContent = 'Chat (' + history.length + ')';
  button.onclick = function () {
    history.push({ at: new Date().toISOString(), text: 'Hello!' });
    localStorage.setItem('demo-chat:history', JSON.stringify(history));
    button.textContent = 'Chat (' + history.length + ')';
  };
  localStorage.setItem('demo-chat:history', JSON.stringify(history));
  document.body.appendChild(button);
  (window.demoLog = window.demoLog || []).push('Demo Chat (support-chat)');
  document.dispatchEvent(new CustomEvent('demo:ran', { detail: 'chat.js' }));
})();
