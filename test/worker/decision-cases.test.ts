// Runs cases/decisions.json twice: against the pure decide() and through the real Worker (experiences
// via the admin API, the request via GET /v1/personalize). The two must agree with the table.
import { describe, expect, it } from 'vitest'
import { decide, ExperienceInput, type DecisionContext, type Experience } from '../../worker/src/domain/experiences'
import table from './cases/decisions.json'
import { admin, call, createSite, ORIGIN } from './helpers'

type CaseRequest = { url: string; referrer?: string; device?: DecisionContext['device']; country?: string; visitor?: string }
type Named = { experiences: Array<{ id: string; name: string; variants: Array<{ id: string; name: string }> }> }

const UA = { mobile: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148', desktop: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0' }

/** Chosen experiences as [experience name, variant name | 'control']. */
const byName = (chosen: Array<{ id: string; variant: string }>, { experiences }: Named) =>
  chosen.map(({ id, variant }) => {
    const experience = experiences.find((e) => e.id === id)!
    return [experience.name, experience.variants.find((v) => v.id === variant)?.name ?? variant]
  })

describe('decisions, pure functions (cases/decisions.json)', () => {
  for (const testCase of table.cases) {
    it(testCase.name, () => {
      const experiences: Experience[] = testCase.experiences.map((raw, i) => {
        const input = ExperienceInput.parse(raw)
        return {
          id: `exp_${i}`,
          edited: false,
          name: input.name,
          status: input.status ?? 'active',
          priority: input.priority ?? 0,
          goal: input.goal ?? null,
          match: input.match,
          variants: input.variants.map((v, j) => ({ ...v, id: `var_${i}_${j}` })),
          control: input.control ?? 0,
        }
      })
      const request = testCase.request as CaseRequest
      const decision = decide(experiences, {
        url: new URL(request.url),
        referrer: request.referrer ?? null,
        device: request.device ?? 'desktop',
        country: request.country ?? null,
        visitorId: request.visitor ?? null,
        lead: null,
        exposed: new Map(),
      })
      expect(decision.slots).toEqual(testCase.expect.slots)
      expect(byName(decision.experiences, { experiences })).toEqual(testCase.expect.experiences)
    })
  }
})

describe('decisions through GET /v1/personalize (cases/decisions.json)', () => {
  for (const testCase of table.cases) {
    it(testCase.name, async () => {
      const site = await createSite()
      const experiences: Named['experiences'] = []
      for (const experience of testCase.experiences) {
        const response = await admin(`/api/sites/${site.id}/experiences`, { method: 'POST', json: experience })
        expect(response.status, await response.clone().text()).toBe(201)
        experiences.push((await response.json()) as Named['experiences'][number])
      }
      const request = testCase.request as CaseRequest
      const query = new URLSearchParams({ site: site.key, url: request.url, ...(request.referrer ? { ref: request.referrer } : {}), ...(request.visitor ? { aid: request.visitor } : {}) })
      const headers: Record<string, string> = { origin: ORIGIN, 'user-agent': UA[request.device === 'mobile' ? 'mobile' : 'desktop'] }
      if (request.country) headers['cf-ipcountry'] = request.country
      const response = await call(`/v1/personalize?${query}`, { headers })
      expect(response.status).toBe(200)
      const decision = (await response.json()) as { slots: Record<string, string>; experiences: Array<{ id: string; variant: string }> }
      expect(decision.slots).toEqual(testCase.expect.slots)
      expect(byName(decision.experiences, { experiences })).toEqual(testCase.expect.experiences)
    })
  }
})
