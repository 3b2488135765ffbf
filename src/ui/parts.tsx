// The pieces the banner and the preference center share.
import type { ComponentChildren } from 'preact';
import { isRequired } from '../core/bases';
import type { Purpose } from '../core/config';
import { linkable } from './format';
import type { BannerTexts, PreferencesTexts } from './text-parts';

/**
 * A text followed by the sentences that fit the legal bases configured: nothing speaks of consent,
 * legitimate interest or what is always active unless some purpose is based on it. The banner (not
 * `inFull`) keeps to the one a visitor would not expect: legitimate interest is on until they object.
 */
export const withBases = (
  text: string | false,
  texts: BannerTexts & Partial<PreferencesTexts>,
  purposes: Purpose[],
  inFull?: boolean,
) =>
  [
    text,
    inFull && purposes.some((p) => p.basis === 'consent') && texts.aboutConsent,
    purposes.some((p) => p.basis === 'legitimate-interest') && texts.aboutLegitimateInterest,
    inFull && purposes.some(isRequired) && texts.aboutRequired,
  ]
    .filter(Boolean)
    .join(' ');

/**
 * "Accept all" and "Reject all", identical in size, weight, colour and rank (CNIL, EDPB), and one
 * other action in a quieter style.
 */
export const Actions = (props: {
  texts: BannerTexts;
  onAll: (grant: boolean) => void;
  other: string;
  onOther: () => void;
  /** When the pointer or focus reaches the other action. */
  onReach?: () => void;
}) => (
  <div class="actions">
    <button type="button" class="btn main" onClick={() => props.onAll(true)}>
      {props.texts.acceptAll}
    </button>
    <button type="button" class="btn main" onClick={() => props.onAll(false)}>
      {props.texts.rejectAll}
    </button>
    <button type="button" class="btn alt" onClick={props.onOther} onPointerOver={props.onReach} onFocus={props.onReach}>
      {props.other}
    </button>
  </div>
);

/** A link, or its text alone when the URL is not one a link may point to (see `linkable`). */
export const Link = (props: { url: unknown; children: ComponentChildren; newTab?: boolean }) => {
  const href = linkable(props.url);
  if (!href) return <>{props.children}</>;
  return props.newTab ? (
    <a href={href} target="_blank" rel="noopener">
      {props.children}
    </a>
  ) : (
    <a href={href}>{props.children}</a>
  );
};

/** A paragraph ending with the link to the privacy policy. */
export const WithPolicyLink = (props: { text: string; texts: BannerTexts; url: string }) => (
  <p>
    {props.text}{' '}
    <Link url={props.url} newTab>
      {props.texts.policyLink}
    </Link>
  </p>
);

/** Closes a view; closing never records anything. */
export const CloseButton = (props: { texts: BannerTexts; onClose: () => void }) => (
  <button type="button" class="x" aria-label={props.texts.close} onClick={props.onClose}>
    ×
  </button>
);
