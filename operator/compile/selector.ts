// Label selectors (metav1.LabelSelector) as the API server evaluates them: every matchLabels
// pair and every matchExpressions requirement must hold; an empty selector selects everything.
import type { LabelSelector } from '../../crds/common.js'

export function selects(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false
  }
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, req.key)
    const values = req.values ?? []
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(labels[req.key]!)) return false
        break
      case 'NotIn':
        if (has && values.includes(labels[req.key]!)) return false
        break
      case 'Exists':
        if (!has) return false
        break
      case 'DoesNotExist':
        if (has) return false
        break
    }
  }
  return true
}
