import { describe, expect, it } from 'vitest'
import {
  classificationTag,
  currentPeriod,
  DUPLICATE_STATUSES,
  duplicateStatusTag,
  EXPORT_FIELD_OF_COLUMN,
  exportColumns,
  fundStatusTag,
  labelOf,
  previousPeriod,
  STAGES,
  stageTag,
  validCreditCode,
} from './ledger'

describe('ledger codes', () => {
  it('labels stages in order, with unknown codes passed through', () => {
    expect(STAGES.map((s) => s.label).slice(0, 4)).toEqual(['线索', '意向', '在谈', '已签约'])
    expect(labelOf(STAGES, 'land_supplied')).toBe('已供地')
    expect(labelOf(STAGES, 'x')).toBe('x')
    expect(labelOf(STAGES, null)).toBe('')
  })
  it('colours classifications and review states', () => {
    expect(classificationTag('excellent')).toBe('success')
    expect(classificationTag('good')).toBe('primary')
    expect(classificationTag('fair')).toBe('warning')
    expect(classificationTag('not_fulfilled')).toBe('danger')
    expect(classificationTag('no_contract_amount')).toBe('info')
    expect(fundStatusTag('entered')).toBe('warning')
    expect(fundStatusTag('confirmed')).toBe('success')
    expect(fundStatusTag('returned')).toBe('danger')
    expect(fundStatusTag('superseded')).toBe('info')
    expect(stageTag('terminated')).toBe('danger')
    expect(stageTag('signed')).toBe('primary')
    expect(duplicateStatusTag('pending')).toBe('warning')
    expect(duplicateStatusTag('duplicate')).toBe('danger')
    expect(duplicateStatusTag('not_duplicate')).toBe('success')
    expect(labelOf(DUPLICATE_STATUSES, 'not_duplicate')).toBe('不是重复')
  })
  it('takes the month of a date as the default period', () => {
    expect(currentPeriod('2026-03-09')).toBe('2026-03')
  })
})

describe('validCreditCode', () => {
  it('accepts codes whose check character matches', () => {
    expect(validCreditCode('914403001922038216')).toBe(true)
    expect(validCreditCode('91110000100017643K')).toBe(true)
    expect(validCreditCode('91110000100017643k')).toBe(true)
  })
  it('refuses wrong check characters, letters outside the charset and wrong lengths', () => {
    expect(validCreditCode('914403001922038217')).toBe(false)
    expect(validCreditCode('91440300I922038216')).toBe(false)
    expect(validCreditCode('9144030019220382')).toBe(false)
  })
})

describe('exportColumns', () => {
  const order = ['investor', 'region', 'stage', 'contract', 'rate', 'responsible']
  it('lists the shown columns in the list order, as export fields', () => {
    expect(exportColumns(order, ['rate', 'investor', 'contract'])).toBe('investor_name,contract_fen,arrival_rate')
  })
  it('is empty when no optional column is shown (the name comes anyway)', () => {
    expect(exportColumns(order, [])).toBe('')
  })
  it('has an export field for every column of the list', () => {
    for (const key of ['investor', 'region', 'stage', 'origin', 'industry', 'event', 'contract', 'arrived', 'rate', 'classification', 'contract_usd', 'signed_on', 'responsible']) {
      expect(EXPORT_FIELD_OF_COLUMN[key]?.length, key).toBeGreaterThan(0)
    }
  })
})

describe('previousPeriod', () => {
  it('is the month before, across a year end', () => {
    expect(previousPeriod('2026-03-09')).toBe('2026-02')
    expect(previousPeriod('2026-01-31')).toBe('2025-12')
    expect(previousPeriod('2026-11-01')).toBe('2026-10')
  })
})

describe('signed stages', () => {
  it('grades only signed projects, 违约终止 among them', async () => {
    const { isSigned } = await import('./ledger')
    expect(isSigned('signed')).toBe(true)
    expect(isSigned('defaulted')).toBe(true)
    expect(isSigned('negotiating')).toBe(false)
    expect(isSigned('terminated')).toBe(false)
  })
})

describe('missingCodeReason', () => {
  it('asks a signed project without a code for the reason, as the server does', async () => {
    const { missingCodeReason } = await import('./ledger')
    for (const stage of ['signed', 'land_supplied', 'started', 'completed', 'producing', 'defaulted']) {
      expect(missingCodeReason(stage, ''), stage).toBe('required')
      expect(missingCodeReason(stage, '  '), stage).toBe('required')
      expect(missingCodeReason(stage, '91430000MABR5TTP1K'), stage).toBe('hidden')
    }
    // Offered before signing, so that 阶段变更 can sign a foreign investor's project.
    expect(missingCodeReason('negotiating', null)).toBe('optional')
    for (const stage of ['lead', 'intent', 'terminated']) expect(missingCodeReason(stage, ''), stage).toBe('hidden')
  })
})
