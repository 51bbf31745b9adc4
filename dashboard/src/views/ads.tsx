// Ads: message-match coverage, CSV import with per-line errors, the per-ad report and delete.
import { useRef, useState } from 'hono/jsx/dom'
import { ApiError, errorText } from '../api/client'
import { api } from '../api/endpoints'
import type { AdReport, Coverage, Experience, Share } from '../api/types'
import { plainText } from '../preview'
import { Dash, LinkOrText, numberFormat, pct, plural } from '../ui/format'
import { ErrorBox, type Problem } from '../ui/forms'
import { useLoad } from '../ui/hooks'
import { NO_SITE, SiteFrame, useSite } from '../ui/layout'
import { announce } from '../ui/toast'
import { href } from '../router'

type AdsData = { coverage: Coverage; keywords: Map<string, string[]>; experiences: Experience[] }

export function AdsView({ siteId }: { siteId: string }) {
  const site = useSite(siteId)
  const data = useLoad(async (signal): Promise<AdsData> => {
    if (!site) throw new Error(NO_SITE)
    const [coverage, ads, experiences] = await Promise.all([
      api.coverage(siteId, signal),
      api.ads(siteId, signal).catch(() => ({ ads: [] })),
      api.experiences(siteId, signal).then((r) => r.experiences, () => []),
    ])
    return { coverage, keywords: new Map(ads.ads.map((ad) => [ad.id, ad.keywords ?? []])), experiences }
  }, [siteId])
  const remove = async (ad: AdReport) => {
    if (!confirm(`Delete the ad “${ad.name}” (${ad.campaign} / ${ad.adGroup})?`)) return
    try {
      await api.deleteAd(siteId, ad.id)
      announce(`Ad “${ad.name}” deleted.`)
      data.reload()
    } catch (error) {
      announce(errorText(error))
    }
  }
  const loadError = !site ? NO_SITE : data.error ? `Could not load the coverage report: ${errorText(data.error)}` : ''
  const report = data.data?.coverage.report ?? []
  return (
    <SiteFrame view="ads" siteId={siteId} tab="ads" heading="Ads">
      <p id="ads-load-error" class="error" role="alert" hidden={!loadError}>{loadError}</p>
      <div class="ads-top">
        <div id="ads-coverage" class="card" aria-label="Message match coverage" aria-busy={data.loading ? 'true' : undefined}>
          {data.data ? <CoverageCard c={data.data.coverage} /> : null}
        </div>
        {site ? <ImportForm siteId={siteId} onImported={data.reload} /> : null}
      </div>
      <p id="ads-empty" class="empty" hidden={!data.data || report.length > 0}>
        No ads yet. Import your ads export to see which ones land on a dedicated experience.
      </p>
      <div class="table-wrap">
        <table id="ads-table" hidden={!report.length}>
          <thead>
            <tr><th>Campaign</th><th>Ad group</th><th>Ad</th><th>Ad headline</th><th>Served headline</th><th>Dedicated</th><th>Message match</th><th aria-label="Actions"></th></tr>
          </thead>
          <tbody id="ads-body">
            {report.map((ad) => <AdRow siteId={siteId} ad={ad} words={data.data?.keywords.get(ad.id) ?? []} experience={data.data?.experiences.find((e) => e.id === ad.experienceId)} onDelete={() => remove(ad)} />)}
          </tbody>
        </table>
      </div>
    </SiteFrame>
  )
}

function Meter({ id, label, share: { covered, total, share } }: { id: string; label: string; share: Share }) {
  return (
    <div class="cov" id={id}>
      <div class="cov-num">{total ? `${Math.round(share * 100)}%` : '—'}</div>
      <div><strong>{label}</strong><div class="muted">{`${numberFormat.format(covered)} of ${numberFormat.format(total)} land on a dedicated experience`}</div></div>
      <div class="bar" role="img" aria-label={`${pct(share, 0)} of ${label.toLowerCase()}`}><span style={{ width: `${Math.round(share * 100)}%` }} /></div>
    </div>
  )
}

const CoverageCard = ({ c }: { c: Coverage }) => (
  <>
    <h2>Message match coverage <span class="muted">{c.ads.total ? `${pct(c.coverage, 0)} overall` : ''}</span></h2>
    <Meter id="ads-coverage-groups" label="Ad groups" share={c.adGroups} />
    <Meter id="ads-coverage-ads" label="Ads" share={c.ads} />
    <p id="ads-mismatches" class={c.mismatches ? 'flag-line' : 'muted'}>
      {c.mismatches ? `⚠ ${plural(c.mismatches, 'ad')} served a headline that shares no keyword with the ad.` : 'No keyword mismatches.'}
    </p>
  </>
)

function AdRow({ siteId, ad, words, experience: x, onDelete }: { siteId: string; ad: AdReport; words: string[]; experience: Experience | undefined; onDelete: () => void }) {
  return (
    <tr class={ad.mismatch ? 'ad mismatch' : 'ad'} data-ad-id={ad.id}>
      <td>{ad.campaign}</td>
      <td>{ad.adGroup}</td>
      <td>
        <div class="ad-name">{ad.name}</div>
        <div class="sub"><LinkOrText url={ad.finalUrl} /></div>
        {words.length ? <div class="sub muted">{`Keywords: ${words.join(', ')}`}</div> : null}
      </td>
      <td>{ad.headline}</td>
      <td>
        {ad.servedHeadline == null ? <span class="muted">page default</span> : plainText(ad.servedHeadline)}
        {x ? <div class="sub"><a href={href.experience(siteId, x.id)}>{x.name}</a></div> : null}
      </td>
      <td class="dedicated">
        {ad.dedicated ? <span class="pos" title="Lands on a dedicated experience">✓ yes</span> : <span class="neg" title="No experience targets this ad’s traffic">✗ no</span>}
      </td>
      <td>
        {ad.mismatch ? (
          <>
            <span class="badge flag">⚠ headline shares no keyword with the ad</span>
            {ad.servedHeadline == null ? <div class="sub muted">Cairn serves no headline for this URL.</div> : null}
          </>
        ) : ad.sharedKeywords?.length ? <span class="muted">{`shares: ${ad.sharedKeywords.join(', ')}`}</span> : <Dash />}
      </td>
      <td class="actions">
        <button type="button" class="ghost small ad-delete" aria-label={`Delete ad ${ad.name}`} onClick={onDelete}>Delete</button>
      </td>
    </tr>
  )
}

function ImportForm({ siteId, onImported }: { siteId: string; onImported: () => void }) {
  const [csv, setCsv] = useState('')
  const [problem, setProblem] = useState<Problem>(null)
  const [status, setStatus] = useState('')
  const [busy, setBusy] = useState(false)
  const file = useRef<HTMLInputElement>(null)
  const submit = async (event: Event) => {
    event.preventDefault()
    setStatus('')
    if (!csv.trim()) return setProblem({ message: 'Paste the CSV or choose a file.' })
    setProblem(null)
    setBusy(true)
    try {
      const { imported } = await api.importAds(siteId, csv)
      setCsv('')
      if (file.current) file.current.value = ''
      setStatus(`Imported ${plural(imported, 'ad')}.`)
      announce(`Imported ${plural(imported, 'ad')}.`)
      onImported()
    } catch (error) {
      setProblem(error instanceof ApiError
        ? { message: error.message, issues: error.issues.map(({ path, message }) => ({ label: String(path).replace(/^line/, 'Line'), message, line: /\d+/.exec(path)?.[0] })) }
        : { message: errorText(error) })
    } finally {
      setBusy(false)
    }
  }
  const readFile = async () => {
    const chosen = file.current?.files?.[0]
    if (!chosen) return
    if (chosen.size > 1024 * 1024) return setProblem({ message: 'The file is over 1 MiB: split it into smaller imports.' })
    setProblem(null)
    setCsv(await chosen.text())
  }
  return (
    <form id="ads-form" class="card" novalidate onSubmit={submit}>
      <h2>Import ads <span class="muted">(CSV)</span></h2>
      <label for="ads-csv">CSV <span class="muted">(Campaign, Ad group, Ad, Headline, Keywords, Final URL; keywords separated by ;)</span></label>
      <textarea id="ads-csv" rows={5} spellcheck={false} value={csv} aria-invalid={problem ? 'true' : undefined} onInput={(e: Event) => setCsv((e.target as HTMLTextAreaElement).value)}
        placeholder={'Campaign,Ad group,Ad,Headline,Keywords,Final URL\nBlack Friday,CRM,Ad 1,CRM at 40% off,crm;deal,https://acme.test/?utm_campaign=black-friday'} />
      <div class="inline"><label for="ads-file" class="file-label">or a file</label><input id="ads-file" type="file" accept=".csv,text/csv" ref={file} onChange={() => readFile().catch((e: unknown) => setProblem({ message: errorText(e) }))} /></div>
      <ErrorBox id="ads-error" problem={problem} />
      <button type="submit" id="ads-import" disabled={busy}>Import</button> <span id="ads-status" class="muted" role="status">{status}</span>
    </form>
  )
}
