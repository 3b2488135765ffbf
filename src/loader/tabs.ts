// Other tabs and restored pages: a decision made elsewhere reaches this page without a reload.

/**
 * Calls `reread` when another tab of this origin decides (BroadcastChannel), and when the page
 * becomes visible again or is restored from the back/forward cache (which also covers tabs on
 * other subdomains of the cookie domain). Returns the function that tells the other tabs.
 */
export const watchTabs = (channelName: string, reread: (tab: unknown) => void): (() => void) => {
  const channel = window.BroadcastChannel && new BroadcastChannel(channelName);
  if (channel) channel.onmessage = reread;
  addEventListener('pageshow', (e) => e.persisted && reread(1));
  document.addEventListener('visibilitychange', () => document.hidden || reread(1));
  return () => channel?.postMessage(1);
};
