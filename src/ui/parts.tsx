// The pieces the banner and the preference center share.
import type { Texts } from '../core/texts';

/**
 * "Accept all" and "Reject all", identical in size, weight, colour and rank (CNIL, EDPB), and one
 * other action in a quieter style.
 */
export const Actions = (props: {
  texts: Texts;
  onAll: (grant: boolean) => void;
  other: string;
  onOther: () => void;
}) => (
  <div class="actions">
    <button type="button" class="btn main" onClick={() => props.onAll(true)}>
      {props.texts.acceptAll}
    </button>
    <button type="button" class="btn main" onClick={() => props.onAll(false)}>
      {props.texts.rejectAll}
    </button>
    <button type="button" class="btn alt" onClick={props.onOther}>
      {props.other}
    </button>
  </div>
);

/** A paragraph ending with the link to the privacy policy. */
export const WithPolicyLink = (props: { text: string; texts: Texts; url: string }) => (
  <p>
    {props.text}{' '}
    <a href={props.url} target="_blank" rel="noopener">
      {props.texts.policyLink}
    </a>
  </p>
);

/** Closes a view; closing never records anything. */
export const CloseButton = (props: { texts: Texts; onClose: () => void }) => (
  <button type="button" class="x" aria-label={props.texts.close} onClick={props.onClose}>
    ×
  </button>
);
