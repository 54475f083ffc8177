// Label keys the operator and the CLI share, in a module of their own so that importing one
// does not load the Kubernetes client (the CLI's one-shot commands start without it).

/** Secrets the operator watches (ApiKey values, cache keys, IAM identities) carry this label. */
export const SECRET_LABEL = 'tollgate.dev/secret'
