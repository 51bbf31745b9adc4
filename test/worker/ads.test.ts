// Ads and message match: JSON and CSV import, coverage of ad groups and ads by dedicated experiences,
// and ads whose served headline shares no keyword with the ad.
import { describe, expect, it } from 'vitest'
import { adsFromCsv, parseCsv } from '../../worker/src/domain/ads'
import { admin, callAdminHost, createSite, ORIGIN } from './helpers'

type Json = Record<string, any>

const CSV = `Campaign,Ad group,Ad,Headline,Keywords,Final URL
Black Friday,CRM deals,BF-1,"CRM at 40% off, this week only",black friday crm;crm deal,${ORIGIN}/?utm_campaign=black-friday&utm_term=crm
Black Friday,CRM deals,BF-2,Cheapest CRM of the year,crm discount,${ORIGIN}/?utm_campaign=black-friday&utm_term=discount
Brand,Acme,Brand-1,Acme CRM official site,acme,${ORIGIN}/?utm_campaign=brand
`

describe('CSV', () => {
  it('parses quoted fields with commas, quotes and newlines', () => {
    expect(parseCsv('a,"b, ""c""",d\r\n"multi\nline",x,\n')).toEqual([
      ['a', 'b, "c"', 'd'],
      ['multi\nline', 'x', ''],
    ])
  })
  it('reports the line of each invalid row', () => {
    const { ads, errors } = adsFromCsv('campaign,ad group,ad,headline,final url\nC,G,A,H,not-a-url\nC,G,B,H,https://acme.test/\n')
    expect(ads).toHaveLength(1)
    expect(errors).toEqual([{ line: 2, message: expect.stringContaining('finalUrl') }])
  })
})

describe('ad platform exports', () => {
  // Catches exports refused for their own column names, TSV read as one column, report title rows taken
  // for the header, or match-type marks kept in keywords.
  it('reads a Google Ads report (TSV, title rows, "Headline 1", "Final URL", no ad name)', () => {
    const tsv = [
      'Ad report',
      'November 1, 2026 - November 30, 2026',
      ['Campaign', 'Ad group', 'Ad ID', 'Headline 1', 'Headline 2', 'Final URL', 'Keyword'].join('\t'),
      ['Black Friday', 'CRM deals', '6481', 'CRM at 40% off', 'This week only', 'https://acme.test/?utm_term={keyword}', '[black friday crm]'].join('\t'),
    ].join('\r\n')
    const { ads, errors } = adsFromCsv(`\uFEFF${tsv}`)
    expect(errors).toEqual([])
    expect(ads).toEqual([
      { campaign: 'Black Friday', adGroup: 'CRM deals', name: '6481', headline: 'CRM at 40% off', keywords: ['black friday crm'], finalUrl: 'https://acme.test/?utm_term={keyword}' },
    ])
  })
  it('reads a Microsoft Advertising Editor export whose keyword rows belong to the ad group', () => {
    const csv = `Type,Campaign,Ad Group,Title Part 1,Final Url,Keyword
Expanded Text Ad,Spring,KPI tools,KPI dashboards in minutes,https://acme.test/kpi,
Keyword,Spring,KPI tools,,,"""kpi software"""
Keyword,Spring,KPI tools,,,+kpi +dashboard
`
    const { ads, errors } = adsFromCsv(csv)
    expect(errors).toEqual([])
    expect(ads).toHaveLength(1)
    expect(ads[0]).toMatchObject({ campaign: 'Spring', adGroup: 'KPI tools', name: 'KPI dashboards in minutes', keywords: ['kpi software', 'kpi dashboard'] })
  })
  it('names the missing columns of an unknown export', () => {
    expect(adsFromCsv('Campaign,Clicks\nX,3\n').errors).toEqual([{ line: 1, message: 'missing columns: adGroup, headline, finalUrl' }])
  })
})

describe('ads API and coverage', () => {
  it('imports a CSV and reports coverage and message mismatches', async () => {
    const site = await createSite()
    const imported = await admin(`/api/sites/${site.id}/ads/import`, { method: 'POST', body: CSV, headers: { 'content-type': 'text/csv' } })
    expect(imported.status).toBe(201)
    expect(await imported.json()).toEqual({ imported: 3 })
    // Re-importing updates instead of duplicating.
    await admin(`/api/sites/${site.id}/ads/import`, { method: 'POST', body: CSV, headers: { 'content-type': 'text/csv' } })
    expect(((await (await admin(`/api/sites/${site.id}/ads`)).json()) as Json).ads).toHaveLength(3)

    await admin(`/api/sites/${site.id}/experiences`, {
      method: 'POST',
      json: {
        name: 'Black Friday',
        match: { utm: { campaign: 'black-friday' } },
        variants: [{ name: 'Deal', weight: 1, slots: { headline: 'Black Friday: {{utm_term|CRM}} at 40% off' } }],
      },
    })
    const report = (await (await admin(`/api/sites/${site.id}/ads/coverage`)).json()) as Json
    expect(report.ads).toEqual({ total: 3, covered: 2, share: 0.667 })
    expect(report.adGroups).toEqual({ total: 2, covered: 1, share: 0.5 })
    expect(report.coverage).toBe(0.6) // (1 + 2) / (2 + 3)
    expect(report.mismatches).toBe(0) // the brand ad lands on the page's own default: nothing to compare
    const byName = Object.fromEntries((report.report as Json[]).map((r) => [r.name, r]))
    expect(byName['BF-1']).toMatchObject({ dedicated: true, servedHeadline: 'Black Friday: crm at 40% off', mismatch: false })
    expect(byName['BF-1'].sharedKeywords).toEqual(expect.arrayContaining(['black', 'friday', 'crm']))
    // The served headline says "discount"; the ad's keywords are "crm discount": shared.
    expect(byName['BF-2']).toMatchObject({ dedicated: true, mismatch: false })
    expect(byName['Brand-1']).toMatchObject({ dedicated: false, servedHeadline: null, mismatch: false })

    // A brand experience whose headline says nothing the brand ad said is flagged.
    await admin(`/api/sites/${site.id}/experiences`, {
      method: 'POST',
      json: { name: 'Brand', match: { utm: { campaign: 'brand' } }, variants: [{ name: 'V', weight: 1, slots: { headline: 'Built for growing teams' } }] },
    })
    const after = (await (await admin(`/api/sites/${site.id}/ads/coverage`)).json()) as Json
    const brand = (after.report as Json[]).find((r) => r.name === 'Brand-1')
    expect(brand).toMatchObject({ dedicated: true, servedHeadline: 'Built for growing teams', sharedKeywords: [], mismatch: true })
    expect(after).toMatchObject({ mismatches: 1, coverage: 1 })
  })

  it('keeps variant ids with underscores (the seeded demo) through a PUT', async () => {
    const site = await createSite()
    const created = await admin(`/api/sites/${site.id}/experiences`, {
      method: 'POST',
      json: { name: 'E', match: {}, variants: [{ id: 'var_demo_deal', name: 'V', weight: 1, slots: { headline: 'H' } }] },
    })
    expect(((await created.json()) as Json).variants[0].id).toBe('var_demo_deal')
  })

  it('rejects a CSV with a bad row and saves nothing', async () => {
    const site = await createSite()
    const response = await admin(`/api/sites/${site.id}/ads/import`, {
      method: 'POST',
      body: `${CSV}Brand,Acme,Broken,Headline,,ftp://acme.test/\n`,
      headers: { 'content-type': 'text/csv' },
    })
    expect(response.status).toBe(400)
    const body = (await response.json()) as Json
    expect(body.error.code).toBe('invalid_csv')
    expect(body.error.issues[0].path).toBe('line 5')
    expect(((await (await admin(`/api/sites/${site.id}/ads`)).json()) as Json).ads).toEqual([])
  })

  it('takes ads as JSON and deletes one', async () => {
    const site = await createSite()
    const created = await admin(`/api/sites/${site.id}/ads`, {
      method: 'POST',
      json: { ads: [{ campaign: 'C', adGroup: 'G', name: 'A', headline: 'H', keywords: ['k'], finalUrl: `${ORIGIN}/` }] },
    })
    expect(created.status).toBe(201)
    const [ad] = ((await (await admin(`/api/sites/${site.id}/ads`)).json()) as Json).ads
    expect((await admin(`/api/sites/${site.id}/ads/${ad.id}`, { method: 'DELETE' })).status).toBe(204)
    expect((await admin(`/api/sites/${site.id}/ads`, { method: 'POST', json: { ads: [{ campaign: 'C' }] } })).status).toBe(400)
    expect((await callAdminHost(`/api/sites/${site.id}/ads`)).status).toBe(401)
  })
})
