// Build-time constants (scripts/build.ts).
declare const __VERSION__: string;
declare const __DEV__: boolean;
declare const __GATING__: boolean;
declare const __CONSENT_MODE__: boolean;
declare const __TABS__: boolean;
declare const __COOKIE__: boolean;
declare const __API__: boolean;
