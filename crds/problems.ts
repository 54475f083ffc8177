// A Problem is one thing wrong with one resource, found by validation or by the compiler. It
// names the field (Kubernetes style: spec.routes[1].path), a PascalCase reason and a message
// a human can act on. Problems become status conditions (operator) or CLI errors (standalone).
export interface Problem {
  severity: 'error' | 'warning'
  /** Field path in Kubernetes notation, e.g. "spec.routes[1].integration.uri"; "" for the whole resource. */
  field: string
  /** PascalCase reason, e.g. "InvalidPath", "ApiNotFound". */
  reason: string
  message: string
}

export function error(field: string, reason: string, message: string): Problem {
  return { severity: 'error', field, reason, message }
}

export function warning(field: string, reason: string, message: string): Problem {
  return { severity: 'warning', field, reason, message }
}

/** Converts a JSON pointer ("/spec/routes/1/path") to Kubernetes field notation ("spec.routes[1].path"). */
export function pointerToField(pointer: string): string {
  let out = ''
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (/^\d+$/.test(part)) out += `[${part}]`
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out === '' ? part : `.${part}`
    else out += `[${JSON.stringify(part)}]`
  }
  return out
}
