/**
 * The tenant of every request that carries no authenticated API key: the embedded
 * default, and every request through the services until keys are configured
 * (docs/design.md). Never taken from a header or an input field the caller sets.
 */
export const DEFAULT_TENANT = "default";
