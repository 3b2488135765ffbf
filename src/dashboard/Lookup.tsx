// A visitor's receipts by consent id, each with its signature checked here, in the browser.
import { useState } from 'preact/hooks';
import { UUID } from '../core/ids';
import { type Verdict, verifySignature } from '../core/signature';
import type { Receipt } from '../core/types';
import { CollectorError, fetchJwks, fetchSubjectReceipts, type SubjectReceipt } from './client';
import { dateTime, languageName, METHODS } from './format';
import { CollectorProblem } from './Problem';

type Found = SubjectReceipt & { verdict: Verdict };
type LookupState =
  | { state: 'idle' }
  | { state: 'invalid' }
  | { state: 'loading'; consentId: string }
  | { state: 'error'; consentId: string; error: CollectorError }
  | { state: 'done'; consentId: string; found: Found[] };

export const Lookup = ({ collector }: { collector: string }) => {
  const [consentId, setConsentId] = useState('');
  const [result, setResult] = useState<LookupState>({ state: 'idle' });

  const lookUp = async (id: string) => {
    if (!UUID.test(id)) return setResult({ state: 'invalid' });
    setResult({ state: 'loading', consentId: id });
    try {
      const [receipts, jwks] = await Promise.all([fetchSubjectReceipts(collector, id), fetchJwks(collector)]);
      const found = await Promise.all(
        receipts.map(async (r) => ({
          ...r,
          // The receipt shown is the collector's copy of the bytes signed, for the consent id asked for.
          verdict: await verifySignature(r.signature, jwks, { json: r.receipt, consentId: id }),
        })),
      );
      setResult({ state: 'done', consentId: id, found });
    } catch (e) {
      if (!(e instanceof CollectorError)) throw e;
      setResult({ state: 'error', consentId: id, error: e });
    }
  };

  return (
    <section aria-labelledby="lookup-heading">
      <h2 id="lookup-heading">Look up a visitor’s receipts</h2>
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          lookUp(consentId.trim().toLowerCase());
        }}
      >
        <div class="field">
          <label for="consent-id">Consent id</label>
          <input
            id="consent-id"
            value={consentId}
            onInput={(e) => setConsentId(e.currentTarget.value)}
            spellcheck={false}
            autocomplete="off"
            aria-describedby="consent-id-hint"
            aria-invalid={result.state === 'invalid'}
            size={40}
          />
          <p id="consent-id-hint" class="hint">
            The visitor finds it in the preference center’s download, or a page can read it with{' '}
            <code>assent.getState().id</code>. Each signature is checked here against the collector’s public keys.
          </p>
        </div>
        <button type="submit">Look up</button>
      </form>
      <LookupResult result={result} onRetry={lookUp} />
    </section>
  );
};

const LookupResult = ({ result, onRetry }: { result: LookupState; onRetry: (id: string) => void }) => {
  if (result.state === 'idle') return null;
  if (result.state === 'invalid')
    return (
      <p role="alert" class="problem">
        A consent id is a UUID such as <code>3f1c2a4e-8b7d-4c1e-9a2b-5d6e7f809a1b</code>.
      </p>
    );
  if (result.state === 'loading')
    return (
      <p role="status" class="hint">
        Looking up {result.consentId}…
      </p>
    );
  if (result.state === 'error')
    return <CollectorProblem error={result.error} onRetry={() => onRetry(result.consentId)} />;
  const { found, consentId } = result;
  const verified = found.filter((f) => f.verdict.state === 'verified').length;
  const failed = found.filter((f) => f.verdict.state === 'failed').length;
  return (
    <div>
      <p role="status" class={failed ? 'summary failed' : 'summary'}>
        {found.length
          ? `${found.length} receipt${found.length === 1 ? '' : 's'} for ${consentId}: ${verified} verified, ${failed} failed${
              found.length - verified - failed ? `, ${found.length - verified - failed} not checked` : ''
            }.`
          : `No receipts for ${consentId}. No decision with this consent id reached the collector, or the visitor’s receipts were erased.`}
      </p>
      <ol class="receipts">
        {found.map((f, i) => (
          // Two receipts share an id when one is a conflict: the position tells them apart.
          <ReceiptItem key={`${i}-${f.receipt.id}`} found={f} position={i} />
        ))}
      </ol>
    </div>
  );
};

const VerdictLine = ({ verdict }: { verdict: Verdict }) =>
  verdict.state === 'verified' ? (
    <p class="verdict verified">
      <span aria-hidden="true">✓ </span>
      <strong>Signature verified</strong> with the collector’s key <code>{verdict.kid}</code>
    </p>
  ) : verdict.state === 'failed' ? (
    <p class="verdict failed">
      <span aria-hidden="true">✗ </span>
      <strong>Verification failed:</strong> {verdict.reason}
    </p>
  ) : (
    <p class="verdict unchecked">
      <strong>Not checked:</strong> {verdict.reason}
    </p>
  );

const ReceiptItem = ({
  found: { receipt, receivedAt, verdict, conflict },
  position,
}: {
  found: Found;
  position: number;
}) => {
  const r = receipt as Receipt;
  const ids = (granted: boolean) =>
    (r.purposes ?? [])
      .filter((p) => p.granted === granted)
      .map((p) => p.id)
      .join(', ') || 'none';
  const headingId = `receipt-${position}`;
  return (
    <li>
      <article class="receipt" aria-labelledby={headingId}>
        <h3 id={headingId}>
          {dateTime(r.timestamp)}, {METHODS[r.method] ?? r.method}
        </h3>
        <VerdictLine verdict={verdict} />
        {conflict && (
          <p class="verdict failed">
            <strong>Conflict:</strong> another receipt reached the collector first with this id and other contents. One
            of the two was forged or damaged; neither replaces the other.
          </p>
        )}
        <dl class="facts">
          <dt>Granted</dt>
          <dd>{ids(true)}</dd>
          <dt>Denied</dt>
          <dd>{ids(false)}</dd>
          <dt>Received</dt>
          <dd>{dateTime(receivedAt)}</dd>
          <dt>Policy</dt>
          <dd>
            {r.policy?.url} (version {r.policy?.version})
          </dd>
          <dt>Language</dt>
          <dd>{languageName(r.language)}</dd>
          <dt>Site</dt>
          <dd>{r.origin}</dd>
          <dt>Receipt id</dt>
          <dd>
            <code>{r.id}</code>
            {r.previousId && (
              <>
                {' '}
                (replaces <code>{r.previousId}</code>)
              </>
            )}
          </dd>
        </dl>
        <details>
          <summary>The receipt as stored</summary>
          <pre>{JSON.stringify(receipt, null, 2)}</pre>
        </details>
      </article>
    </li>
  );
};
