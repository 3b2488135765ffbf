// What went wrong between the dashboard and the collector, with the URL that failed and the fix.
import type { CollectorError } from './client';

export const CollectorProblem = ({ error, onRetry }: { error: CollectorError; onRetry: () => void }) => (
  <div role="alert" class="problem">
    {error.kind === 'down' && (
      <>
        <h3>The collector is not answering</h3>
        <p>
          <code>{error.url}</code> failed: {error.message}. Check that the collector runs at this address (
          <code>npx assent-collector</code>, or <code>npm run demo</code>). A dashboard served from another origin than
          the collector also needs that origin allowed: <code>--origin {location.origin}</code>.
        </p>
      </>
    )}
    {error.kind === 'token' && (
      <>
        <h3>The collector refused the admin token</h3>
        <p>
          <code>{error.url}</code> answered 401. Admin routes need the token the collector was started with:{' '}
          <code>ASSENT_ADMIN_TOKEN=&lt;a long random secret&gt; npx assent-collector</code>. Without{' '}
          <code>ASSENT_ADMIN_TOKEN</code> it refuses every token. Enter the same value under Collector (the demo’s is{' '}
          <code>demo</code>).
        </p>
      </>
    )}
    {error.kind === 'answer' && (
      <>
        <h3>The collector gave an unexpected answer</h3>
        <p>
          <code>{error.url}</code> {error.message}.
        </p>
      </>
    )}
    <button type="button" onClick={onRetry}>
      Retry
    </button>
  </div>
);
