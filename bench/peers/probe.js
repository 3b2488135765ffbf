// Installed in every bench page before any of its scripts (Playwright addInitScript, after a line that sets
// window.__benchTool and window.__benchMark). Plain JavaScript, as it is injected as text. Records into window.__bench:
// - mark: performance.now() of the user-timing mark named window.__benchMark, to align the trace's clock with the page's;
// - long: [start, duration] of every long task (PerformanceObserver "longtask");
// - cls: the sum of layout shifts without recent input;
// - bannerAt: performance.now() in the first animation frame in which the banner's box is visible.
(() => {
  const r = { mark: performance.mark(window.__benchMark).startTime, long: [], cls: 0, bannerAt: undefined };
  window.__bench = r;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) r.long.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) r.cls += e.value;
  }).observe({ type: 'layout-shift', buffered: true });

  // Per tool: the element the widget adds to the page for its UI, and the banner's box in it (the first
  // layer only, never the preference center).
  const tools = {
    assent: [
      () => document.querySelector('[data-assent-ui="main"]'),
      () => document.querySelector('[data-assent-ui="main"]')?.shadowRoot?.querySelector('.banner'),
    ],
    cookieconsent: [() => document.getElementById('cc-main'), () => document.querySelector('#cc-main .cm')],
    klaro: [
      () => document.getElementById('klaro'),
      () => document.querySelector('#klaro-cookie-notice:not(.cookie-notice-hidden)'),
    ],
    tarteaucitron: [
      () => document.getElementById('tarteaucitronRoot'),
      () => document.getElementById('tarteaucitronAlertBig'),
    ],
    c15t: [
      () => document.querySelector('[data-testid="consent-banner-card"]'),
      () => document.querySelector('[data-testid="consent-banner-card"]'),
    ],
  };
  const tool = tools[window.__benchTool];
  if (!tool) return;
  const [root, banner] = tool;
  // Visible: laid out with a size, inside the viewport, neither transparent nor hidden (a fade-in counts
  // from its first frame above opacity 0). Checked in every animation frame from the moment the widget's
  // element is in the page (found by a MutationObserver, so that the page's load is not made to render
  // frames before): the frame in which this first holds is the one that paints the banner, and
  // performance.now() there is just before that paint.
  const visible = (el) => {
    if (!el?.isConnected) return false;
    const box = el.getBoundingClientRect();
    return (
      box.width > 0 &&
      box.height > 0 &&
      box.bottom > 0 &&
      box.top < innerHeight &&
      el.checkVisibility({ opacityProperty: true, visibilityProperty: true })
    );
  };
  // (A returning visitor gets no banner: the loop stops when, a second after the widget's element came,
  // there is still no banner element.)
  let since = 0;
  const frame = () => {
    const el = banner();
    if (visible(el)) r.bannerAt = performance.now();
    else if ((el || performance.now() - since < 1000) && performance.now() < 20000) requestAnimationFrame(frame);
  };
  const added = new MutationObserver(() => {
    if (!root()) return;
    added.disconnect();
    since = performance.now();
    requestAnimationFrame(frame);
  });
  added.observe(document, { childList: true, subtree: true });
})();
