// The site's Mixpanel tag (demo), run after Mixpanel's own snippet: the SDK's events go to this server,
// never to Mixpanel.
mixpanel.init('demo-project-token', {
  api_host: location.origin + '/demo-sink/mixpanel',
  persistence: 'cookie',
  batch_requests: false,
  track_pageview: true,
  loaded: function () {
    (window.demoLog = window.demoLog || []).push('Mixpanel SDK (analytics)');
    document.dispatchEvent(new CustomEvent('demo:ran', { detail: 'mixpanel' }));
  },
});
