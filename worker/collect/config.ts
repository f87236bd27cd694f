/**
 * Reading list-valued configuration (`ALLOWED_ORIGINS`, `QUERY_PARAMS`):
 * items separated by commas or whitespace, empty ones ignored.
 */
export const parseList = (value: string | undefined): string[] => (value ?? '').split(/[\s,]+/).filter(Boolean);
