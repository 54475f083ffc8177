// Field paths in Kubernetes notation, as crds/problems.ts writes them: identifiers are joined
// with a dot, anything else is a quoted index ("spec.variables.backend",
// "spec.routes[0].requestParameters[\"method.request.path.id\"]").
export function childField(parent: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`
}
