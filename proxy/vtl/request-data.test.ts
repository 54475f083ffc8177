// $context.requestTime in API Gateway's CLF format.
import t from 'tap'
import { clfTime } from './request-data.js'

t.equal(clfTime(0), '01/Jan/1970:00:00:00 +0000')
t.equal(clfTime(Date.UTC(2026, 10, 29, 21, 3, 5)), '29/Nov/2026:21:03:05 +0000')
