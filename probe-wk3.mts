import { spawn } from 'node:child_process';
import { Builder } from 'selenium-webdriver';

const drv = spawn('WebKitWebDriver', ['--port=4547'], { stdio: ['ignore', 'inherit', 'inherit'] });
await new Promise((r) => setTimeout(r, 300));
for (let i = 0; i < 8; i++) {
  const t0 = Date.now();
  const p = new Builder()
    .usingServer('http://127.0.0.1:4547')
    .withCapabilities({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': {
        binary: '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
        args: ['--automation'],
      },
      proxy: { proxyType: 'manual', httpProxy: `127.0.0.1:9` },
    })
    .build();
  const d = (await Promise.race([p, new Promise((r) => setTimeout(() => r(null), 10000))])) as any;
  console.log(i, d ? 'ok' : 'HUNG', Date.now() - t0);
  if (!d) break;
  await d.manage().window().setRect({ width: 1024, height: 768 });
  await d.get('about:blank');
  await d.quit();
}
drv.kill();
