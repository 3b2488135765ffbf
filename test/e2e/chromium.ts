// How every test and bench run launches Chromium: Debian's (or CHROMIUM_PATH), headless, offline
// from everything but loopback.
export const chromiumLaunch = {
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    // Host names under .test reach the test server: a plain-http origin that is not localhost.
    '--host-resolver-rules=MAP *.test 127.0.0.1',
  ],
};
