/**
 * The localStorage key that says a withdrawal's clean-up is owed to the next page view: a script
 * still running when its purpose was withdrawn may store again what the clean-up deleted.
 */
export const CLEANUP_OWED = 'assent:cleanup';
