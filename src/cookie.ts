// `assent/cookie`: read the consent cookie on a server.
export { type DecodedConsent, decodeConsentCookie, encodeConsentCookie } from './core/cookie';
