import t from 'tap'
import { meteringDomains } from '../../proxy/stores/metering-domain.js'

t.test('stages joined by a plan share a domain; the rest stay apart', async (t) => {
  const domains = meteringDomains(
    ['a/prod', 'b/prod', 'c/prod', 'd/prod', 'e/dev'],
    [
      { plan: 'gold', stages: ['b/prod', 'c/prod'] },
      { plan: 'silver', stages: ['c/prod', 'd/prod'] },
      { plan: 'solo', stages: ['e/dev'] },
    ],
  )
  t.same(Object.fromEntries(domains), { 'a/prod': 'a/prod', 'b/prod': 'b/prod', 'c/prod': 'b/prod', 'd/prod': 'b/prod', 'e/dev': 'e/dev' })
})

t.test('the name does not depend on the order plans are listed in', async (t) => {
  const plans = [
    { plan: 'x', stages: ['z/s', 'y/s'] },
    { plan: 'w', stages: ['y/s', 'm/s'] },
  ]
  t.same(meteringDomains([], plans), meteringDomains([], [...plans].reverse()))
  t.equal(meteringDomains([], plans).get('z/s'), 'm/s')
})

t.test('braces cannot leak into a hash tag', async (t) => {
  t.equal(meteringDomains(['{odd}/s'], []).get('{odd}/s'), '_odd_/s')
})
