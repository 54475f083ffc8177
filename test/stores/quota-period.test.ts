// quotaPeriod with an injected clock: UTC calendar boundaries and rollover; the Lua copy of the
// same arithmetic is checked against it in redis-meter.test.ts.
import t from 'tap'
import { dayString, effectiveQuotaLimit, parseDay, quotaPeriod } from '../../proxy/stores/quota-period.js'

const iso = (b: { start: number; end: number }) => [new Date(b.start).toISOString(), new Date(b.end).toISOString()]

t.test('DAY is a UTC calendar day', async (t) => {
  t.same(iso(quotaPeriod(Date.UTC(2031, 4, 14, 23, 59, 59, 999), 'DAY')), ['2031-05-14T00:00:00.000Z', '2031-05-15T00:00:00.000Z'])
  t.same(iso(quotaPeriod(Date.UTC(2031, 4, 15), 'DAY')), ['2031-05-15T00:00:00.000Z', '2031-05-16T00:00:00.000Z'], 'midnight belongs to the new day')
})

t.test('WEEK starts on Sunday 00:00 UTC', async (t) => {
  const week = ['2031-05-11T00:00:00.000Z', '2031-05-18T00:00:00.000Z']
  for (let d = 11; d <= 17; d++) t.same(iso(quotaPeriod(Date.UTC(2031, 4, d, 13), 'WEEK')), week, `2031-05-${d}`)
  t.same(iso(quotaPeriod(Date.UTC(2031, 4, 18), 'WEEK'))[0], '2031-05-18T00:00:00.000Z', 'Sunday midnight starts the next week')
  t.same(iso(quotaPeriod(Date.UTC(1970, 0, 1), 'WEEK')), ['1969-12-28T00:00:00.000Z', '1970-01-04T00:00:00.000Z'], 'across the epoch')
})

t.test('MONTH runs from the 1st to the next 1st, leap years included', async (t) => {
  t.same(iso(quotaPeriod(Date.UTC(2032, 1, 29, 23, 59, 59, 999), 'MONTH')), ['2032-02-01T00:00:00.000Z', '2032-03-01T00:00:00.000Z'])
  t.same(iso(quotaPeriod(Date.UTC(2031, 1, 28, 12), 'MONTH')), ['2031-02-01T00:00:00.000Z', '2031-03-01T00:00:00.000Z'])
  t.same(iso(quotaPeriod(Date.UTC(2031, 11, 31, 23, 59, 59), 'MONTH')), ['2031-12-01T00:00:00.000Z', '2032-01-01T00:00:00.000Z'])
  t.same(iso(quotaPeriod(Date.UTC(2032, 0, 1), 'MONTH'))[0], '2032-01-01T00:00:00.000Z', 'rollover at New Year')
})

t.test('offset lowers the limit of the initial period only', async (t) => {
  const since = Date.UTC(2031, 4, 20)
  t.equal(effectiveQuotaLimit(1000, 300, 'MONTH', Date.UTC(2031, 4, 25), since), 700)
  t.equal(effectiveQuotaLimit(1000, 300, 'MONTH', Date.UTC(2031, 5, 1), since), 1000, 'next month: full limit')
  t.equal(effectiveQuotaLimit(100, 300, 'WEEK', since, since), 0, 'never below 0')
  t.equal(effectiveQuotaLimit(1000, 300, 'DAY', since), 1000, 'no start known: full limit')
})

t.test('day strings', async (t) => {
  t.equal(dayString(parseDay('2032-02-29')), '2032-02-29')
  t.throws(() => parseDay('2031-02-29'))
  t.throws(() => parseDay('yesterday'))
})
